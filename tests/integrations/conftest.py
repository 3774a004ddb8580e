"""The moto server fixture of the deploy tests (a real HTTP endpoint on 127.0.0.1), for `sfnc import` and
the AWS-backed env values."""

from deploy.conftest import moto, moto_url  # noqa: F401  (fixtures)
