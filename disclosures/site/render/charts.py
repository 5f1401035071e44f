"""Inline SVG charts drawn at build time: no JavaScript, ~1 KB, readable by screen readers.

The geometry is computed here; the markup is templates/cm/line_chart.html and share_bar.html.
Colours come from CSS (currentColor and --cm-* variables) so dark mode works; each series
also has its own marker shape and a direct label, so colour is never the only cue.
"""
from __future__ import annotations

from markupsafe import Markup

from disclosures.site.render.templating import render

WIDTH, HEIGHT = 640, 300
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 110, 16, 36
MARKERS = ("circle", "square", "diamond", "triangle")


def _marker(shape: str, x: float, y: float) -> dict:
    d = {"diamond": f"M{x:.1f} {y - 5.5:.1f}l5.5 5.5-5.5 5.5-5.5-5.5z",
         "triangle": f"M{x:.1f} {y - 5.5:.1f}l5.5 9.5h-11z"}.get(shape, "")
    return {"shape": shape, "x": f"{x:.1f}", "y": f"{y:.1f}", "x0": f"{x - 4:.1f}", "y0": f"{y - 4:.1f}", "d": d}


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

    drawn = [(i, name, [(yr, s) for yr, s in pts if s is not None]) for i, (name, pts) in enumerate(series.items())]
    description = " ".join(f"{name}: " + ", ".join(f"{yr} {share * 100:.0f}%" for yr, share in known) + "."
                           for _, name, known in drawn)
    label_y = _spread({i: y(known[-1][1]) for i, _, known in drawn if known}, gap=14)
    lines = [{
        "index": index,
        "path": " ".join(f"{'M' if i == 0 else 'L'}{x(yr):.1f} {y(s):.1f}" for i, (yr, s) in enumerate(known)),
        "markers": [_marker(MARKERS[index % len(MARKERS)], x(yr), y(s)) for yr, s in known],
        "label_x": f"{x(known[-1][0]) + 10:.1f}", "label_y": f"{label_y[index] + 4:.1f}",
        "label": f"{name} {known[-1][1] * 100:.0f}%",
    } for index, name, known in drawn if known]
    chart = {
        "id": chart_id, "title": title, "description": description, "width": WIDTH, "height": HEIGHT,
        "left": PAD_LEFT, "right": PAD_LEFT + plot_w,
        "gridlines": [{"y": f"{y(t):.1f}", "label_y": f"{y(t) + 4:.1f}", "label": f"{int(t * 100)}%"}
                      for t in (0, 0.25, 0.5, 0.75, 1)],
        "axis": [{"x": f"{x(yr):.1f}", "label": yr} for yr in years],
        "series": lines,
    }
    return render("cm/line_chart.html", c=chart)


def share_bar(parts: list[tuple[str, str, int]], label: str) -> Markup:
    """One horizontal stacked bar (class key, label, count) with its numbers in the title."""
    total = sum(n for _, _, n in parts) or 1
    desc = ", ".join(f"{lbl} {n:,} ({n / total:.0%})" for _, lbl, n in parts)
    x, rects = 0.0, []
    for key, lbl, n in parts:
        w = n / total * 100
        rects.append({"key": key, "label": lbl, "count": n, "x": f"{x:.2f}", "width": f"{w:.2f}"})
        x += w
    return render("cm/share_bar.html", parts=rects, label=f"{label}: {desc}")


def dot_chart(title: str, series: dict[str, list[tuple[int, float | None]]], chart_id: str, track: bool = True,
              qualified: frozenset[int] = frozenset()) -> Markup:
    """A few filings' shares as a dot plot that is also the data table: one row per series, a
    column per year with the figure, and a 0-100% track with a dot per year joined by a bar.
    With two or three filings a line would imply a trend between them; this shows where each
    year stands. Plain HTML: the text stays at the page's size on a phone. Without `track`, the
    figures table under a line chart. A `qualified` year's share (its filing's legend gives the
    class another meaning) is marked *, drawn hollow and dashed, and not joined to the others."""
    years = sorted({year for points in series.values() for year, _ in points})
    rows = []
    for name, points in series.items():
        known = [(yr, s) for yr, s in points if s is not None]
        plain = [s for yr, s in known if yr not in qualified]
        shares = dict(points)
        low, high = (min(plain), max(plain)) if len(plain) > 1 else (0, 0)
        rows.append({
            "name": name,
            "cells": [("–" if shares.get(yr) is None else f"{shares[yr] * 100:.0f}%" + (" *" if yr in qualified else ""))
                      for yr in years],
            "dots": [{"year": yr, "order": years.index(yr), "left": f"{s * 100:.1f}", "qualified": yr in qualified}
                     for yr, s in known],
            "bar_left": f"{low * 100:.1f}", "bar_width": f"{(high - low) * 100:.1f}",
        })
    return render("cm/dot_chart.html", id=chart_id, title=title, years=years, rows=rows, track=track, qualified=qualified)
