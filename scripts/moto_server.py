#!/usr/bin/env python3
"""Helpers for scripts/demo.sh around a local moto server (loopback only).

    moto_server.py port [PREFERRED]      print PREFERRED if 127.0.0.1:PREFERRED is free, else a free port
    moto_server.py wait URL [SECONDS]    wait until the server at URL answers (exit 1 on timeout)
    moto_server.py list URL [REGION]     list the state machines there (name, ARN, versions, aliases)

`list` talks to the endpoint with boto3 and dummy credentials; it does not use sfnc.
"""

from __future__ import annotations

import socket
import sys
import time
import urllib.error
import urllib.request


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def port(preferred: str | None = None) -> int:
    if preferred and _free(int(preferred)):
        print(preferred)
        return 0
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
    return 0


def wait(url: str, seconds: str = "20") -> int:
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/moto-api/", timeout=1) as resp:
                if resp.status == 200:
                    return 0
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    print(f"no answer from {url} after {seconds} s", file=sys.stderr)
    return 1


def list_machines(url: str, region: str = "us-east-1") -> int:
    import boto3

    sfn = boto3.client("stepfunctions", endpoint_url=url, region_name=region,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    rows = []
    for page in sfn.get_paginator("list_state_machines").paginate():
        for m in page["stateMachines"]:
            aliases = []
            for a in sfn.list_state_machine_aliases(stateMachineArn=m["stateMachineArn"]).get("stateMachineAliases", []):
                d = sfn.describe_state_machine_alias(stateMachineAliasArn=a["stateMachineAliasArn"])
                routes = " / ".join(f"v{r['stateMachineVersionArn'].rsplit(':', 1)[1]} {r['weight']}%"
                                    for r in d["routingConfiguration"])
                aliases.append(f"{d['name']}: {routes}")
            rows.append((m["name"], m["type"], ", ".join(aliases) or "-", m["stateMachineArn"]))
    if not rows:
        print(f"no state machines at {url}")
        return 0
    header = ("NAME", "TYPE", "ALIASES", "ARN")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    for r in [header, *rows]:
        print("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip())
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("port", "wait", "list"):
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[0], argv[1:]
    return {"port": port, "wait": wait, "list": list_machines}[cmd](*args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
