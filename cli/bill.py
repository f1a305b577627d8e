"""`silvia bill FILE... [--explain]`: read one bill (one or more pages/photos) and print JSON.

Every field comes with its confidence and source (pdf_text, ocr, vision). `--explain` adds the text
that was read and the lines each value was found on. CPFs/CNPJs are masked everywhere, including
in the explained text.
"""

from __future__ import annotations

import json
import mimetypes
import re
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.policy.economics import format_brl
from agent.ports import BillFile, BillReading
from bills.patterns import CNPJ_RE, CPF_RE, fold, mask_document
from settings import get_settings

FIELD_ORDER = (
    "distributor", "customer_name", "document_masked", "installation_number", "city", "state",
    "consumer_class", "consumption_kwh", "average_kwh", "history", "total_amount", "due_date",
    "reference_month",
)  # fmt: skip


def bill_command(
    files: Annotated[list[Path], typer.Argument(help="The bill's pages: PDF, JPEG, PNG, WebP or HEIC")],
    explain: Annotated[bool, typer.Option("--explain", help="Show the text and where fields are")] = False,
    vision: Annotated[bool, typer.Option(help="Use the configured vision model when OCR is unsure")] = True,
) -> None:
    """Read an electricity bill and print its fields as JSON (exit code 1 when it is not usable)."""
    from bills.reader import BillReader
    from bills.vision import VisionClient

    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise typer.BadParameter(f"no such file: {', '.join(missing)}")
    settings = get_settings()
    reader = BillReader(
        max_bytes=settings.max_bill_bytes, vision=VisionClient.from_settings(settings) if vision else None
    )
    started = time.perf_counter()
    reading = reader.read_many([_bill_file(f) for f in files])
    report = reading_report(reading, explain)
    report["seconds"] = round(time.perf_counter() - started, 2)
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    if not reading.ok:
        raise typer.Exit(1)


def _bill_file(path: Path) -> BillFile:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return BillFile(data=path.read_bytes(), mime_type=mime, filename=path.name)


def reading_report(reading: BillReading, explain: bool = False) -> dict[str, Any]:
    """The JSON `silvia bill` prints."""
    values = reading.fields.model_dump(mode="json")
    read = {name for name in FIELD_ORDER if values[name] not in (None, [])}
    fields = {
        name: {
            "value": values[name],
            "confidence": reading.confidence.get(name, 0.0) if name in read else 0.0,
            "source": reading.field_sources.get(name, reading.source) if name in read else None,
        }
        for name in FIELD_ORDER
    }
    report: dict[str, Any] = {
        "ok": reading.ok,
        "problem": reading.problem,
        "issues": reading.issues,
        "source": reading.source,
        "pages": reading.pages,
        "fields": fields,
    }
    if explain:
        text = mask_documents(reading.text)
        report["text"] = text
        for name, entry in fields.items():
            entry["found_on_lines"] = evidence(name, entry["value"], text)
    return report


def mask_documents(text: str) -> str:
    """Every CPF/CNPJ-shaped number in `text`, masked."""
    text = CNPJ_RE.sub(lambda m: mask_document(m.group(0)) or "**", text)
    return CPF_RE.sub(lambda m: mask_document(m.group(0)) or "***", text)


def evidence(name: str, value: Any, text: str, limit: int = 3) -> list[dict[str, Any]]:
    """The (1-based) lines of `text` on which the value is printed."""
    needles = _printed_forms(name, value)
    if not needles:
        return []
    hits = []
    for number, line in enumerate(text.splitlines(), start=1):
        folded = fold(line)
        if any(re.search(rf"(?<![\d,.]){re.escape(n)}(?![\d])", folded) for n in needles):
            hits.append({"line": number, "text": line.strip()})
            if len(hits) == limit:
                break
    return hits


def _printed_forms(name: str, value: Any) -> list[str]:
    if value in (None, []) or name in ("history", "document_masked"):
        return []
    if name == "total_amount":
        return [format_brl(float(value)), f"{float(value):.2f}"]
    if name in ("consumption_kwh", "average_kwh"):
        number = float(value)
        return [str(int(number)) if number.is_integer() else format_brl(number)]
    if name == "due_date":
        y, m, d = str(value).split("-")
        return [f"{d}/{m}/{y}", f"{d}/{m}/{y[2:]}"]
    if name == "distributor":
        return [fold(str(value)), fold(str(value)).split()[-1]]
    return [fold(str(value))]
