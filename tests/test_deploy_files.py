"""docker-compose.yml and the Dockerfile: the production shape the README promises.

`docker compose config` (or the classic `docker-compose config`) validates the file when one
of them is installed; the structure is checked with PyYAML either way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


DEMO_ONLY = frozenset({"demo"})  # packages the production image leaves out
REQUIRED_SECRETS = ("WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN", "SILVIA_API_KEY")


def _compose_config(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    compose = _compose_command()
    if compose is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    base = {k: v for k, v in os.environ.items() if k not in REQUIRED_SECRETS}
    return subprocess.run(
        [*compose, "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        cwd=cwd,  # an empty folder: no developer's .env is read
        env=base | env,
        check=False,
    )


def test_compose_config_validates(tmp_path: Path) -> None:
    result = _compose_config({name: "set" for name in REQUIRED_SECRETS}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_compose_refuses_a_deployment_without_its_secrets(tmp_path: Path) -> None:
    result = _compose_config({}, tmp_path)
    assert result.returncode != 0 and any(name in result.stderr for name in REQUIRED_SECRETS)


def test_compose_runs_the_app_on_redis_with_aof_and_postgres_16() -> None:
    services = _compose()["services"]
    assert {"app", "redis", "postgres", "migrate"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:16")
    redis_cmd = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis_cmd
    for name in ("app", "redis", "postgres"):
        assert services[name]["healthcheck"]["test"], name
    assert services["migrate"]["command"] == ["silvia", "db", "upgrade"]
    assert services["migrate"].get("restart") == "no"  # one-shot
    app = services["app"]
    assert app["command"][:2] == ["silvia", "serve"]
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert app["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert app["environment"]["REDIS_URL"].startswith("redis://redis:")


def test_dockerfile_installs_the_package_and_serves() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11" in text and "pip install ." in text
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    for module in setuptools["py-modules"]:
        assert f"{module}.py" in text, f"the image misses {module}.py"
    for package in setuptools["packages"]["find"]["include"]:
        name = package.rstrip("*")
        if name in DEMO_ONLY:
            # Production never imports it (lint-imports); its commands need the demo extra.
            assert f"COPY {name} " not in text, f"the image ships the {name} package"
            continue
        assert f"COPY {name} ./{name}" in text, f"the image misses the {name} package"
    assert '"silvia", "serve"' in text
