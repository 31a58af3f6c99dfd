"""SVG charts for the dashboards: structure, geometry, suppression, the map grid, escaping, contrast and size."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from learnhub.reports import charts
from learnhub.reports.charts import (
    BIN_COLOURS,
    BIN_TEXT_COLOURS,
    TILE_GRID,
    Bar,
    Point,
    Tile,
    bar_chart,
    line_chart,
    tile_bin,
    tile_map,
)

SVG = "{http://www.w3.org/2000/svg}"

CELAC = (
    "AG", "AR", "BS", "BB", "BZ", "BO", "BR", "CL", "CO", "CR", "CU", "DM", "DO", "EC", "SV", "GD", "GT",
    "GY", "HT", "HN", "JM", "MX", "NI", "PA", "PY", "PE", "KN", "LC", "VC", "SR", "TT", "UY", "VE",
)
EU = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
    "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
)

HOSTILE = [
    "<script>alert(1)</script>",
    '"onload="alert(1)',
    "' onmouseover='alert(1)",
    "</text><script>alert(2)</script>",
    "]]><![CDATA[<script>",
    "<foreignObject><body onload=alert(3)>",
    "&amp; &lt; & < > \" '",
    '<a href="https://evil.example/">x</a>',
    "<?xml-stylesheet href='http://evil.example/x.css'?>",
    "style=\"fill:red\" <style>*{}</style>",
]


# --- helpers ---------------------------------------------------------------------------------------------------


def parse(svg: Markup) -> ET.Element:
    assert isinstance(svg, Markup)
    root = ET.fromstring(str(svg))  # noqa: S314 - our own output, parsed to check it
    assert root.tag == f"{SVG}svg"
    return root


def tag(element: ET.Element) -> str:
    return element.tag.removeprefix(SVG)


def groups_with(root: ET.Element, **attrs: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if all(g.get(k) == v for k, v in attrs.items())]


def bar_rects(root: ET.Element) -> list[ET.Element]:
    (group,) = groups_with(root, fill=charts.DATA)
    return list(group.iter(f"{SVG}rect"))


def bar_texts(root: ET.Element) -> tuple[list[str], list[str]]:
    """(labels, value texts) in row order."""
    label_group, value_group = [g for g in root.iter(f"{SVG}g") if g.get("font-size")]
    labels = ["".join(t.itertext()) if t.find(f"{SVG}title") is None else t[0].tail for t in label_group]
    return labels, [t.text or "" for t in value_group]


def line_path(root: ET.Element) -> ET.Element | None:
    found = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == charts.DATA]
    assert len(found) <= 1
    return found[0] if found else None


def tile_groups(root: ET.Element) -> dict[str, ET.Element]:
    """code -> the <g> of its tile (a <title>, a <rect> and a <text> holding the code)."""
    tiles = {}
    for g in root.iter(f"{SVG}g"):
        children = [tag(c) for c in g]
        if children == ["title", "rect", "text"]:
            tiles[g[2].text] = g
    return tiles


def luminance(colour: str) -> float:
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def assert_inert(svg: Markup) -> ET.Element:
    """No script, no event handler, no style, no foreignObject, no link anywhere; ids unique."""
    text = str(svg)
    assert "<script" not in text.lower()
    assert "<style" not in text.lower()
    assert "<foreignobject" not in text.lower()
    assert "<?" not in text and "<!" not in text
    # Caller text is escaped, so "<" only ever opens one of our tags and ">" never occurs inside one: these are
    # all the tags there are. (A hostile label may still *read* "onload=" or "style=", as inert text.)
    for markup in re.findall(r"<[^>]*>", text):
        assert "style=" not in markup and not re.search(r"\son\w*=", markup) and "href" not in markup, markup
    root = parse(svg)
    tags = {tag(e) for e in root.iter()}
    assert tags <= {"svg", "title", "desc", "defs", "pattern", "rect", "path", "g", "text", "circle"}, tags
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    for element in root.iter():
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            assert not local.startswith("on"), (element.tag, name)
            assert local != "style" and "href" not in local, (element.tag, name)
            assert "http" not in value.lower() or (element is root and name == "xmlns"), (name, value)
    return root


def assert_frame(root: ET.Element, chart_id: str, title: str, description: str) -> None:
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert root.get("preserveAspectRatio") == "xMinYMin meet"
    x, y, w, h = (float(v) for v in root.get("viewBox").split())
    assert (x, y) == (0, 0) and w > 0 and h > 0
    assert tag(root[0]) == "title" and root[0].get("id") == f"{chart_id}-title" and root[0].text == title
    assert tag(root[1]) == "desc" and root[1].get("id") == f"{chart_id}-desc" and root[1].text == description


NUMERIC_ATTRS = ("x", "y", "width", "height", "cx", "cy", "r")


def assert_rounded(svg: Markup) -> None:
    root = parse(svg)
    for element in root.iter():
        if element is root:
            continue
        for name in NUMERIC_ATTRS:
            if (value := element.get(name)) is not None:
                assert re.fullmatch(r"-?\d+(\.\d)?", value), (name, value)
        if (d := element.get("d")) is not None:
            assert re.fullmatch(r"[MLHVZ0-9. -]+", d), d
            assert not re.search(r"\d\.\d\d", d), d
    assert not re.search(r'viewBox="[^"]*\d\.\d\d', str(svg))


def font_sizes(root: ET.Element) -> list[float]:
    return [float(e.get("font-size")) for e in root.iter() if e.get("font-size")]


def bars_of(values, **kwargs) -> Markup:
    bars = [Bar(f"Row {i}", v, "" if v is None else f"{v:g}") for i, v in enumerate(values)]
    return bar_chart(bars, title="T", description="D", chart_id="b", **kwargs)


def widths(svg: Markup) -> list[float]:
    return [float(r.get("width")) for r in bar_rects(parse(svg))]


# --- bar chart -------------------------------------------------------------------------------------------------


def test_bar_chart_structure():
    bars = [Bar("Ministry of Health", 120, "120"), Bar("Ministry of Finance", 45, "45"), Bar("Army", None, "<10")]
    svg = bar_chart(bars, title="Learners by ministry", description="Three ministries", chart_id="min-bars")
    root = assert_inert(svg)
    assert_frame(root, "min-bars", "Learners by ministry", "Three ministries")
    assert "lh-chart-bar" in root.get("class")
    labels, values = bar_texts(root)
    assert labels == ["Ministry of Health", "Ministry of Finance", "Army"]
    assert values == ["120", "45", "suppressed"]
    assert len(bar_rects(root)) == 3
    assert_rounded(svg)


def test_bar_widths_are_proportional_to_the_values():
    w = widths(bars_of([10, 20, 40, 5]))
    assert w[2] > 100
    assert w[0] == pytest.approx(w[2] / 4, abs=0.1)
    assert w[1] == pytest.approx(w[2] / 2, abs=0.1)
    assert w[3] == pytest.approx(w[2] / 8, abs=0.1)


def test_max_value_sets_the_scale_and_longer_bars_are_clamped():
    full = widths(bars_of([40]))[0]  # the largest value spans the whole bar area
    w = widths(bars_of([10, 40, 80, 200], max_value=80))
    assert w == pytest.approx([full / 8, full / 2, full, full], abs=0.1)
    # a max_value that cannot be a scale falls back to the largest value
    for bad in (0, -5, math.nan, math.inf):
        assert widths(bars_of([10, 40], max_value=bad)) == pytest.approx([full / 4, full], abs=0.1)


def test_bars_start_on_the_axis_and_the_value_text_sits_at_their_end():
    root = parse(bars_of([10, 40]))
    rects = bar_rects(root)
    axis = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == charts.AXIS]
    assert len(axis) == 1
    axis_x = float(re.match(r"M([\d.]+) ", axis[0].get("d")).group(1))
    assert {float(r.get("x")) for r in rects} == {axis_x}
    value_group = [g for g in root.iter(f"{SVG}g") if g.get("font-size")][1]
    for rect, text in zip(rects, value_group, strict=True):
        assert float(text.get("x")) == pytest.approx(float(rect.get("x")) + float(rect.get("width")) + 6, abs=0.1)


def test_height_grows_with_the_rows():
    heights = [float(parse(bars_of([1] * n)).get("viewBox").split()[3]) for n in (1, 2, 10)]
    assert heights[1] - heights[0] == pytest.approx(44)  # a label line above each bar (issue 20: phone first)
    assert heights[2] - heights[0] == pytest.approx(9 * 44)


def test_suppressed_bars_carry_the_hatch_pattern_and_the_text():
    bars = [Bar("Open", 50, "50"), Bar("Closed", None, "<10"), Bar("NaN", math.nan, "?")]
    svg = bar_chart(bars, title="T", description="D", chart_id="sup", suppressed_text="supprimé")
    root = parse(svg)
    patterns = list(root.iter(f"{SVG}pattern"))
    assert [p.get("id") for p in patterns] == ["sup-hatch"]
    rects = bar_rects(root)
    assert [r.get("fill") for r in rects] == [None, "url(#sup-hatch)", "url(#sup-hatch)"]
    assert rects[1].get("stroke") == charts.MUTED
    _, values = bar_texts(root)
    assert values == ["50", "supprimé", "supprimé"]
    assert "&lt;10" not in str(svg)  # the display of a suppressed bar is not drawn


def test_no_pattern_when_nothing_is_suppressed():
    assert "<pattern" not in str(bars_of([1, 2]))


def test_all_none_all_zero_negative_and_huge_values():
    assert [r.get("fill") for r in bar_rects(parse(bars_of([None, None])))] == ["url(#b-hatch)"] * 2
    assert widths(bars_of([0, 0, 0])) == [0, 0, 0]
    w = widths(bars_of([-5, 10, -math.inf]))
    assert w[0] == 0 and w[2] == 0 and w[1] > 100
    w = widths(bars_of([1e308, 5e307, math.inf, 1e-300]))
    assert w[1] == pytest.approx(w[0] / 2, abs=0.1)
    assert w[2] == w[0]  # infinity is clamped to the scale
    assert w[3] == 0
    assert widths(bars_of([math.inf]))[0] > 100
    for svg in (bars_of([None]), bars_of([0]), bars_of([-1]), bars_of([1e308, math.inf])):
        assert_rounded(svg)
        assert_inert(svg)


def test_long_labels_are_shortened_with_the_full_text_in_a_title():
    long = "Ministerio de Ciencia, Tecnología, Conocimiento e Innovación de la República"
    root = parse(bar_chart([Bar(long, 3, "3"), Bar("Short", 4, "4")], title="T", description="D", chart_id="l"))
    labels, _ = bar_texts(root)
    assert labels[0].endswith("…") and long.startswith(labels[0][:-1]) and len(labels[0]) < len(long)
    assert labels[1] == "Short"
    assert [t.text for t in root.iter(f"{SVG}title")] == ["T", long]


# --- line chart ------------------------------------------------------------------------------------------------


def months(values) -> list[Point]:
    return [Point(f"2026-{i + 1:02d}", v, "–" if v is None else f"{v:g}") for i, v in enumerate(values)]


def line(values) -> Markup:
    return line_chart(months(values), title="Trend", description="Monthly", chart_id="trend")


def test_line_chart_structure():
    svg = line([10, 20, 30])
    root = assert_inert(svg)
    assert_frame(root, "trend", "Trend", "Monthly")
    assert "lh-chart-line" in root.get("class")
    assert line_path(root).get("d").count("M") == 1
    assert line_path(root).get("fill") == "none"
    assert len(list(root.iter(f"{SVG}circle"))) == 3
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["2026-01", "10", "2026-02", "20", "2026-03", "30"]
    gridlines = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == charts.GRID]
    assert gridlines[0].get("d").count("M") == 4
    assert_rounded(svg)


def test_the_line_rises_with_the_values_from_a_zero_baseline():
    root = parse(line([0, 5, 10]))
    ys = [float(c.get("cy")) for c in root.iter(f"{SVG}circle")]
    (axis,) = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == charts.AXIS]
    baseline = float(axis.get("d").split()[1].split("H")[0])
    assert ys[0] == baseline
    assert ys[0] > ys[1] > ys[2]
    assert baseline - ys[1] == pytest.approx((baseline - ys[2]) / 2, abs=0.1)
    xs = [float(c.get("cx")) for c in root.iter(f"{SVG}circle")]
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1], abs=0.1)


@pytest.mark.parametrize(("values", "segments", "dots"), [
    ([1, 2, None, 3, 4], 2, 4),
    ([1, None, 2, None, 3], 0, 3),  # lone points: dots, no line
    ([1, 2, 3, None, None, 4, 5, None, 6, 7, 8], 3, 8),
    ([None, 1, 2, None], 1, 2),
    ([1, 2, math.nan, 3, 4], 2, 4),
])
def test_suppressed_months_are_gaps_in_the_line(values, segments, dots):
    root = parse(line(values))
    path = line_path(root)
    assert (0 if path is None else path.get("d").count("M")) == segments
    assert len(list(root.iter(f"{SVG}circle"))) == dots
    runs, run = [], 0
    for v in [*values, None]:
        if v is None or v != v:
            runs.append(run)
            run = 0
        else:
            run += 1
    lines = sum(r - 1 for r in runs if r >= 2)
    assert (0 if path is None else path.get("d").count("L")) == lines


def test_gap_points_have_no_dot_but_keep_their_month_label():
    root = parse(line([1, None, 3]))
    xs = [float(c.get("cx")) for c in root.iter(f"{SVG}circle")]
    labels = {t.text: float(t.get("x")) for t in root.iter(f"{SVG}text")}
    assert "2026-02" in labels and labels["2026-02"] not in xs
    assert labels["2026-02"] == pytest.approx((xs[0] + xs[1]) / 2, abs=0.1)


def test_line_all_none_all_zero_single_point_negative_and_huge():
    root = parse(line([None, None, None]))
    assert line_path(root) is None and not list(root.iter(f"{SVG}circle"))
    zeros = parse(line([0, 0]))
    assert len({c.get("cy") for c in zeros.iter(f"{SVG}circle")}) == 1
    one = parse(line([7]))
    (dot,) = one.iter(f"{SVG}circle")
    assert float(dot.get("cx")) == pytest.approx(180)  # the middle of a 360-unit chart
    neg = parse(line([-3, 0]))
    assert len({c.get("cy") for c in neg.iter(f"{SVG}circle")}) == 1
    huge = parse(line([1e308, 5e307, math.inf]))
    ys = [float(c.get("cy")) for c in huge.iter(f"{SVG}circle")]
    assert ys[0] < ys[1] and ys[2] <= ys[0]
    for values in ([None], [0], [-1], [1e308, math.inf], [5e-324, 1]):
        assert_rounded(line(values))
        assert_inert(line(values))


def test_crowded_months_thin_their_labels_but_keep_the_latest():
    root = parse(line(list(range(24))))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.text.startswith("2026-")]
    assert 3 <= len(labels) < 24
    assert labels[-1] == "2026-24"
    xs = [float(t.get("x")) for t in root.iter(f"{SVG}text") if t.text.startswith("2026-")]
    assert min(b - a for a, b in itertools.pairwise(xs)) >= 7 * 0.6 * 13


# --- tile map: the grid ----------------------------------------------------------------------------------------


def test_the_grid_places_every_state_once():
    assert len(CELAC) == 33 and len(EU) == 27
    assert set(TILE_GRID) == set(CELAC) | set(EU)
    assert len(TILE_GRID) == 60
    positions = list(TILE_GRID.values())
    assert len(set(positions)) == 60, "two states share a square"
    assert all(isinstance(c, int) and isinstance(r, int) and c >= 0 and r >= 0 for c, r in positions)


def test_latin_america_is_left_of_the_eu_with_a_gap():
    celac_right = max(TILE_GRID[c][0] for c in CELAC)
    eu_left = min(TILE_GRID[c][0] for c in EU)
    assert eu_left >= celac_right + 2


@pytest.mark.parametrize(("north", "south"), [("MX", "GT"), ("CU", "JM"), ("CO", "EC"), ("BO", "AR"),
                                              ("FI", "EE"), ("DK", "DE"), ("DE", "AT"), ("FR", "ES"), ("IT", "MT")])
def test_the_grid_is_roughly_geographic_north_south(north, south):
    assert TILE_GRID[north][1] < TILE_GRID[south][1]


@pytest.mark.parametrize(("west", "east"), [("MX", "CU"), ("HT", "DO"), ("CL", "AR"), ("AR", "UY"), ("GY", "SR"),
                                            ("PT", "ES"), ("ES", "IT"), ("DE", "PL"), ("SE", "FI"), ("GR", "CY")])
def test_the_grid_is_roughly_geographic_west_east(west, east):
    assert TILE_GRID[west][0] < TILE_GRID[east][0]


# --- tile map: drawing -----------------------------------------------------------------------------------------


def all_tiles(value=0.5) -> list[Tile]:
    return [Tile(code, f"Country {code}", value, "–" if value is None else f"{value:.0%}") for code in TILE_GRID]


def test_tile_map_structure_and_positions():
    svg = tile_map(all_tiles(), title="Coverage", description="Share trained", chart_id="cov")
    root = assert_inert(svg)
    assert_frame(root, "cov", "Coverage", "Share trained")
    tiles = tile_groups(root)
    assert set(tiles) == set(TILE_GRID)
    corners = {(g[1].get("x"), g[1].get("y")) for g in tiles.values()}
    assert len(corners) == 60
    mx, ar, de = (tiles[c][1] for c in ("MX", "AR", "DE"))
    assert float(mx.get("x")) < float(ar.get("x")) < float(de.get("x"))
    assert float(mx.get("y")) < float(ar.get("y"))
    assert all(float(g[1].get("width")) >= 30 for g in tiles.values())
    assert tiles["BR"][0].text == "Country BR: 50%"
    assert_rounded(svg)


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), (math.nan, None), (0, 0), (-0.5, 0), (0.1999, 0), (0.2, 1), (0.3999, 1), (0.4, 2), (0.6, 3),
    (0.7999, 3), (0.8, 4), (1, 4), (1.7, 4), (math.inf, 4), (-math.inf, 0),
])
def test_bins_by_value(value, expected):
    assert tile_bin(value) == expected


def test_tiles_are_coloured_by_bin_and_no_data_is_hatched():
    data = {"AR": 0.05, "BR": 0.25, "CL": 0.45, "DE": 0.65, "FR": 0.95, "ES": None}
    tiles = [Tile(code, code, v, "–" if v is None else f"{v:.0%}") for code, v in data.items()]
    root = parse(tile_map(tiles, title="T", description="D", chart_id="bins"))
    groups = tile_groups(root)
    fills = {code: groups[code][1].get("fill") for code in groups}
    assert [fills[c] for c in ("AR", "BR", "CL", "DE", "FR")] == list(BIN_COLOURS)
    assert fills["ES"] == "url(#bins-hatch)"
    assert fills["MX"] == "url(#bins-hatch)"  # not given: drawn as no data
    ink = {code: groups[code][2].get("fill") for code in groups}
    assert [ink[c] for c in ("AR", "BR", "CL", "DE", "FR")] == list(BIN_TEXT_COLOURS)
    assert groups["MX"][0].text == "MX: no data"
    assert groups["ES"][0].text == "ES: –"
    assert [p.get("id") for p in root.iter(f"{SVG}pattern")] == ["bins-hatch"]


def test_tile_codes_are_matched_loosely_and_unknown_codes_are_left_out():
    tiles = [Tile(" br ", "Brasil", 0.9, "90 %"), Tile("BR", "Again", 0.1, "10 %"), Tile("GB", "UK", 0.5, "50 %"),
             Tile("XX", "Nowhere", 0.5, "50 %")]
    root = parse(tile_map(tiles, title="T", description="D", chart_id="m"))
    groups = tile_groups(root)
    assert set(groups) == set(TILE_GRID)
    assert groups["BR"][0].text == "Brasil: 90 %"
    assert groups["BR"][1].get("fill") == BIN_COLOURS[4]
    assert "Nowhere" not in str(tile_map(tiles, title="T", description="D", chart_id="m"))


def test_legend_defaults_and_overrides():
    root = parse(tile_map(all_tiles(), title="T", description="D", chart_id="lg"))
    legend = [t.text for t in root.iter(f"{SVG}text") if t.text not in TILE_GRID]
    assert legend == ["< 20 %", "20–40 %", "40–60 %", "60–80 %", "≥ 80 %", "no data"]
    svg = tile_map(all_tiles(None), title="T", description="D", chart_id="lg",
                   legend=[("none", "sin datos o suprimido"), ("4", "80 % o más")])
    root = parse(svg)
    legend = [t.text for t in root.iter(f"{SVG}text") if t.text not in TILE_GRID]
    assert legend == ["< 20 %", "20–40 %", "40–60 %", "60–80 %", "80 % o más", "sin datos o suprimido"]
    assert tile_groups(root)["PE"][0].text == "Country PE: –"  # the caller's display is kept
    swatches = [r for r in root.iter(f"{SVG}rect") if r.get("width") == "15"]
    assert [s.get("fill") for s in swatches] == [*BIN_COLOURS, "url(#lg-hatch)"]
    with pytest.raises(ValueError, match="legend key"):
        tile_map(all_tiles(), title="T", description="D", chart_id="lg", legend=[("5", "x")])


def test_a_long_legend_wraps_within_the_picture():
    """Issue 20: a long legend text used to widen the map, which shrank its text on a phone; it wraps now."""
    narrow = parse(tile_map(all_tiles(), title="T", description="D", chart_id="w"))
    text = "no target, not shown or not in your scope " * 5
    wide = parse(tile_map(all_tiles(), title="T", description="D", chart_id="w", legend=[("none", text)]))
    assert wide.get("viewBox").split()[2] == narrow.get("viewBox").split()[2]
    assert float(wide.get("viewBox").split()[3]) > float(narrow.get("viewBox").split()[3])
    legend = [t.text for t in wide.iter(f"{SVG}text") if t.text not in TILE_GRID]
    assert " ".join(legend[5:]) == text.strip()


def test_a_map_of_one_region_draws_only_its_states_narrow_enough_for_a_phone():
    """Issue 20: the LAC map drew every EU tile, and the 60-tile map's text was about 6 px on a phone."""
    from learnhub.reports.charts import CELAC_GRID, EU_GRID

    lac = parse(tile_map(all_tiles(), title="T", description="D", chart_id="lac", regions=("LAC",)))
    assert set(tile_groups(lac)) == set(CELAC_GRID)
    eu = parse(tile_map(all_tiles(), title="T", description="D", chart_id="eu", regions=("EU",)))
    assert set(tile_groups(eu)) == set(EU_GRID)
    both = parse(tile_map(all_tiles(), title="T", description="D", chart_id="all", regions=("LAC", "EU")))
    assert set(tile_groups(both)) == set(TILE_GRID)
    for root in (lac, eu, both):  # at most 420 units wide: drawn at 358 px, 14-unit text stays >= 12 px
        assert float(root.get("viewBox").split()[2]) <= 420
        assert min(font_sizes(root)) >= 14


def test_tile_title_without_display():
    root = parse(tile_map([Tile("UY", "Uruguay", 0.5, ""), Tile("PY", "", None, "")], title="T", description="D",
                          chart_id="m"))
    groups = tile_groups(root)
    assert groups["UY"][0].text == "Uruguay"
    assert groups["PY"][0].text == "PY: no data"


# --- every chart -----------------------------------------------------------------------------------------------

ALL_CHARTS = [
    lambda title, description, cid: bar_chart([], title=title, description=description, chart_id=cid),
    lambda title, description, cid: line_chart([], title=title, description=description, chart_id=cid),
    lambda title, description, cid: tile_map([], title=title, description=description, chart_id=cid),
]


@pytest.mark.parametrize("draw", ALL_CHARTS)
def test_empty_input_draws_a_frame_with_the_description(draw):
    description = "No learner has finished a course in this period yet, so there is nothing to draw in this chart."
    svg = draw("Empty", description, "e1")
    root = assert_inert(svg)
    assert_frame(root, "e1", "Empty", description)
    (frame,) = root.iter(f"{SVG}rect")
    assert frame.get("fill") == "none"
    shown = " ".join(t.text for t in root.iter(f"{SVG}text"))
    assert shown == description
    assert len(list(root.iter(f"{SVG}text"))) >= 2  # wrapped, not one line running off the frame
    assert_rounded(svg)


@pytest.mark.parametrize("draw", ALL_CHARTS)
def test_chart_id_must_be_a_plain_identifier(draw):
    for bad in ("", "1abc", "a b", 'x" onload="y', "a<b", "a.b"):
        with pytest.raises(ValueError, match="chart_id"):
            draw("T", "D", bad)


def hostile_charts() -> list[Markup]:
    n = len(HOSTILE)
    return [
        bar_chart([Bar(h, i or None, h) for i, h in enumerate(HOSTILE)], title=HOSTILE[0], description=HOSTILE[1],
                  suppressed_text=HOSTILE[2], chart_id="h1"),
        line_chart([Point(h, i % 3 or None, h) for i, h in enumerate(HOSTILE)], title=HOSTILE[3],
                   description=HOSTILE[4], chart_id="h2"),
        tile_map([Tile(code, HOSTILE[i % n], (i % 7) / 6 if i % 7 else None, HOSTILE[(i + 1) % n])
                  for i, code in enumerate(TILE_GRID)], title=HOSTILE[5], description=HOSTILE[6], chart_id="h3",
                 legend=[(key, HOSTILE[i]) for i, key in enumerate(charts.LEGEND_KEYS)]),
        bar_chart([], title=HOSTILE[7], description=HOSTILE[8], chart_id="h4"),
    ]


def test_hostile_labels_come_out_as_inert_text():
    for svg in hostile_charts():
        root = assert_inert(svg)
        drawn = {t.text for t in root.iter(f"{SVG}text")} | {t.text for t in root.iter(f"{SVG}title")}
        assert drawn & set(HOSTILE), "the hostile strings are drawn, as text"
    bars = parse(hostile_charts()[0])
    assert bars[0].text == HOSTILE[0] and bars[1].text == HOSTILE[1]
    labels, values = bar_texts(bars)
    assert labels[1] == HOSTILE[1] and values[1] == HOSTILE[1] and values[0] == HOSTILE[2]
    tiles = tile_groups(parse(hostile_charts()[2]))
    assert tiles[next(iter(TILE_GRID))][0].text.startswith(HOSTILE[0])


def test_characters_xml_cannot_carry_are_dropped():
    svg = bar_chart([Bar("a\x00b\x1b[31mc\ud800d\uffff", 1, "\x08 1")], title="t\x0ct", description="d\r\nd",
                    chart_id="x")
    root = parse(svg)
    assert root[0].text == "tt" and root[1].text == "d\nd"
    labels, values = bar_texts(root)
    assert labels == ["ab[31mcd"] and values == [" 1"]


def test_colours_meet_wcag_contrast():
    white = "#ffffff"
    for colour in (charts.DATA, charts.MUTED, charts.AXIS):  # bars, line, outlines: non-text contrast 1.4.11
        assert contrast(colour, white) >= 3
    assert contrast(charts.INK, white) >= 4.5
    assert contrast(charts.INK, charts.HATCH) >= 4.5  # tile codes over the no-data hatch
    for fill, ink in zip(BIN_COLOURS, BIN_TEXT_COLOURS, strict=True):
        assert contrast(fill, ink) >= 4.5, (fill, ink)
    lums = [luminance(c) for c in BIN_COLOURS]
    assert lums == sorted(lums, reverse=True), "light to dark"
    for a, b in itertools.pairwise(BIN_COLOURS):  # apart in grayscale too
        assert contrast(a, b) >= 1.5, (a, b)
    hues = set()
    for c in BIN_COLOURS:
        r, g, b = (int(c[i : i + 2], 16) for i in (1, 3, 5))
        assert b >= g >= r, "one blue hue"
        hues.add(b > r)
    assert hues == {True}


def test_no_style_attribute_anywhere():
    svgs = [bars_of([1, None, 3]), line([1, None, 3]), tile_map(all_tiles(), title="T", description="D",
                                                                chart_id="t"), bars_of([])]
    for svg in svgs:
        assert "style" not in str(svg)


def test_text_is_at_least_12_units():
    svgs = [bars_of([1, None, 3]), line([1, None, 3]), tile_map(all_tiles(), title="T", description="D",
                                                                chart_id="t"), *hostile_charts()]
    for svg in svgs:
        root = parse(svg)
        sizes = font_sizes(root)
        assert sizes and min(sizes) >= 12
        parent = {child: element for element in root.iter() for child in element}
        for text in root.iter(f"{SVG}text"):  # every text takes its size from a group around it
            element, size = text, None
            while size is None and element is not None:
                size, element = element.get("font-size"), parent.get(element)
            assert size is not None and float(size) >= 12


def test_sizes_stay_small():
    bars = [Bar(f"Ministerio de Transformación Digital {i:02d} & Co", i * 1234.5 if i % 4 else None,
                f"{i * 1234:,}".replace(",", "\u202f")) for i in range(20)]
    svg = bar_chart(bars, title="Learners by ministry, 2026", description="Twenty ministries, " * 5, chart_id="big")
    assert len(str(svg).encode()) < 8 * 1024
    tiles = [Tile(code, "Saint Vincent and the Grenadines", (i % 10) / 9 if i % 10 else None, "100 % (1 234/1 234)")
             for i, code in enumerate(TILE_GRID)]
    svg = tile_map(tiles, title="Coverage by country", description="Share of the public workforce trained",
                   chart_id="map")
    assert len(str(svg).encode()) < 20 * 1024
    svg = line_chart(months(range(24)), title="Trend", description="Two years", chart_id="trend")
    assert len(str(svg).encode()) < 8 * 1024


def test_output_is_deterministic():
    def draw() -> list[str]:
        return [str(s) for s in (*hostile_charts(), bars_of([1, 2.345, None]), line([1.23456, None, 7.7]),
                                 tile_map(all_tiles(0.33), title="T", description="D", chart_id="m"))]

    assert draw() == draw()


def test_several_charts_on_one_page_have_distinct_ids():
    page = "".join(str(s) for s in hostile_charts())
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)) and len(ids) >= 8


# --- property: anything the caller passes gives a parseable, inert SVG ----------------------------------------

values = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30))
texts = st.text(max_size=60)
ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,12}", fullmatch=True)


def expected(text: str) -> str:
    return charts._clean(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(texts, values, texts), max_size=25),
    title=texts,
    description=texts,
    chart_id=ids,
    max_value=st.one_of(st.none(), st.floats()),
)
def test_any_bars_give_parseable_svg(rows, title, description, chart_id, max_value):
    svg = bar_chart([Bar(*r) for r in rows], title=title, description=description, chart_id=chart_id,
                    max_value=max_value)
    root = assert_inert(svg)
    assert root[0].text or expected(title) == ""
    assert (root[0].text or "") == expected(title) and (root[1].text or "") == expected(description)
    if rows:
        assert len(bar_rects(root)) == len(rows)
        assert all(float(r.get("width")) >= 0 for r in bar_rects(root))
    assert_rounded(svg)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(texts, values, texts), max_size=30), title=texts, chart_id=ids)
def test_any_points_give_parseable_svg(rows, title, chart_id):
    svg = line_chart([Point(*r) for r in rows], title=title, description="D", chart_id=chart_id)
    root = assert_inert(svg)
    assert (root[0].text or "") == expected(title)
    drawn = [v for _, v, _ in rows if v is not None and not math.isnan(v)]
    assert len(list(root.iter(f"{SVG}circle"))) == len(drawn)
    assert_rounded(svg)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(st.sampled_from(sorted(TILE_GRID)) | st.text(max_size=3), texts, values, texts),
                  max_size=70),
    legend=st.lists(st.tuples(st.sampled_from(charts.LEGEND_KEYS), texts), max_size=6),
    chart_id=ids,
)
def test_any_tiles_give_parseable_svg(rows, legend, chart_id):
    svg = tile_map([Tile(*r) for r in rows], title="T", description="D", chart_id=chart_id, legend=legend)
    root = assert_inert(svg)
    if rows:
        assert set(tile_groups(root)) == set(TILE_GRID)
    assert_rounded(svg)
