"""Small, accessible, server-rendered SVG charts for the coverage dashboards.

Three charts, each returned as one ``<svg>`` element in a :class:`markupsafe.Markup`, ready to drop into a
template next to the data table it illustrates (the table is the primary, complete presentation; the chart is a
picture of it):

* :func:`bar_chart`: horizontal bars, one row each, label on the left and the value text at the bar's end;
* :func:`line_chart`: a monthly trend, with gaps where a month is suppressed;
* :func:`tile_map`: one square per EU or CELAC state on a fixed grid, coloured in five bins.

What every chart guarantees
---------------------------
* Accessible: ``role="img"`` and ``aria-labelledby`` naming its ``<title>`` and ``<desc>``; text is at least
  12 units; bars, lines and tile outlines have a contrast of at least 3:1 against white (WCAG 1.4.11) and text
  at least 4.5:1 against whatever it sits on; the five map bins are a single-hue sequential palette whose
  neighbours differ in lightness (readable in grayscale), "no data" is a hatch pattern; values are never in
  colour alone: they are written as text (bars, line) or in each tile's ``<title>`` (map).
* Safe under the site's CSP (``default-src 'self'``): every caller-supplied string is escaped; there is no
  ``<script>``, no event attribute, no ``style`` attribute or element (presentation attributes only), no
  ``<foreignObject>``, no ``href`` at all. Characters XML cannot carry (control characters, lone surrogates)
  are dropped, so the output always parses as XML.
* Responsive and phone first: a ``viewBox`` with ``width="100%"`` and ``preserveAspectRatio="xMinYMin meet"``, no
  pixel size, 360 to 410 units wide, so on a 390 px phone text is drawn about 1:1 (12 px or more; decision 0048).
* Small and deterministic: coordinates are rounded to one decimal, shared attributes sit on groups, the same
  input always gives the same bytes (a 20-bar chart is 3 to 6 KB, the 60-tile map 11 to 14 KB).
* Robust: empty input draws an empty frame showing the description; ``None`` and NaN are "suppressed / no
  data"; negative values are drawn as 0; infinite or huge values are clamped to the scale.

``chart_id`` prefixes every ``id`` inside the SVG (title, desc, hatch pattern), so several charts can share a
page; it must be a plain identifier (a letter, then letters, digits, ``-`` or ``_``), else ``ValueError``.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["BIN_COLOURS", "BIN_TEXT_COLOURS", "DEFAULT_LEGEND", "LEGEND_KEYS", "TILE_GRID", "Bar", "Point", "Tile",
           "bar_chart", "line_chart", "map_grid", "tile_bin", "tile_map"]

# --- palette (contrast ratios against white in comments) -------------------------------------------------------

INK = "#1b1f24"  # text, 16.6:1
MUTED = "#4a5360"  # outlines of tiles and suppressed bars, 7.8:1
AXIS = "#6b7685"  # axis lines, 4.6:1
GRID = "#c9d0da"  # gridlines and empty frame: decoration only, every value is also written as text
DATA = "#0b5cad"  # bars, the line and its dots, 6.7:1
HATCH = "#9aa3ad"  # hatch lines on white; INK text over it keeps 6.5:1 against the lines and 16.6:1 on white
WHITE = "#fff"

# Five bins, light to dark, one hue. Neighbours differ by at least 1.5:1 in luminance, so they stay apart in
# grayscale; each bin's code text is INK on the three light bins and white on the two dark ones (>= 5.3:1).
BIN_COLOURS = ("#e8f1fa", "#a6c8ea", "#5d9ad6", "#2a6db5", "#0d3b6e")
BIN_TEXT_COLOURS = (INK, INK, INK, WHITE, WHITE)

FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"

# --- data ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None = suppressed (drawn as an empty bar with a hatch pattern and the text "suppressed")
    display: str  # the value as text, already formatted by the caller (e.g. "1 234", "45 %", "<10")


@dataclass(frozen=True)
class Point:
    label: str  # e.g. "2026-03" or "Mar 2026"
    value: float | None  # None = suppressed: a gap in the line
    display: str


@dataclass(frozen=True)
class Tile:
    code: str  # ISO alpha-2 of an EU or CELAC state
    name: str  # country name in the reader's language (the caller translates)
    value: float | None  # 0..1 coverage, or None for no data / suppressed
    display: str


# --- the map grid ----------------------------------------------------------------------------------------------

# (column, row) inside each group. Rows run north to south; columns west to east, roughly.
CELAC_GRID: dict[str, tuple[int, int]] = {
    "MX": (0, 0), "CU": (3, 0), "BS": (4, 0),
    "BZ": (1, 1), "JM": (3, 1), "HT": (4, 1), "DO": (5, 1), "KN": (6, 1), "AG": (7, 1),
    "GT": (0, 2), "HN": (1, 2), "DM": (7, 2),
    "SV": (0, 3), "NI": (1, 3), "LC": (7, 3), "BB": (8, 3),
    "CR": (1, 4), "PA": (2, 4), "GD": (6, 4), "VC": (7, 4),
    "CO": (3, 5), "VE": (4, 5), "TT": (5, 5),
    "EC": (2, 6), "PE": (3, 6), "BR": (4, 6), "GY": (5, 6), "SR": (6, 6),
    "BO": (3, 7), "PY": (4, 7),
    "CL": (2, 8), "AR": (3, 8), "UY": (4, 8),
}  # fmt: skip
EU_GRID: dict[str, tuple[int, int]] = {
    "SE": (4, 0), "FI": (5, 0),
    "IE": (0, 1), "DK": (3, 1), "EE": (5, 1),
    "NL": (2, 2), "DE": (3, 2), "PL": (4, 2), "LV": (5, 2),
    "BE": (2, 3), "CZ": (3, 3), "SK": (4, 3), "LT": (5, 3),
    "FR": (1, 4), "LU": (2, 4), "AT": (3, 4), "HU": (4, 4), "RO": (5, 4),
    "PT": (0, 5), "ES": (1, 5), "IT": (2, 5), "SI": (3, 5), "HR": (4, 5), "BG": (5, 5),
    "MT": (2, 6), "GR": (5, 6), "CY": (6, 6),
}  # fmt: skip
_CELAC_COLUMNS = 1 + max(c for c, _ in CELAC_GRID.values())
_GROUP_GAP = 1  # empty columns between the two groups
_EU_OFFSET = _CELAC_COLUMNS + _GROUP_GAP

# Both groups on one grid: Latin America & the Caribbean on the left, the EU to its right.
TILE_GRID: dict[str, tuple[int, int]] = {
    **CELAC_GRID,
    **{code: (c + _EU_OFFSET, r) for code, (c, r) in EU_GRID.items()},
}

LEGEND_KEYS = ("0", "1", "2", "3", "4", "none")
DEFAULT_LEGEND: dict[str, str] = {
    "0": "< 20 %", "1": "20–40 %", "2": "40–60 %", "3": "60–80 %", "4": "≥ 80 %", "none": "no data",
}  # fmt: skip

# --- helpers ---------------------------------------------------------------------------------------------------

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
# Characters XML 1.0 cannot carry: C0 controls but tab/LF/CR, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CHAR_WIDTH = 0.6  # average advance of a sans-serif character, in ems (a layout estimate, not a measurement)


def _check_id(chart_id: str) -> str:
    if not isinstance(chart_id, str) or not _ID.match(chart_id):
        raise ValueError(f"chart_id must be a letter then letters, digits, '-' or '_': {chart_id!r}")
    return chart_id


def _clean(text: object) -> str:
    """Caller text as XML can carry it: invalid characters dropped, line ends as a parser would read them."""
    return _NOT_XML.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")


def _t(text: object) -> str:
    """Escaped text for element content or a quoted attribute value."""
    return str(escape(_clean(text)))


def _n(x: float) -> str:
    """A coordinate rounded to one decimal, without a trailing '.0' and never '-0'."""
    r = round(x, 1)
    if r == 0:
        return "0"
    return str(int(r)) if r == int(r) else f"{r:.1f}"


def _finite(value: float | None) -> float | None:
    """None for missing/NaN, the value clamped to >= 0 otherwise (infinity stays, for the caller to clamp)."""
    if value is None:
        return None
    v = float(value)
    if math.isnan(v):
        return None
    return max(v, 0.0)


def _text_width(text: str, font_size: float) -> float:
    return len(text) * _CHAR_WIDTH * font_size


def _shorten(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[: max(max_chars - 1, 1)].rstrip() + "…"


def _open(chart_id: str, kind: str, width: float, height: float, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lh-chart lh-chart-{kind}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-family="{FONT_FAMILY}" fill="{INK}">',
        f'<title id="{chart_id}-title">{_t(title)}</title>',
        f'<desc id="{chart_id}-desc">{_t(description)}</desc>',
    ]


def _hatch(chart_id: str) -> str:
    return (
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{WHITE}"/>'
        f'<path d="M1 0V6" stroke="{HATCH}" stroke-width="2"/></pattern></defs>'
    )


def _close(parts: Iterable[str]) -> Markup:
    # Every caller-supplied string in parts went through _t() (escaped) before it got here.
    return Markup("".join(parts) + "</svg>")  # noqa: S704  # nosec B704


def _empty(chart_id: str, kind: str, title: str, description: str, width: float = 640) -> Markup:
    """A frame with the description written inside, for a chart with nothing to draw."""
    font = 14
    lines = textwrap.wrap(_clean(description), width=max(int((width - 32) / (_CHAR_WIDTH * font)), 1)) or [""]
    height = 32 + len(lines) * font * 1.4
    parts = _open(chart_id, kind, width, height, title, description)
    parts.append(f'<rect x="0.5" y="0.5" width="{_n(width - 1)}" height="{_n(height - 1)}" fill="none" '
                 f'stroke="{GRID}"/>')
    parts.append(f'<g font-size="{font}" text-anchor="middle">')
    for i, line in enumerate(lines):
        parts.append(f'<text x="{_n(width / 2)}" y="{_n(16 + font + i * font * 1.4)}">{_t(line)}</text>')
    parts.append("</g>")
    return _close(parts)


# --- bar chart -------------------------------------------------------------------------------------------------

_BAR_WIDTH = 360  # phone first: at 390 px the chart is drawn about 1:1, so its 14-unit text reads as 14 px
_BAR_FONT = 14
_BAR_LABEL_H = 18  # the row's label, on its own line above the bar
_BAR_ROW = 44
_BAR_HEIGHT = 16
_BAR_PAD = 8
_SUPPRESSED_BAR = 24  # width of the hatched stub that stands for a suppressed bar


def bar_chart(bars: Sequence[Bar], *, title: str, description: str, max_value: float | None = None,
              suppressed_text: str = "suppressed", chart_id: str) -> Markup:
    """Horizontal bars, one per row: the label on a line of its own above the bar (so a long label keeps the
    width of a phone), the value text at the bar's end; height grows with rows.

    The scale runs from 0 to ``max_value`` when it is a positive finite number, else to the largest value
    (1 when every value is 0 or suppressed). Bars longer than the scale are drawn full length; their text is the
    caller's ``display`` as always. A suppressed bar (``value`` None or NaN) is a short hatched stub with
    ``suppressed_text`` beside it; its ``display`` is not drawn. A label longer than the width is shortened
    with "…" (the full text in a ``<title>``).
    """
    cid = _check_id(chart_id)
    if not bars:
        return _empty(cid, "bar", title, description, _BAR_WIDTH)
    rows = [(_clean(b.label), _finite(b.value), _clean(b.display)) for b in bars]
    supp = _clean(suppressed_text)

    scale = max_value if max_value is not None and math.isfinite(max_value) and max_value > 0 else None
    if scale is None:
        finite = [v for _, v, _ in rows if v is not None and math.isfinite(v)]
        scale = max(finite, default=0.0)
        if scale <= 0:
            scale = max((1.0 for _, v, _ in rows if v is not None), default=1.0)  # all zero, or only infinities

    max_chars = int((_BAR_WIDTH - 2 * _BAR_PAD) / (_CHAR_WIDTH * _BAR_FONT))
    labels = [_shorten(label, max_chars) for label, _, _ in rows]
    value_texts = [supp if v is None else d for _, v, d in rows]
    value_w = max(max(_text_width(s, _BAR_FONT) for s in value_texts), 40) + 6
    x0 = _BAR_PAD
    span = max(_BAR_WIDTH - _BAR_PAD - value_w - x0, 60)
    width = max(x0 + span + value_w + _BAR_PAD, _BAR_WIDTH)
    height = 2 * _BAR_PAD + len(rows) * _BAR_ROW

    parts = _open(cid, "bar", width, height, title, description)
    if any(v is None for _, v, _ in rows):
        parts.append(_hatch(cid))
    shapes: list[str] = [f'<g fill="{DATA}">']
    label_parts: list[str] = [f'<g font-size="{_BAR_FONT}">']
    value_parts: list[str] = [f'<g font-size="{_BAR_FONT}">']
    for i, ((full, value, _), short, text) in enumerate(zip(rows, labels, value_texts, strict=True)):
        row_top = _BAR_PAD + i * _BAR_ROW
        top = row_top + _BAR_LABEL_H + 2
        baseline = top + _BAR_HEIGHT / 2 + _BAR_FONT * 0.35
        if value is None:
            w = _SUPPRESSED_BAR
            shapes.append(f'<rect x="{_n(x0)}" y="{_n(top)}" width="{w}" height="{_BAR_HEIGHT}" '
                          f'fill="url(#{cid}-hatch)" stroke="{MUTED}" stroke-dasharray="3 2"/>')
        else:
            w = span * min(value / scale, 1.0)
            shapes.append(f'<rect x="{_n(x0)}" y="{_n(top)}" width="{_n(w)}" height="{_BAR_HEIGHT}"/>')
        tip = f"<title>{_t(full)}</title>" if short != full else ""
        label_parts.append(f'<text x="{_n(x0)}" y="{_n(row_top + _BAR_FONT)}">{tip}{_t(short)}</text>')
        value_parts.append(f'<text x="{_n(x0 + w + 6)}" y="{_n(baseline)}">{_t(text)}</text>')
    parts += [*shapes, "</g>", *label_parts, "</g>", *value_parts, "</g>"]
    # The axis beside each bar only, so it never strikes through the labels above the bars.
    tops = [_BAR_PAD + i * _BAR_ROW + _BAR_LABEL_H for i in range(len(rows))]
    axis = "".join(f"M{_n(x0)} {_n(top)}V{_n(top + _BAR_HEIGHT + 4)}" for top in tops)
    parts.append(f'<path d="{axis}" stroke="{AXIS}"/>')
    return _close(parts)


# --- line chart ------------------------------------------------------------------------------------------------

_LINE_WIDTH = 360  # phone first, as the bar chart
_LINE_HEIGHT = 220
_LINE_FONT = 13
_LINE_TOP = 28  # room for the value text above the highest dot
_LINE_BOTTOM = 36  # room for the month labels under the axis
_GRIDLINES = 4


def _nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 3, 4, 5, 6, 8 times a power of ten that is >= x (x itself where that overflows)."""
    if not 0 < x < math.inf:
        return 1.0
    power = 10.0 ** math.floor(math.log10(x))
    for step in (1, 2, 3, 4, 5, 6, 8, 10):
        nice = step * power
        if nice >= x:
            return nice if 0 < nice < math.inf else x
    return x  # pragma: no cover - rounding at the edge of the float range


def _every(count: int, gap: float, needed: float) -> int:
    """Draw every k-th label so neighbours do not overlap (1 when they all fit)."""
    if count <= 1 or gap >= needed:
        return 1
    return max(math.ceil(needed / gap), 1) if gap > 0 else count


def line_chart(points: Sequence[Point], *, title: str, description: str, chart_id: str) -> Markup:
    """A monthly trend: axis with a few gridlines, the line, a dot and label per point, gaps where suppressed.

    The scale starts at 0 and ends at a round number at or above the largest value; the gridlines are not
    numbered, since every dot carries the caller's formatted ``display`` text (units and number format are the
    caller's). A suppressed point (``value`` None or NaN) breaks the line: the path has one ``M`` per run of
    two or more consecutive points, and a lone point between gaps is a dot alone. When the month labels or
    value texts would overlap, every k-th is drawn, counting back from the latest month, which is always shown.
    """
    cid = _check_id(chart_id)
    if not points:
        return _empty(cid, "line", title, description, _LINE_WIDTH)
    rows = [(_clean(p.label), _finite(p.value), _clean(p.display)) for p in points]
    n = len(rows)

    finite = [v for _, v, _ in rows if v is not None and math.isfinite(v)]
    top_value = _nice_ceiling(max(finite, default=0.0))
    label_w = max(_text_width(s, _LINE_FONT) for s, _, _ in rows)
    display_w = max(_text_width(s, _LINE_FONT) for _, _, s in rows)
    inset = min(max(label_w, display_w) / 2 + 4, _LINE_WIDTH / 4)
    left, right = 8 + inset, _LINE_WIDTH - 8 - inset
    top, bottom = _LINE_TOP, _LINE_HEIGHT - _LINE_BOTTOM
    gap = (right - left) / (n - 1) if n > 1 else right - left

    def x_of(i: int) -> float:
        return (left + right) / 2 if n == 1 else left + i * gap

    def y_of(v: float) -> float:
        return bottom - (bottom - top) * min(v / top_value, 1.0)

    parts = _open(cid, "line", _LINE_WIDTH, _LINE_HEIGHT, title, description)
    grid = "".join(f"M8 {_n(bottom - (bottom - top) * k / _GRIDLINES)}H{_LINE_WIDTH - 8}"
                   for k in range(1, _GRIDLINES + 1))
    parts.append(f'<path d="{grid}" stroke="{GRID}"/>')
    parts.append(f'<path d="M8 {_n(bottom)}H{_LINE_WIDTH - 8}" stroke="{AXIS}"/>')

    runs: list[list[tuple[float, float]]] = [[]]
    for i, (_, v, _) in enumerate(rows):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((x_of(i), y_of(v)))
    segments = ["M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in run) for run in runs if len(run) >= 2]
    if segments:
        parts.append(f'<path d="{"".join(segments)}" fill="none" stroke="{DATA}" stroke-width="2.5" '
                     f'stroke-linejoin="round"/>')
    dots = [f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4"/>' for run in runs for x, y in run]
    if dots:
        parts += [f'<g fill="{DATA}">', *dots, "</g>"]

    show_label = _every(n, gap, label_w + 8)
    show_value = _every(n, gap, display_w + 8)
    texts = [f'<g font-size="{_LINE_FONT}" text-anchor="middle">']
    for i, (label, v, display) in enumerate(rows):
        x = x_of(i)
        if (n - 1 - i) % show_label == 0:
            texts.append(f'<text x="{_n(x)}" y="{_n(bottom + 20)}">{_t(label)}</text>')
        if (n - 1 - i) % show_value == 0 and display:
            y = bottom - 8 if v is None else y_of(v) - 9
            texts.append(f'<text x="{_n(x)}" y="{_n(y)}">{_t(display)}</text>')
    texts.append("</g>")
    parts += texts
    return _close(parts)


# --- tile map --------------------------------------------------------------------------------------------------

_TILE = 40
_TILE_PITCH = 44
_TILE_FONT = 14
_MAP_PAD = 8
_LEGEND_FONT = 14


def tile_bin(value: float | None) -> int | None:
    """The colour bin of a 0..1 coverage: 0 below 0.2, 1 below 0.4, ... 4 from 0.8; None for no data."""
    v = _finite(value)
    if v is None:
        return None
    return min(int(min(v, 1.0) * 5), 4)


GROUP_GRIDS: dict[str, dict[str, tuple[int, int]]] = {"LAC": CELAC_GRID, "EU": EU_GRID}


def map_grid(regions: Sequence[str] | None = None) -> dict[str, tuple[int, int]]:
    """The squares of the map: both groups side by side (None), or the groups named ("LAC", "EU") one above
    the other, so that a map of one region draws only its own states and is narrow enough for a phone."""
    if regions is None:
        return TILE_GRID
    grid: dict[str, tuple[int, int]] = {}
    top = 0
    for region in regions:
        group = GROUP_GRIDS[region]
        grid.update({code: (col, row + top) for code, (col, row) in group.items()})
        top += 2 + max(row for _, row in group.values())
    return grid


def tile_map(tiles: Sequence[Tile], *, title: str, description: str, chart_id: str,
             legend: Sequence[tuple[str, str]] = (), regions: Sequence[str] | None = None) -> Markup:
    """A tile-grid map: one square per country placed roughly geographically, two groups side by side
    (Latin America & the Caribbean on the left, the EU on the right), coloured in 5 bins by value with a
    legend; each tile shows the code and has a <title> with name and display value.

    Every one of the 60 states is drawn; a state missing from ``tiles`` is a "no data" tile titled with its code.
    Codes are matched case-insensitively; a code outside :data:`TILE_GRID` is left out of the map (it is still in
    the data table beside it), and when a code repeats the first tile wins.

    ``legend`` overrides the legend texts as ``(key, text)`` pairs, the key being one of :data:`LEGEND_KEYS`:
    ``"0"`` to ``"4"`` for the bins from the lowest, ``"none"`` for no data; e.g.
    ``legend=[("none", _("no data or suppressed"))]``. Keys not given keep :data:`DEFAULT_LEGEND`.
    An unknown key raises ``ValueError``. ``regions`` ("LAC", "EU" or both) draws only those groups, one
    above the other (see :func:`map_grid`); the legend wraps to the map's width.
    """
    cid = _check_id(chart_id)
    texts = dict(DEFAULT_LEGEND)
    for key, text in legend:
        if key not in texts:
            raise ValueError(f"legend key must be one of {LEGEND_KEYS}: {key!r}")
        texts[key] = _clean(text)
    grid = map_grid(regions)
    columns = 1 + max(c for c, _ in grid.values())
    rows_n = 1 + max(r for _, r in grid.values())
    width = 2 * _MAP_PAD + columns * _TILE_PITCH - (_TILE_PITCH - _TILE)
    if not tiles:
        return _empty(cid, "map", title, description, width)

    by_code: dict[str, Tile] = {}
    for tile in tiles:
        code = _clean(tile.code).strip().upper()
        if code in grid and code not in by_code:
            by_code[code] = tile

    legend_top = _MAP_PAD + rows_n * _TILE_PITCH + 8
    # The legend's entries, wrapped onto as many lines as the map's width needs; a text too long for a line
    # of its own is wrapped too, so the picture never widens (and its text never shrinks) on a phone.
    room = max(int((width - 2 * _MAP_PAD - 22) / (_CHAR_WIDTH * _LEGEND_FONT)), 1)
    entries: list[tuple[str, float, float, list[str]]] = []
    x, line = float(_MAP_PAD), 0
    for key in LEGEND_KEYS:
        lines = textwrap.wrap(texts[key], width=room) or [""]
        entry = 22 + max(_text_width(text, _LEGEND_FONT) for text in lines) + 16
        if x > _MAP_PAD and (x + entry - 16 > width - _MAP_PAD or len(lines) > 1):
            x, line = float(_MAP_PAD), line + 1
        entries.append((key, x, legend_top + line * 24, lines))
        x += entry
        line += len(lines) - 1
        if len(lines) > 1:
            x = width  # the next entry starts a new line
    height = legend_top + (line + 1) * 24 + _MAP_PAD
    parts = _open(cid, "map", width, height, title, description)
    parts.append(_hatch(cid))
    parts.append(f'<g font-size="{_TILE_FONT}" text-anchor="middle">')
    for code, (col, row) in grid.items():
        x = _MAP_PAD + col * _TILE_PITCH
        y = _MAP_PAD + row * _TILE_PITCH
        tile = by_code.get(code)
        b = tile_bin(tile.value) if tile else None
        fill = f"url(#{cid}-hatch)" if b is None else BIN_COLOURS[b]
        ink = INK if b is None else BIN_TEXT_COLOURS[b]
        if tile is None:
            tip = f"{code}: {texts['none']}"
        else:
            name, display = _clean(tile.name).strip() or code, _clean(tile.display).strip()
            shown = display or (texts["none"] if b is None else "")
            tip = f"{name}: {shown}" if shown else name
        parts.append(
            f'<g><title>{_t(tip)}</title><rect x="{_n(x + 0.5)}" y="{_n(y + 0.5)}" width="{_TILE - 1}" '
            f'height="{_TILE - 1}" fill="{fill}" stroke="{MUTED}"/>'
            f'<text x="{_n(x + _TILE / 2)}" y="{_n(y + _TILE / 2 + _TILE_FONT * 0.35)}" fill="{ink}">{code}</text></g>'
        )
    parts.append("</g>")

    parts.append(f'<g font-size="{_LEGEND_FONT}" stroke="{MUTED}">')
    for key, x, top, lines in entries:
        fill = f"url(#{cid}-hatch)" if key == "none" else BIN_COLOURS[int(key)]
        parts.append(f'<rect x="{_n(x + 0.5)}" y="{_n(top + 4.5)}" width="15" height="15" fill="{fill}"/>')
        for number, text in enumerate(lines):
            parts.append(f'<text x="{_n(x + 22)}" y="{_n(top + 17 + number * 24)}" stroke="none">{_t(text)}</text>')
    parts.append("</g>")
    return _close(parts)
