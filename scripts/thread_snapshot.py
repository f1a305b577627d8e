"""Picture of a lead's thread on a running LangGraph server (for docs/debugging.md).

    langgraph dev --port 2024 --no-browser &
    .venv/bin/python scripts/thread_snapshot.py http://127.0.0.1:2024 docs/img/langgraph-thread.png

Sends a short conversation through the LangGraph API (`langgraph-sdk`), reads the thread's
history back, renders it as an HTML page and has headless Chromium screenshot it.
"""

from __future__ import annotations

import asyncio
import html
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from langgraph_sdk import get_client

PHONE = "+5581999990001"
MESSAGES = [("oi", "Maria Oliveira"), ("Recife, 380", None), ("sim", None)]


async def conversation(url: str) -> list[dict[str, Any]]:
    client = get_client(url=url)
    thread = await client.threads.create()
    for text, name in MESSAGES:
        inbound = {"phone": PHONE, "text": text, **({"name": name} if name else {})}
        await client.runs.wait(thread["thread_id"], "silvia", input={"inbound": inbound})
    return list(reversed(await client.threads.get_history(thread["thread_id"], limit=200)))


def row(snapshot: dict[str, Any]) -> str:
    values = snapshot["values"]
    step = snapshot["metadata"].get("step")
    nxt = ", ".join(snapshot["next"]) or "— (turn done)"
    lead = (values.get("inbound") or {}).get("text", "")
    replies = " ¶ ".join(r["text"] for r in values.get("replies") or []) if not snapshot["next"] else ""
    cells = [str(step), snapshot["checkpoint_id"][-8:], nxt, values.get("stage", ""), lead, replies[:220]]
    cls = ' class="end"' if not snapshot["next"] else ""
    return f"<tr{cls}>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"


def page(url: str, history: list[dict[str, Any]]) -> str:
    rows = "".join(row(s) for s in history if s["metadata"].get("step", -1) >= 0)
    return f"""<!doctype html><meta charset="utf-8"><style>
body{{font:13px system-ui,sans-serif;margin:16px;color:#222}} table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}}
tr.end td{{background:#eef7ee;font-weight:600}} th{{background:#f4f4f4}}</style>
<h3>Thread of lead {PHONE} on {html.escape(url)} · assistant "silvia" · {len(history)} checkpoints</h3>
<table><tr><th>step</th><th>checkpoint</th><th>next node</th><th>stage</th><th>lead said</th>
<th>Sílvia replied (at the end of the turn)</th></tr>{rows}</table>"""


def main(url: str, png: Path) -> None:
    history = asyncio.run(conversation(url))
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "thread.html"
        page_file.write_text(page(url, history), encoding="utf-8")
        png.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--window-size=1400,1100", f"--screenshot={png.resolve()}", page_file.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    print(f"{len(history)} checkpoints → {png}")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
