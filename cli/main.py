"""The `silvia` command (typer): every sub-command, each defined in its own `cli/<topic>.py`.

Sub-commands import the heavy rooms (`wiring`, the graph, OCR, the model client) inside the
command function, so `silvia --help` and the light commands start without loading them.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.bill import bill_command
from cli.db import db_app
from cli.evals import eval_app
from cli.followups import followups_app, followups_report
from cli.handoffs import handoffs_app
from cli.inbox import inbox_app
from cli.kpis import lead_outcome, report_kpis
from cli.lead import lead_app
from cli.llm import classify_many, costs_report, doctor, prompts_app
from cli.mcp import mcp_app
from cli.media import media_app
from cli.ops import ops_app, pause_lead, report_app, resume_lead
from cli.serve import serve_app
from settings import get_settings

app = typer.Typer(
    help="Sílvia, Serena Energia's WhatsApp pre-sales agent.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
# Each cli/<topic>.py owns its commands; this file only mounts them.
app.add_typer(mcp_app, name="mcp")
app.add_typer(db_app, name="db")
app.add_typer(handoffs_app, name="handoffs")
app.add_typer(media_app, name="media")
app.add_typer(lead_app, name="lead")
app.add_typer(serve_app)  # `silvia serve` and `silvia worker`, top level
app.add_typer(eval_app, name="eval")
app.add_typer(followups_app, name="followups")  # `silvia followups run|list`
app.add_typer(inbox_app, name="inbox")  # `silvia inbox list|retry|drop` (parked messages)
app.add_typer(ops_app)  # `silvia health`, `silvia alerts test`, `silvia report daily`, top level
report_app.command("followups")(followups_report)  # `silvia report followups` (cli/followups.py)
lead_app.command("pause")(pause_lead)  # human takeover (cli/ops.py)
lead_app.command("resume")(resume_lead)
lead_app.command("outcome")(lead_outcome)  # what the sales team achieved (cli/kpis.py)
report_app.command("kpis")(report_kpis)  # the seed's business KPIs (cli/kpis.py)
app.add_typer(prompts_app, name="prompts")  # `silvia prompts list|show|diff|metrics`
report_app.command("costs")(costs_report)  # `silvia report costs` (cli/llm.py)
app.command("doctor")(doctor)  # model, base URL and one test call
app.command("bill")(bill_command)  # `silvia bill FILE... [--explain]`


def _require_demo_extra() -> None:
    """The demo's synthetic bills need fpdf2, which production images leave out (`demo` extra)."""
    if importlib.util.find_spec("fpdf") is None:
        typer.echo('error: this command needs the demo extra: pip install -e ".[demo]"', err=True)
        raise typer.Exit(2)


def _quiet_logs() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def demo(
    data_dir: Annotated[Path | None, typer.Option(help="Where the demo keeps its data")] = None,
) -> None:
    """Two scripted leads through the whole funnel, printed as a chat."""
    _require_demo_extra()
    from cli.demo import run_demo
    from wiring import open_silvia

    _quiet_logs()
    settings = get_settings().model_copy(update={"data_dir": data_dir or get_settings().data_dir / "demo"})

    async def main() -> None:
        async with open_silvia(settings) as silvia:
            await run_demo(silvia, typer.echo)

    asyncio.run(main())


@app.command()
def chat(
    phone: Annotated[str, typer.Option(help="The lead's phone, E.164")] = "+5581999990001",
    name: Annotated[str | None, typer.Option(help="The lead's name")] = None,
    city: Annotated[str | None, typer.Option(help="The lead's city")] = None,
    state: Annotated[str | None, typer.Option(help="The lead's state (UF)")] = None,
    bill: Annotated[float | None, typer.Option(help="Monthly bill in R$")] = None,
) -> None:
    """Talk to Sílvia as a lead. Piped input runs as a script (one message per line)."""
    _require_demo_extra()
    from cli.chat import run_chat, seed_lead
    from wiring import open_silvia

    _quiet_logs()
    lines = None if sys.stdin.isatty() else sys.stdin.read().splitlines()

    async def main() -> None:
        async with open_silvia(get_settings()) as silvia:
            await seed_lead(silvia, phone, name, city, state.upper() if state else None, bill)
            await run_chat(silvia, phone, name, lines, typer.echo)

    asyncio.run(main())


@app.command()
def intent(
    text: Annotated[str | None, typer.Argument(help="A message to classify")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Classify one utterance per line")] = None,
    llm: Annotated[bool, typer.Option("--llm", help="Ask the model when the rules are unsure")] = False,
) -> None:
    """Print the reading as JSON (JSON lines with --file): {intent, confidence, entities, layer,
    topic, acts}; each act has its kind, topic, confidence, words and the layer that decided it."""
    from agent.understanding.reading import read_message
    from wiring import topic_matcher

    matcher = topic_matcher(get_settings())

    def classify(line: str) -> Any:
        return _Shown(read_message(line, matcher))

    if file is None and text is None:
        raise typer.BadParameter("give a TEXT or --file")
    if llm:  # cli/llm.py: rules first, the model (OPENAI_*) for low confidence
        lines = [t for t in file.read_text(encoding="utf-8").splitlines() if t.strip()] if file else [text]
        for line, row in zip(lines, asyncio.run(classify_many(lines, get_settings())), strict=True):
            typer.echo(json.dumps({"text": line, **row} if file else row, ensure_ascii=False))
        return
    if file is not None:
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                typer.echo(json.dumps({"text": line, **classify(line).to_dict()}, ensure_ascii=False))
        return
    typer.echo(json.dumps(classify(text or "").to_dict(), ensure_ascii=False))


class _Shown:
    """A reading as `silvia intent` prints it (the intent fields first, as before the reading)."""

    def __init__(self, reading: Any) -> None:
        self.reading = reading

    def to_dict(self) -> dict[str, Any]:
        data = self.reading.to_dict()
        acts = [{k: v for k, v in act.items() if v not in ("", (), [], {}, 0.0)} for act in data["acts"]]
        return {
            "intent": data["intent"],
            "confidence": data["confidence"],
            "entities": data["entities"],
            "layer": data["layer"],
            "topic": data["topic"],
            "acts": acts,
        }


if __name__ == "__main__":
    app()
