"""compose.yaml: no Docker engine runs here, so the file is checked by reading it — by
docker-compose's own validator when it is installed, and always by the rules we rely on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ENV = {"POSTGRES_PASSWORD": "example", "IDEABOX_SECRET_KEY": "k" * 40}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_docker_compose_accepts_the_file():
    tool = shutil.which("docker-compose")
    if tool is None:
        pytest.skip("docker-compose is not installed (.ci/run installs it)")
    result = subprocess.run([tool, "-f", str(ROOT / "compose.yaml"), "config", "-q"],
                            env={**os.environ, **ENV}, capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_the_stack_has_its_parts(compose):
    services = compose["services"]
    assert {"postgres", "redis", "app", "proxy"} <= set(services)
    assert int(re.search(r"\d+", services["postgres"]["image"]).group()) >= 16
    assert int(re.search(r"\d+", services["redis"]["image"]).group()) >= 7
    assert services["app"]["deploy"]["replicas"] == 2
    for name in ("postgres", "redis", "app", "proxy"):
        assert "healthcheck" in services[name], f"{name} has no health check"


def test_volumes_are_named_and_declared(compose):
    declared = set(compose["volumes"])
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name} uses undeclared volume {source}"


def test_the_app_is_configured_from_the_environment(compose):
    env = compose["services"]["app"]["environment"]
    assert env["IDEABOX_DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:5432/" in env["IDEABOX_DATABASE_URL"]
    assert env["IDEABOX_REDIS_URL"].startswith("redis://redis:")
    assert "${IDEABOX_SECRET_KEY" in env["IDEABOX_SECRET_KEY"], "no secret in the file"


def test_start_order_waits_for_health(compose):
    services = compose["services"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["app"]["depends_on"]["migrate"]["condition"] == \
        "service_completed_successfully"
    assert services["proxy"]["depends_on"]["app"]["condition"] == "service_healthy"


def test_the_proxy_spreads_requests_over_every_replica():
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert re.search(r"dynamic a app 8000", caddyfile)
    assert "health_uri /readyz" in caddyfile


def test_the_image_installs_the_package_and_its_migrations():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY sql ./sql" in dockerfile
    assert re.search(r"^USER (?!root)", dockerfile, re.M), "the app must not run as root"
