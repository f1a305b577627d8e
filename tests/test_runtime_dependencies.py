"""Production needs only the runtime dependencies: evaluation-only (deepeval) and demo-only (fpdf2)
libraries live in the `evals` and `demo` extras, so the runtime rooms must import without them."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXTRA_ONLY = {"deepeval": "evals", "fpdf": "demo"}  # import name -> extra that installs it
RUNTIME = ["agent.nodes", "api.app", "api.studio", "bills.reader", "cli.main", "graph", "ops.routes"]
RUNTIME += ["storage.repositories", "tools.client", "wiring"]


def _without_extras(code: str, missing: tuple[str, ...] = tuple(EXTRA_ONLY)) -> subprocess.CompletedProcess:
    blocked = "".join(f"sys.modules[{name!r}] = None\n" for name in missing)
    return subprocess.run(
        [sys.executable, "-c", f"import sys\n{blocked}{code}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_runtime_dependencies_leave_the_extras_out() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = " ".join(project["dependencies"])
    assert "deepeval" not in runtime and "fpdf2" not in runtime
    extras = project["optional-dependencies"]
    assert any("deepeval" in d for d in extras["evals"]) and any("fpdf2" in d for d in extras["demo"])
    assert any(d.startswith("silvia[") and "evals" in d and "demo" in d for d in extras["dev"])


def test_every_runtime_room_and_the_cli_import_without_the_extras() -> None:
    done = _without_extras("".join(f"import {module}\n" for module in RUNTIME))
    assert done.returncode == 0, done.stderr


def test_the_image_without_demo_still_starts_and_says_what_is_missing() -> None:
    """The Dockerfile leaves `demo/` out: the runtime rooms and the CLI must not need it."""
    code = "".join(f"import {module}\n" for module in RUNTIME) + "from cli.main import app\napp(['demo'])"
    done = _without_extras(code, missing=(*EXTRA_ONLY, "demo"))
    assert done.returncode == 2, done.stderr
    assert 'pip install -e ".[demo]"' in done.stderr
    assert "COPY demo" not in (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_demo_without_its_extra_says_how_to_install_it() -> None:
    done = _without_extras("from cli.main import app\napp(['demo'])")
    assert done.returncode == 2, done.stderr
    assert 'pip install -e ".[demo]"' in done.stderr


def test_judged_evals_without_deepeval_say_how_to_install_it() -> None:
    code = (
        "import asyncio\n"
        "from evals.judge import JudgeConfig, JudgeUnavailableError, judge_conversations\n"
        "try:\n"
        "    asyncio.run(judge_conversations([], JudgeConfig('http://127.0.0.1:9/v1', 'm')))\n"
        "except JudgeUnavailableError as exc:\n"
        "    print(exc)\n"
    )
    done = _without_extras(code, missing=("deepeval",))  # the evals extra includes the demo one
    assert done.returncode == 0, done.stderr
    assert '".[evals]"' in done.stdout
