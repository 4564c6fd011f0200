"""Small, accessible charts as inline SVG: no script, no external file, readable when printed.

Each chart has a ``<title>`` and ``<desc>`` (read by screen readers, and the report puts the
same numbers in a table beside it), colours from the Okabe–Ito palette, which stays
distinct for colour-blind readers, and a marker shape per series so colour is never the
only cue.
"""

from __future__ import annotations

import itertools
import math
from html import escape

PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
MARKERS = ["circle", "square", "diamond", "triangle"]
FONT = 'font-family="system-ui, sans-serif"'

_ids = itertools.count(1)


def _open(width: int, height: int, title: str, desc: str) -> tuple[list[str], str]:
    uid = f"chart{next(_ids)}"
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'style="max-width:{width}px" role="img" aria-labelledby="{uid}t {uid}d" {FONT} font-size="13">',
            f'<title id="{uid}t">{escape(title)}</title>', f'<desc id="{uid}d">{escape(desc)}</desc>',
            f'<rect width="{width}" height="{height}" fill="#fff"/>'], uid


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if abs(x) < 10 else f"{x:.0f}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = [round(start, 10)]
    while ticks[-1] < high - step * 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "diamond":
        return f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y:.1f}L{x:.1f} {y + 5:.1f}L{x - 5:.1f} {y:.1f}Z" fill="{colour}"/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y + 4:.1f}L{x - 5:.1f} {y + 4:.1f}Z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>'


def line_chart(title: str, desc: str, x_labels: list[str],
               series: list[tuple[str, list[tuple[float, float | None, float | None] | None]]],
               y_range: tuple[float, float], y_label: str = "") -> str:
    """Means (with interval bars) at each x position, one line per series; None points are gaps."""
    width = 640
    left, right, top = 60, 20, 20
    bottom = 50 + 20 * len(series)  # the legend sits under the plot, one full name a line
    height = 230 + bottom
    parts, _ = _open(width, height, title, desc)
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi = y_range
    values = [v for _, pts in series for p in pts if p for v in p if v is not None]
    if values:
        lo, hi = min(lo, min(values)), max(hi, max(values))
    ticks = nice_ticks(lo, hi)
    lo, hi = ticks[0], ticks[-1]

    def y(v: float) -> float:
        return top + plot_h - (v - lo) / (hi - lo) * plot_h

    def x(i: int) -> float:
        return left + (i + 0.5) * plot_w / max(len(x_labels), 1)

    for t in ticks:
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end" fill="#333">{_fmt(t)}</text>')
    for i, label in enumerate(x_labels):
        parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 20}" text-anchor="middle" fill="#333">{escape(label)}</text>')
    if y_label:
        parts.append(f'<text transform="translate(14 {top + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle" '
                     f'fill="#333">{escape(y_label)}</text>')
    parts.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#666"/>')
    for k, (name, points) in enumerate(series):
        colour, shape = PALETTE[k % len(PALETTE)], MARKERS[k % len(MARKERS)]
        offset = (k - (len(series) - 1) / 2) * 6  # keeps overlapping interval bars apart
        path, pen = [], "M"
        for i, p in enumerate(points):
            if p is None:
                pen = "M"
                continue
            path.append(f"{pen}{x(i) + offset:.1f} {y(p[0]):.1f}")
            pen = "L"
        if path:
            parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, p in enumerate(points):
            if p is None:
                continue
            cx = x(i) + offset
            if p[1] is not None and p[2] is not None:
                parts.append(f'<path d="M{cx:.1f} {y(p[1]):.1f}V{y(p[2]):.1f}M{cx - 4:.1f} {y(p[1]):.1f}h8'
                             f'M{cx - 4:.1f} {y(p[2]):.1f}h8" stroke="{colour}" stroke-width="1.5"/>')
            parts.append(_marker(shape, cx, y(p[0]), colour))
        ly = top + plot_h + 48 + k * 20
        parts.append(f'<line x1="{left}" x2="{left + 24}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" stroke-width="2"/>')
        parts.append(_marker(shape, left + 12, ly - 4, colour))
        parts.append(f'<text x="{left + 32}" y="{ly}" fill="#222">{escape(_short(name, 80))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def bar_chart(title: str, desc: str, bars: list[tuple[str, float | None, str]],
              references: list[tuple[float, str]] = (), x_range: tuple[float, float] | None = None) -> str:
    """Horizontal bars (label, value or None, text after the bar) with optional reference lines."""
    row_h = 44  # each bar's label sits on its own line above the bar, never cut short
    left, right, top, bottom = 20, 150, 28 if references else 10, 36
    width = 720
    height = top + bottom + row_h * max(len(bars), 1)
    parts, _ = _open(width, height, title, desc)
    plot_w = width - left - right
    values = [v for _, v, _ in bars if v is not None] + [r for r, _ in references]
    lo, hi = x_range or (min([0.0] + values), max([1.0] + values))
    lo, hi = min(lo, *values) if values else lo, max(hi, *values) if values else hi
    ticks = nice_ticks(lo, hi)
    lo, hi = ticks[0], ticks[-1]

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * plot_w

    plot_bottom = top + row_h * max(len(bars), 1)
    for t in ticks:
        parts.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top}" y2="{plot_bottom}" stroke="#eee"/>')
        parts.append(f'<text x="{x(t):.1f}" y="{plot_bottom + 16}" text-anchor="middle" fill="#333">{_fmt(t)}</text>')
    for value, label in references:
        parts.append(f'<line x1="{x(value):.1f}" x2="{x(value):.1f}" y1="{top - 4}" y2="{plot_bottom}" '
                     f'stroke="#555" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{x(value):.1f}" y="{top - 10}" text-anchor="middle" font-size="11" fill="#333">'
                     f'{escape(label)}</text>')
    zero = x(max(lo, 0.0))
    for i, (label, value, note) in enumerate(bars):
        y0 = top + i * row_h
        parts.append(f'<text x="{left}" y="{y0 + 14:.1f}" fill="#222" font-size="12" '
                     f'paint-order="stroke" stroke="#fff" stroke-width="4">{escape(_short(label, 100))}</text>')
        cy = y0 + 29
        if value is not None:
            x0, x1 = sorted((zero, x(value)))
            parts.append(f'<rect x="{x0:.1f}" y="{cy - 7:.1f}" width="{max(x1 - x0, 1):.1f}" height="14" '
                         f'fill="{PALETTE[0]}"/>')
        end = x(value) if value is not None and value > 0 else zero
        parts.append(f'<text x="{max(end, zero) + 6:.1f}" y="{cy + 4:.1f}" fill="#222" font-weight="600">{escape(note)}</text>')
    parts.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{top}" y2="{plot_bottom}" stroke="#666"/>')
    parts.append("</svg>")
    return "\n".join(parts)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
