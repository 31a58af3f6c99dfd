"""Small-count suppression: primary, complementary (iterated over rows, columns and margins), totals, ratios.

Notation in the expected tables: a number is shown, "s" is suppressed as small, "c" as complementary.

The iterated 2-D example (k = 10), worked by hand in learnhub/reports/suppression.py:

     3 20 30 | 53        s  c  c | 53
    40 60 50 | 150  ->   c 60  c | 150
    45 55 65 | 165       c  c 65 | 165
    88 135 145 | 368    88 135 145 | 368

Pass 1: row 0 has only the 3, so 20 (smallest other) goes; column 0 then has only the 3, so 40 goes; column 1 has
only the 20, so 55 goes. Pass 2: row 1 has only the 40, so 50 goes; row 2 has only the 55, so 45 goes; column 2
has only the 50, so 30 goes. Pass 3 changes nothing.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnhub.reports.suppression import (
    SUPPRESSED,
    Cell,
    SuppressedTable,
    check_k,
    ratio,
    suppress_line,
    suppress_nested,
    suppress_table,
)

SHOWN = None


def code(cell: Cell) -> int | str:
    """A cell as in the docstring: its value, "s" (small) or "c" (complementary)."""
    if not cell.suppressed:
        assert cell.reason is None
        return cell.value
    assert cell.value is SUPPRESSED
    return {"small": "s", "complementary": "c"}[cell.reason]


def codes(cells: list[Cell] | None) -> list[int | str] | None:
    return None if cells is None else [code(cell) for cell in cells]


def grid(table: SuppressedTable) -> list[list[int | str]]:
    return [codes(row) for row in table.cells]


# --- the equations a reader can write down from a published table ----------------------------------------------


def equations(counts: list[list[int]], table: SuppressedTable) -> list[tuple[list[tuple[int, Cell]], tuple[int, Cell]]]:
    """Every (members, total) relation that holds in the published table, each entry as (true value, Cell)."""
    height, width = len(counts), len(counts[0]) if counts else 0
    cell = [[(counts[i][j], table.cells[i][j]) for j in range(width)] for i in range(height)]
    rows = [(sum(counts[i]), table.row_totals[i]) for i in range(height)] if table.row_totals is not None else None
    columns = (
        [(sum(counts[i][j] for i in range(height)), table.column_totals[j]) for j in range(width)]
        if table.column_totals is not None
        else None
    )
    grand = (sum(map(sum, counts)), table.grand_total) if table.grand_total is not None else None
    found = []
    if rows is not None:
        found += [(cell[i], rows[i]) for i in range(height)]
    if columns is not None:
        found += [([cell[i][j] for i in range(height)], columns[j]) for j in range(width)]
    if grand is not None:
        if rows is not None:
            found.append((rows, grand))
        if columns is not None:
            found.append((columns, grand))
        if rows is None and columns is None:
            found.append(([entry for row in cell for entry in row], grand))
    return found


def assert_no_lone_suppressed_cell(counts: list[list[int]], table: SuppressedTable) -> None:
    """Every row or column with a published total has 0 or at least 2 suppressed cells, so no suppressed cell is
    its line's published total minus the line's published cells."""
    height, width = len(counts), len(counts[0]) if counts else 0
    lines = []
    if table.row_totals is not None:
        lines += [(table.cells[i], table.row_totals[i]) for i in range(height)]
    if table.column_totals is not None:
        lines += [([table.cells[i][j] for i in range(height)], table.column_totals[j]) for j in range(width)]
    for members, total in lines:
        if total.suppressed:
            continue
        for index, member in enumerate(members):
            others = members[:index] + members[index + 1 :]
            if member.suppressed:
                assert any(other.suppressed for other in others), "total minus published cells gives it back"
        assert sum(member.suppressed for member in members) != 1


def assert_no_equation_with_one_unknown(counts: list[list[int]], table: SuppressedTable) -> None:
    """Margins included: no relation (members add up to the total) has exactly one suppressed entry."""
    for members, total in equations(counts, table):
        unknowns = sum(entry.suppressed for _, entry in members) + total[1].suppressed
        assert unknowns != 1


def assert_every_suppressed_value_can_vary(counts: list[list[int]], table: SuppressedTable) -> None:
    """Brute force: for each suppressed entry, find another table of non-negative counts, differing by -1, 0 or +1
    in each suppressed entry, that agrees with every published figure and every relation but has a different
    value there. So no suppressed entry can be computed from what is published."""
    relations = equations(counts, table)
    unknown_ids: dict[int, int] = {}
    for members, total in relations:
        for value, entry in [*members, total]:
            if entry.suppressed:
                unknown_ids.setdefault(id(entry), value)
    unknowns = list(unknown_ids)
    assert len(unknowns) <= 11, "too many suppressed entries to brute-force"
    position = {key: index for index, key in enumerate(unknowns)}
    rows = []
    for members, total in relations:
        coefficients = [0] * len(unknowns)
        for _, entry in members:
            if entry.suppressed:
                coefficients[position[id(entry)]] += 1
        if total[1].suppressed:
            coefficients[position[id(total[1])]] -= 1
        if any(coefficients):
            rows.append(coefficients)
    values = [unknown_ids[key] for key in unknowns]
    can_vary = [False] * len(unknowns)
    for step in itertools.product((-1, 0, 1), repeat=len(unknowns)):
        if not any(step) or any(value + delta < 0 for value, delta in zip(values, step, strict=True)):
            continue
        if all(sum(c * d for c, d in zip(row, step, strict=True)) == 0 for row in rows):
            for index, delta in enumerate(step):
                can_vary[index] = can_vary[index] or delta != 0
    assert all(can_vary)


def determined_small(counts: list[list[int]], table: SuppressedTable) -> set[tuple]:
    """The small counts (reason "small") that follow from the published figures by linear algebra over the
    rationals: entry v is determined when adding the unit row e_v does not raise the rank of the system restricted
    to the unknown entries. Totals that are not published are unknowns too."""
    height, width = len(counts), len(counts[0]) if counts else 0

    entries: dict[tuple, Cell | None] = {}
    for i in range(height):
        for j in range(width):
            entries["cell", i, j] = table.cells[i][j]
        entries["row", i] = table.row_totals[i] if table.row_totals is not None else None
    for j in range(width):
        entries["column", j] = table.column_totals[j] if table.column_totals is not None else None
    entries["grand",] = table.grand_total
    relations = [{**{("cell", i, j): 1 for j in range(width)}, ("row", i): -1} for i in range(height)]
    relations += [{**{("cell", i, j): 1 for i in range(height)}, ("column", j): -1} for j in range(width)]
    relations.append({**{("row", i): 1 for i in range(height)}, ("grand",): -1})
    relations.append({**{("column", j): 1 for j in range(width)}, ("grand",): -1})
    return linearly_determined_small(entries, relations)


def linearly_determined_small(entries: dict[tuple, Cell | None], relations: list[dict[tuple, int]]) -> set[tuple]:
    """The entries suppressed as small whose value follows from the published ones through `relations`
    (each: coefficients times the true values add up to 0); None or suppressed entries are unknowns."""
    unknown = [key for key, cell in entries.items() if cell is None or cell.suppressed]

    def rank(matrix: list[list[Fraction]]) -> int:
        matrix = [row[:] for row in matrix]
        found = 0
        for column in range(len(unknown)):
            pivot = next((r for r in range(found, len(matrix)) if matrix[r][column]), None)
            if pivot is None:
                continue
            matrix[found], matrix[pivot] = matrix[pivot], matrix[found]
            for r in range(len(matrix)):
                if r != found and matrix[r][column]:
                    factor = matrix[r][column] / matrix[found][column]
                    matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[found], strict=True)]
            found += 1
        return found

    system = [[Fraction(relation.get(key, 0)) for key in unknown] for relation in relations]
    base = rank(system)
    result = set()
    for index, key in enumerate(unknown):
        cell = entries[key]
        if cell is not None and cell.reason == "small":
            unit = [Fraction(int(i == index)) for i in range(len(unknown))]
            if rank([*system, unit]) == base:
                result.add(key)
    return result


# --- k ----------------------------------------------------------------------------------------------------------


def test_check_k_accepts_5_and_above_and_refuses_below():
    assert check_k(5) == 5
    assert check_k(10) == 10
    assert check_k(25) == 25
    for k in (4, 1, 0, -10):
        with pytest.raises(ValueError, match="k must be at least 5"):
            check_k(k)


def test_every_entry_point_refuses_k_below_5():
    with pytest.raises(ValueError, match="k must be at least 5"):
        suppress_line([12, 3], 15, k=4)
    with pytest.raises(ValueError, match="k must be at least 5"):
        suppress_table([[12, 3]], k=3)
    with pytest.raises(ValueError, match="k must be at least 5"):
        ratio(20, 40, k=4)


def test_suppressed_is_none():
    assert SUPPRESSED is None


# --- primary suppression ----------------------------------------------------------------------------------------


def test_primary_suppression_1_to_k_minus_1_and_0_and_k_shown():
    cells, total = suppress_line(list(range(12)), None)
    assert total is None
    assert codes(cells) == [0, "s", "s", "s", "s", "s", "s", "s", "s", "s", 10, 11]
    assert cells[1] == Cell(value=None, suppressed=True, reason="small")
    assert cells[0] == Cell(value=0, suppressed=False, reason=None)
    assert cells[10] == Cell(value=10, suppressed=False, reason=None)


def test_k_is_configurable():
    cells, _ = suppress_line([4, 5, 6, 7], None, k=5)
    assert codes(cells) == ["s", 5, 6, 7]
    cells, _ = suppress_line([4, 5, 6, 7], None, k=7)
    assert codes(cells) == ["s", "s", "s", 7]
    cells, _ = suppress_line([9, 10, 11, 12], None, k=12)
    assert codes(cells) == ["s", "s", "s", 12]


def test_no_total_means_no_complement():
    cells, total = suppress_line([3, 20, 30], None)
    assert codes(cells) == ["s", 20, 30]
    assert total is None


def test_bad_counts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        suppress_line([12, -1], 11)
    with pytest.raises(TypeError):
        suppress_line([12, 2.5], None)
    with pytest.raises(ValueError, match="same number"):
        suppress_table([[12, 3], [4]])


# --- complementary suppression in one line ----------------------------------------------------------------------


def test_one_small_cell_gets_exactly_one_complement_the_smallest_non_zero_other():
    cells, total = suppress_line([25, 3, 12, 0, 40], 80)
    assert codes(cells) == [25, "s", "c", 0, 40]
    assert cells[2] == Cell(value=None, suppressed=True, reason="complementary")
    assert total == Cell(value=80, suppressed=False, reason=None)


def test_complement_ties_go_to_the_smallest_index():
    cells, total = suppress_line([15, 3, 15], 33)
    assert codes(cells) == ["c", "s", 15]
    assert code(total) == 33


def test_two_small_cells_need_no_complement():
    cells, total = suppress_line([3, 4, 20, 30], 57)
    assert codes(cells) == ["s", "s", 20, 30]
    assert code(total) == 57


def test_a_zero_is_chosen_only_when_no_non_zero_remains():
    # The total is the true total: 20 learners, of whom 17 have no sector.
    cells, total = suppress_line([0, 3, 0], 20)
    assert codes(cells) == ["c", "s", 0]
    assert code(total) == 20
    cells, total = suppress_line([0, 3, 0, 11], 20)
    assert codes(cells) == [0, "s", 0, "c"]


def test_total_larger_than_the_counts_still_gets_the_rules():
    cells, total = suppress_line([12, 3, 40], 70)
    assert codes(cells) == ["c", "s", 40]
    assert code(total) == 70


# --- totals -----------------------------------------------------------------------------------------------------


def test_totals_below_k_are_suppressed():
    cells, total = suppress_line([3, 0, 4], 7)
    assert codes(cells) == ["s", 0, "s"]
    assert total == Cell(value=None, suppressed=True, reason="small")
    cells, total = suppress_line([0, 0], 0)
    assert codes(cells) == [0, 0]
    assert total == Cell(value=0, suppressed=False, reason=None)


def test_a_small_total_needs_no_complement():
    cells, total = suppress_line([3, 0], 3)
    assert codes(cells) == ["s", 0]
    assert code(total) == "s"


def test_a_single_cell_line_suppresses_its_total():
    cells, total = suppress_line([4], 20)
    assert codes(cells) == ["s"]
    assert total == Cell(value=None, suppressed=True, reason="complementary")
    cells, total = suppress_line([14], 20)
    assert codes(cells) == [14]
    assert code(total) == 20


def test_single_column_table_suppresses_row_totals():
    counts = [[4], [30], [25]]
    table = suppress_table(counts)
    assert grid(table) == [["s"], [30], ["c"]]
    assert codes(table.row_totals) == ["s", 30, "c"]
    assert codes(table.column_totals) == [59]
    assert code(table.grand_total) == 59
    assert_no_lone_suppressed_cell(counts, table)
    assert_every_suppressed_value_can_vary(counts, table)


def test_single_row_table_suppresses_column_totals():
    counts = [[3, 20, 30]]
    table = suppress_table(counts)
    assert grid(table) == [["s", "c", 30]]
    assert codes(table.row_totals) == [53]
    assert codes(table.column_totals) == ["s", "c", 30]
    assert code(table.grand_total) == 53
    assert_every_suppressed_value_can_vary(counts, table)


# --- 2-D --------------------------------------------------------------------------------------------------------


def test_table_complements_are_iterated_until_stable():
    counts = [[3, 20, 30], [40, 60, 50], [45, 55, 65]]
    table = suppress_table(counts)
    assert grid(table) == [["s", "c", "c"], ["c", 60, "c"], ["c", "c", 65]]
    assert codes(table.row_totals) == [53, 150, 165]
    assert codes(table.column_totals) == [88, 135, 145]
    assert code(table.grand_total) == 368
    assert_no_lone_suppressed_cell(counts, table)
    assert_no_equation_with_one_unknown(counts, table)
    assert_every_suppressed_value_can_vary(counts, table)


def test_a_row_complement_creating_a_lone_cell_in_a_column():
    counts = [[3, 20, 30], [40, 50, 60], [45, 55, 65]]
    table = suppress_table(counts)
    # Row 0 takes 20; columns 0 and 1 then hold one suppressed cell each and take 40 and 50 from row 1.
    assert grid(table) == [["s", "c", 30], ["c", "c", 60], [45, 55, 65]]
    assert_no_lone_suppressed_cell(counts, table)
    assert_every_suppressed_value_can_vary(counts, table)


def test_brute_force_check_fails_on_a_leaky_table():
    """The checks are not vacuous: primary suppression alone leaks the 3 through its row."""
    counts = [[3, 20, 30], [40, 60, 50], [45, 55, 65]]
    good = suppress_table(counts)
    leaky = SuppressedTable(
        cells=[[Cell(None, True, "small"), Cell(20, False, None), Cell(30, False, None)]]
        + [[Cell(value, False, None) for value in row] for row in counts[1:]],
        row_totals=good.row_totals,
        column_totals=good.column_totals,
        grand_total=good.grand_total,
    )
    with pytest.raises(AssertionError):
        assert_no_lone_suppressed_cell(counts, leaky)
    with pytest.raises(AssertionError):
        assert_every_suppressed_value_can_vary(counts, leaky)


def test_the_margins_are_lines_too():
    # Row total 3 is small; with only one suppressed row total it would be 118 - 50 - 65. Pass 1: column 0 has
    # only the 3, so 20 goes; the column of row totals has only the 3, so 50 (smallest other) goes. Row 1 then has
    # a suppressed cell and a suppressed total: two unknowns, nothing more to do.
    counts = [[3, 0], [20, 30], [25, 40]]
    table = suppress_table(counts)
    assert grid(table) == [["s", 0], ["c", 30], [25, 40]]
    assert codes(table.row_totals) == ["s", "c", 65]
    assert codes(table.column_totals) == [48, 70]
    assert code(table.grand_total) == 118
    assert_no_lone_suppressed_cell(counts, table)
    assert_no_equation_with_one_unknown(counts, table)
    assert determined_small(counts, table) == set()
    assert_every_suppressed_value_can_vary(counts, table)


LEAKY = [[4, 0, 3], [0, 40, 20], [12, 0, 25], [0, 25, 50]]


def test_line_rule_alone_can_leak_so_the_audit_suppresses_more():
    """Every line has 0 or >= 2 suppressed cells after rule 3, yet the 3 at (0, 2) can be worked out: column 2
    gives 3 + 20 + 50 = 98 - 25, and rows 1 and 3 minus column 1 give 20 + 50 = 60 + 75 - 65 = 70, so 3 = 73 - 70.
    The audit suppresses the smallest non-zero published cell on the 3's lines, the 25 at (2, 2)."""
    line_rule_only = SuppressedTable(
        cells=[
            [Cell(None, True, "small"), Cell(0, False, None), Cell(None, True, "small")],
            [Cell(0, False, None), Cell(None, True, "complementary"), Cell(None, True, "complementary")],
            [Cell(None, True, "complementary"), Cell(0, False, None), Cell(25, False, None)],
            [Cell(0, False, None), Cell(None, True, "complementary"), Cell(None, True, "complementary")],
        ],
        row_totals=[
            Cell(None, True, "small"),
            Cell(60, False, None),
            Cell(None, True, "complementary"),
            Cell(75, False, None),
        ],
        column_totals=[Cell(16, False, None), Cell(65, False, None), Cell(98, False, None)],
        grand_total=Cell(179, False, None),
    )
    assert_no_lone_suppressed_cell(LEAKY, line_rule_only)
    assert_no_equation_with_one_unknown(LEAKY, line_rule_only)
    assert determined_small(LEAKY, line_rule_only) == {("cell", 0, 2)}
    with pytest.raises(AssertionError):
        assert_every_suppressed_value_can_vary(LEAKY, line_rule_only)

    table = suppress_table(LEAKY)
    assert grid(table) == [["s", 0, "s"], [0, "c", "c"], ["c", 0, "c"], [0, "c", "c"]]
    assert codes(table.row_totals) == ["s", 60, "c", 75]
    assert codes(table.column_totals) == [16, 65, 98]
    assert code(table.grand_total) == 179
    assert determined_small(LEAKY, table) == set()
    assert_every_suppressed_value_can_vary(LEAKY, table)


def test_a_suppressed_row_total_is_not_left_as_the_sum_of_published_cells():
    # The column of row totals has only the small 4, so its complement is the row total 12; row 1 would give it
    # back (0 + 0 + 12), so the 12 goes too, then column 2 needs a second cell and only zeros remain there.
    # Rule 3 is then stable, but the 4 = 49 - (20 + 25) with 20 + 25 = 50 + 60 - 65: the audit suppresses the first
    # published cell on the 4's lines (all zeros: (0, 1)).
    counts = [[4, 0, 0], [0, 0, 12], [20, 30, 0], [25, 35, 0]]
    table = suppress_table(counts)
    assert grid(table) == [["s", "c", "c"], [0, 0, "c"], ["c", "c", 0], ["c", "c", 0]]
    assert codes(table.row_totals) == ["s", "c", 50, 60]
    assert codes(table.column_totals) == [49, 65, 12]
    assert code(table.grand_total) == 126
    assert_no_equation_with_one_unknown(counts, table)
    assert determined_small(counts, table) == set()
    assert_every_suppressed_value_can_vary(counts, table)


def test_unpublished_margins():
    counts = [[3, 20], [30, 40]]
    table = suppress_table(counts, row_totals=False, column_totals=False, grand_total=False)
    assert grid(table) == [["s", 20], [30, 40]]
    assert (table.row_totals, table.column_totals, table.grand_total) == (None, None, None)

    # Only the grand total: the whole table is one line.
    table = suppress_table(counts, row_totals=False, column_totals=False)
    assert grid(table) == [["s", "c"], [30, 40]]
    assert code(table.grand_total) == 93

    # Only row totals: rows are lines, columns are not.
    table = suppress_table(counts, column_totals=False, grand_total=False)
    assert grid(table) == [["s", "c"], [30, 40]]
    assert codes(table.row_totals) == [23, 70]
    assert table.column_totals is None

    # Only column totals: columns are lines, rows are not.
    table = suppress_table(counts, row_totals=False, grand_total=False)
    assert grid(table) == [["s", 20], ["c", 40]]
    assert codes(table.column_totals) == [33, 60]


def test_empty_tables():
    table = suppress_table([])
    assert table == SuppressedTable(cells=[], row_totals=[], column_totals=[], grand_total=Cell(0, False, None))
    assert suppress_line([], 0) == ([], Cell(0, False, None))


def test_same_input_same_output():
    counts = [[3, 20, 30], [40, 60, 50], [45, 55, 65]]
    assert suppress_table(counts) == suppress_table(tuple(tuple(row) for row in counts))
    assert suppress_line([15, 3, 15], 33) == suppress_line((15, 3, 15), 33)


# --- ratios -----------------------------------------------------------------------------------------------------


def test_ratio_published():
    assert ratio(12, 48) == 0.25
    assert ratio(0, 10) == 0.0
    assert ratio(Cell(12, False, None), Cell(48, False, None)) == 0.25
    assert ratio(10, 10) == 1.0
    assert ratio(6, 24, k=5) == 0.25


def test_ratio_denominator_below_k():
    assert ratio(0, 9) is None
    assert ratio(0, 0) is None
    assert ratio(6, 9, k=5) == pytest.approx(2 / 3)
    assert ratio(12, 20, k=21) is None


def test_ratio_suppressed_parts():
    small = Cell(None, True, "small")
    complementary = Cell(None, True, "complementary")
    assert ratio(small, 50) is None
    assert ratio(complementary, 50) is None
    assert ratio(12, complementary) is None
    assert ratio(None, 50) is None
    assert ratio(12, None) is None
    # A plain count from 1 to k-1 is a small count: 3 of 50 would be published as 6 %.
    assert ratio(3, 50) is None
    assert ratio(12, 48, k=13) is None


# --- properties -------------------------------------------------------------------------------------------------

tables = st.integers(1, 6).flatmap(
    lambda width: st.lists(st.lists(st.integers(0, 40), min_size=width, max_size=width), min_size=1, max_size=6)
)


@settings(max_examples=400, deadline=None)
@given(counts=tables, k=st.integers(5, 12), margins=st.tuples(st.booleans(), st.booleans(), st.booleans()))
def test_property_tables(counts, k, margins):
    row_totals, column_totals, grand_total = margins
    table = suppress_table(counts, k, row_totals=row_totals, column_totals=column_totals, grand_total=grand_total)
    published = [cell for row in table.cells for cell in row]
    for margin in (table.row_totals, table.column_totals, [table.grand_total] if table.grand_total else None):
        published += margin or []
    for cell in published:
        if not cell.suppressed:
            assert cell.value == 0 or cell.value >= k
    for i, row in enumerate(counts):
        for j, value in enumerate(row):
            cell = table.cells[i][j]
            assert (cell.reason == "small") == (0 < value < k)
            if not cell.suppressed:
                assert cell.value == value
    assert_no_lone_suppressed_cell(counts, table)
    assert_no_equation_with_one_unknown(counts, table)
    assert determined_small(counts, table) == set()
    assert table == suppress_table(
        counts, k, row_totals=row_totals, column_totals=column_totals, grand_total=grand_total
    )


@settings(max_examples=300, deadline=None)
@given(
    counts=st.lists(st.integers(0, 40), max_size=8),
    extra=st.one_of(st.none(), st.integers(0, 30)),
    k=st.integers(5, 12),
)
def test_property_lines(counts, extra, k):
    total = None if extra is None else sum(counts) + extra
    cells, total_cell = suppress_line(counts, total, k)
    for cell, value in zip(cells, counts, strict=True):
        assert (cell.reason == "small") == (0 < value < k)
        assert cell.value in (None, value)
        assert cell.suppressed or cell.value == 0 or cell.value >= k
    if total is None:
        assert total_cell is None
        assert all(cell.reason != "complementary" for cell in cells)
        return
    if not total_cell.suppressed:
        assert total_cell.value == total
        assert total == 0 or total >= k
        assert sum(cell.suppressed for cell in cells) != 1


# --- nested cuts: courses within course kinds ----------------------------------------------------------------------

def nested_leaks(parts, group_of, groups, total, result) -> set[tuple]:
    part_cells, group_cells, total_cell = result
    entries = {("part", i): cell for i, cell in enumerate(part_cells)}
    entries.update({("group", g): cell for g, cell in enumerate(group_cells)})
    entries["total",] = total_cell
    relations = [{**{("part", i): 1 for i, group in enumerate(group_of) if group == g}, ("group", g): -1}
                 for g in range(len(groups)) if g in group_of]
    relations.append({**{("group", g): 1 for g in range(len(groups))}, ("total",): -1})
    return linearly_determined_small(entries, relations)


def test_a_kind_does_not_give_back_the_course_that_the_course_cut_hides():
    """The review's case (k = 10): courses 3 and 40 (awareness), 15 and 0 (skills), headline 58. Suppressed
    apart, the course cut hid the 3 and the 15 and the kind cut showed skills = 15, giving back the 15 and
    then the 3 = 58 - 40 - 15."""
    parts, group_of, groups = [3, 40, 15, 0], [0, 0, 1, 1], [43, 15]
    result = suppress_nested(parts, group_of, groups, 58)
    courses, kinds, total = result
    assert codes(courses)[0] == "s"
    assert nested_leaks(parts, group_of, groups, 58, result) == set()
    for kind in range(2):  # a published kind never has exactly one hidden course
        hidden = [cell for cell, group in zip(courses, group_of, strict=True) if group == kind and cell.suppressed]
        assert kinds[kind].suppressed or len(hidden) != 1
    assert code(total) == 58


def test_nested_cuts_suppress_nothing_without_small_counts():
    result = suppress_nested([30, 40, 15, 0], [0, 0, 1, 1], [70, 15], 85)
    assert [codes(result[0]), codes(result[1]), code(result[2])] == [[30, 40, 15, 0], [70, 15], 85]


def test_nested_cuts_refuse_a_part_without_its_group():
    with pytest.raises(ValueError):
        suppress_nested([3, 4], [0, 2], [7, 0], 7)


nested_inputs = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 2)), min_size=1, max_size=7)


@settings(max_examples=300, deadline=None)
@given(parts=nested_inputs, k=st.integers(5, 12))
def test_property_nested_cuts_never_give_back_a_small_count(parts, k):
    """Courses add up to their kind and kinds to the headline (the worst case): no count from 1 to k-1 can
    be worked out from what is published, and every small count is hidden."""
    values = [value for value, _ in parts]
    group_of = [group for _, group in parts]
    groups = [sum(value for value, group in parts if group == g) for g in range(3)]
    total = sum(values)
    result = suppress_nested(values, group_of, groups, total, k)
    assert nested_leaks(values, group_of, groups, total, result) == set()
    for cell, value in zip([*result[0], *result[1], result[2]], [*values, *groups, total], strict=True):
        assert cell.suppressed or not 0 < value < k
        assert cell.suppressed or cell.value == value
