"""notebooks/debug_graph.ipynb runs top to bottom, and langgraph.json points at the real graph."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def test_debug_notebook_runs_top_to_bottom() -> None:
    nb = nbformat.read(ROOT / "notebooks" / "debug_graph.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
    ).execute()
    text = "\n".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )  # fmt: skip
    assert "graph TD" in text or "graph LR" in text  # mermaid drawing
    assert "reception      stage='greeted'" in text  # a node's update, streamed
    assert "[L3 · v2.0_casual]" in text  # layer and prompt version of a reply
    assert "checkpoints" in text and "forking from" in text  # history and time travel
    assert "problems:" in text  # an eval conversation replayed against its expectations


def test_langgraph_json_points_at_the_factory_and_the_app_that_opens_its_dependencies() -> None:
    """The running server is tested in test_langgraph_server.py; here, the wiring of the file."""
    config = json.loads((ROOT / "langgraph.json").read_text(encoding="utf-8"))
    module, _, name = config["graphs"]["silvia"].partition(":")
    factory = getattr(importlib.import_module(module), name)
    assert config["http"]["app"] == f"{module}:app"
    with pytest.raises(RuntimeError, match=r"api\.studio:app"):  # without the app's lifespan: a clear error
        factory()
    assert "reception" in importlib.import_module("graph").graph.get_graph().nodes
