"""Inline SVG charts drawn at build time: no JavaScript, ~1 KB, readable by screen readers.

Colours come from CSS (currentColor and --cm-* variables) so dark mode works; each series
also has its own marker shape and a direct label, so colour is never the only cue.
"""
from __future__ import annotations

from markupsafe import Markup

from .html import attr, text

WIDTH, HEIGHT = 640, 300
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 110, 16, 36
MARKERS = ("circle", "square", "diamond", "triangle")


def _marker(shape: str, x: float, y: float) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8"/>'
    if shape == "diamond":
        return f'<path d="M{x:.1f} {y - 5.5:.1f}l5.5 5.5-5.5 5.5-5.5-5.5z"/>'
    return f'<path d="M{x:.1f} {y - 5.5:.1f}l5.5 9.5h-11z"/>'


def _spread(positions: dict, gap: float) -> dict:
    """Move end labels apart vertically so none overlap, keeping their order."""
    placed, last = {}, None
    for key, pos in sorted(positions.items(), key=lambda kv: kv[1]):
        pos = pos if last is None else max(pos, last + gap)
        placed[key] = last = pos
    return placed


def line_chart(title: str, series: dict[str, list[tuple[int, float | None]]], chart_id: str) -> Markup:
    """Shares (0..1) per year for each named series; None where a series has no rows that year."""
    years = sorted({year for points in series.values() for year, _ in points})
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    span = (years[-1] - years[0]) or 1

    def x(year):
        return PAD_LEFT + (plot_w / 2 if len(years) == 1 else (year - years[0]) / span * plot_w)

    def y(share):
        return PAD_TOP + (1 - share) * plot_h

    grid = "".join(
        f'<line x1="{PAD_LEFT}" x2="{PAD_LEFT + plot_w}" y1="{y(t):.1f}" y2="{y(t):.1f}" class="cm-grid"/>'
        f'<text x="{PAD_LEFT - 8}" y="{y(t) + 4:.1f}" text-anchor="end">{int(t * 100)}%</text>'
        for t in (0, 0.25, 0.5, 0.75, 1)
    )
    axis = "".join(f'<text x="{x(yr):.1f}" y="{HEIGHT - 12}" text-anchor="middle">{yr}</text>' for yr in years)
    lines, description = [], []
    drawn = [(i, name, [(yr, s) for yr, s in pts if s is not None]) for i, (name, pts) in enumerate(series.items())]
    for _, name, known in drawn:
        description.append(f"{name}: " + ", ".join(f"{yr} {share * 100:.0f}%" for yr, share in known) + ".")
    label_y = _spread({i: y(known[-1][1]) for i, _, known in drawn if known}, gap=14)
    for index, name, known in drawn:
        if not known:
            continue
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(yr):.1f} {y(s):.1f}" for i, (yr, s) in enumerate(known))
        marks = "".join(_marker(MARKERS[index % len(MARKERS)], x(yr), y(s)) for yr, s in known)
        last_year, last = known[-1]
        label = f'<text x="{x(last_year) + 10:.1f}" y="{label_y[index] + 4:.1f}">{text(name)} {last * 100:.0f}%</text>'
        lines.append(f'<g class="cm-series cm-series--{index}"><path d="{path}" fill="none"/>{marks}{label}</g>')
    desc = " ".join(description)
    return Markup(
        f'<figure class="cm-chart"><svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{text(title)}</title><desc id="{chart_id}-desc">{text(desc)}</desc>'
        f'<g class="cm-axis">{grid}{axis}</g>{"".join(lines)}</svg>'
        f'<figcaption>{text(title)}. {text(desc)}</figcaption></figure>\n'
    )


def share_bar(parts: list[tuple[str, str, int]], label: str) -> Markup:
    """One horizontal stacked bar (class key, label, count) with its numbers in the title."""
    total = sum(n for _, _, n in parts) or 1
    desc = ", ".join(f"{lbl} {n:,} ({n / total:.0%})" for _, lbl, n in parts)
    x, rects = 0.0, []
    for key, lbl, n in parts:
        w = n / total * 100
        rects.append(f'<rect class="cm-fill--{key}" x="{x:.2f}" y="0" width="{w:.2f}" height="10"><title>{text(lbl)}: {n:,}</title></rect>')
        x += w
    return Markup(
        f'<svg class="cm-bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="{attr(label + ": " + desc)}">'
        + "".join(rects) + "</svg>"
    )
