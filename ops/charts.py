"""Small inline SVG charts (no CDN, no JavaScript): the report and the dashboard embed them."""

from __future__ import annotations

from html import escape
from itertools import pairwise

PALETTE = ("#0b6e4f", "#08a045", "#6bbf59", "#f2c14e", "#f78154", "#4d9078", "#5b8e7d", "#2e86ab", "#a23b72")


def _fmt(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".") if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(
    items: list[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    notes: list[str] | None = None,
    width: int = 560,
    css_class: str = "chart",
) -> str:
    """Horizontal bars, one row per (label, value); `notes` adds a text after each value."""
    row, label_w, top = 26, 170, 28
    height = top + row * max(len(items), 1) + 8
    peak = max((v for _, v in items), default=0) or 1
    bar_room = width - label_w - 90
    parts = [
        f'<svg class="{escape(css_class)}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    if not items:
        parts.append(f'<text x="0" y="{top + 16}" font-size="12" fill="#666">sem dados</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * row
        bar = max(2.0, bar_room * value / peak) if value else 0
        note = f" {notes[i]}" if notes and i < len(notes) and notes[i] else ""
        parts += [
            f'<g class="bar" data-label="{escape(label)}" data-value="{value}">',
            f'<text x="{label_w - 6}" y="{y + 16}" font-size="12" text-anchor="end">{escape(label)}</text>',
            f'<rect x="{label_w}" y="{y + 3}" width="{bar:.1f}" height="{row - 8}" rx="3" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/>',
            f'<text x="{label_w + bar + 6:.1f}" y="{y + 16}" font-size="12">'
            f"{escape(_fmt(value) + unit + note)}</text>",
            "</g>",
        ]
    parts.append("</svg>")
    return "".join(parts)


def funnel_chart(reached: dict[str, int], *, title: str = "Funil", width: int = 560) -> str:
    """The funnel as bars, each with its conversion from the previous step."""
    steps = list(reached.items())
    notes = [""]
    for (_, before), (_, after) in pairwise(steps):
        notes.append(f"({after / before:.0%})" if before else "")
    return bar_chart(
        [(stage, float(n)) for stage, n in steps],
        title=title,
        notes=notes,
        width=width,
        css_class="chart funnel",
    )
