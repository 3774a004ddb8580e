"""Deploy tests run against a REAL moto server process on 127.0.0.1 (a free port found by binding 0).

The server is started once per session and stopped by its PID (terminate, wait, kill); state is reset
before every test with `POST /moto-api/reset`. `deploy_project` builds a small project in tmp_path whose
`local` env points at the server.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ACCOUNT = "123456789012"   # moto's default account
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sfnc-test"

ORDERS = {
    "Comment": "orders (${env})",
    "QueryLanguage": "JSONata",
    "StartAt": "Receive",
    "States": {
        "Receive": {"Type": "Pass", "Output": {"queue": "${queue}", "limit": "${limit}"}, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
BILLING = {
    "QueryLanguage": "JSONata",
    "StartAt": "Bill",
    "States": {"Bill": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}},
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/moto-api/", timeout=1) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _serve(command: list[str]):
    """Start a server process on a free loopback port; yield its URL; stop it by its PID."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # the server logs every request on stderr: a file, not a pipe nobody drains (a full pipe blocks it)
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([*command, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while not _answers(url):
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"moto_server exited: {log.read().decode(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("moto_server did not answer within 20 s")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


def _reset(url: str) -> str:
    req = urllib.request.Request(url + "/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.status == 200
    return url


@pytest.fixture(scope="session")
def moto_url():
    yield from _serve([sys.executable, "-m", "moto.server"])


@pytest.fixture(scope="session")
def moto_versions_url():
    """moto extended with revision ids, PublishStateMachineVersion and ListStateMachineVersions
    (tests/deploy/moto_versions.py says what and why)."""
    yield from _serve([sys.executable, str(Path(__file__).with_name("moto_versions.py"))])


@pytest.fixture
def moto(moto_url):
    """A clean moto server for this test."""
    return _reset(moto_url)


@pytest.fixture
def moto_v(moto_versions_url):
    """A clean extended moto server (versions and revisions) for this test."""
    return _reset(moto_versions_url)


@pytest.fixture
def sfn(moto):
    """A boto3 stepfunctions client on the moto server (to look at or poke its state)."""
    import boto3

    return boto3.client("stepfunctions", endpoint_url=moto, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def clients(monkeypatch):
    """Every SfnClient the CLI connects; `.writes` lists the mutating calls it made."""
    from sfn_compiler.deploy.client import SfnClient

    made: list[SfnClient] = []
    original = SfnClient.connect.__func__

    def connect(cls, settings, **kwargs):
        client = original(cls, settings, **kwargs)
        made.append(client)
        return client

    monkeypatch.setattr(SfnClient, "connect", classmethod(connect))
    return made


def env_yaml(moto_url: str, **aws: Any) -> str:
    base: dict[str, Any] = {
        "account_id": ACCOUNT, "region": "us-east-1", "endpoint_url": moto_url, "role_arn": ROLE,
        "name_prefix": "t-", "publish": True,
    }
    base.update(aws)
    base = {k: v for k, v in base.items() if v is not None}
    return json.dumps({"values": {"queue": "q-local", "limit": 10}, "aws": base}, indent=2) + "\n"


class DeployProject:
    def __init__(self, root: Path, moto_url: str, sfnc) -> None:
        self.root = root
        self.moto_url = moto_url
        self.sfnc = sfnc

    def write(self, rel: str, content: Any) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2) + "\n", encoding="utf-8")
        return path

    def env(self, name: str = "local", **aws: Any) -> None:
        self.write(f"envs/{name}.yaml", env_yaml(self.moto_url, **aws))

    def set_value(self, key: str, value: Any, env: str = "local") -> None:
        path = self.root / f"envs/{env}.yaml"
        data = json.loads(path.read_text())
        data["values"][key] = value
        path.write_text(json.dumps(data, indent=2) + "\n")

    def render(self, env: str = "local") -> None:
        res = self.sfnc("render", "--env", env, cwd=self.root)
        assert res.exit_code == 0, res

    def run(self, *args: str, input: str | None = None):
        return self.sfnc(*args, cwd=self.root, input=input)

    def git_commit(self) -> str:
        def git(*a: str) -> str:
            return subprocess.run(["git", *a], cwd=self.root, check=True, capture_output=True, text=True).stdout

        if not (self.root / ".git").exists():
            git("init", "-q")
        git("add", "-A")
        git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "deploy test", "--allow-empty")
        return git("rev-parse", "--short=12", "HEAD").strip()


@pytest.fixture
def deploy_project(tmp_path, moto, sfnc) -> DeployProject:
    """templates/{orders,billing}.json, envs/local.yaml on the moto server, definitions rendered."""
    p = DeployProject(tmp_path, moto, sfnc)
    p.write("sfnc.toml", "")
    p.write("templates/orders.json", ORDERS)
    p.write("templates/billing.json", BILLING)
    p.env()
    p.render()
    return p
