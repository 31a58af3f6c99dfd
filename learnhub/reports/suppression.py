"""Small-count suppression for coverage reports, so no published figure identifies a handful of learners.

Every count a ministry downloads (learners by country, sector, role, and their totals) passes through here,
after it has been perturbed (``perturbation.py``): the counts given to these functions are the values to be
published, so "a count from 1 to k-1" below is a published value, and a true count is never shown.

The rules
---------
1. Primary suppression. A count from 1 to k-1 is suppressed (reason ``"small"``). k is 10 by default, is
   configurable, and is never below 5 (``check_k`` raises ``ValueError`` for k < 5). A 0 is shown: a true zero
   reveals nobody. A count of k or more is shown.
2. Totals are counts too: a total from 1 to k-1 is suppressed (``"small"``) like any other count.
3. Complementary suppression (reason ``"complementary"``). A *line* is a row or a column of a 2-D table, or the
   single line of a 1-D cut. A line with a published total must never contain exactly one suppressed cell,
   because total minus the published cells would give it back. When it does, one more cell of the line is
   suppressed: the smallest non-zero unsuppressed count, ties broken by the smallest index, so that the most
   information is kept; a 0 is chosen only when no non-zero count remains (suppressing a 0 is allowed as a
   complement). When the line has no other cell to give (a single-cell line), its total is suppressed instead.
   This is repeated until nothing changes: a complement in a row can leave a lone suppressed cell in its column,
   which then needs a complement of its own, and so on. Suppression only ever grows and the table is finite, so
   the repetition terminates.
4. A ratio (numerator / denominator) is published only when the denominator is at least k and neither part is
   suppressed; otherwise it is suppressed (``None``). A plain ``int`` passed to ``ratio`` is judged by rule 1.
5. Deterministic: lines are visited in a fixed order (rows top to bottom, then columns left to right, then the
   margins), and every choice has a total order, so the same input always gives the same output.
6. Audit (2-D tables; beyond the letter of rule 3, in service of its purpose). Rule 3 looks at one line at a
   time, but lines can be combined: a small count can be recovered even though every line holds 0 or at least
   2 suppressed cells (see the second example below). After rule 3 is stable, the published table is read as a
   linear system (each row, column and margin: members add up to their total; published figures are known,
   suppressed ones and totals that are not published are unknown) and solved exactly. While any count
   suppressed as small is determined by it, one more published entry is suppressed (reason ``"complementary"``):
   cells before totals, smallest non-zero value first, zeros last, then entry order; first among the entries
   sharing a line with the leaked count, then among all others; the first candidate that leaves the leaked count
   undetermined is taken (if none does on its own, the first candidate is taken and the audit goes on). Rule 3
   is then re-applied. This only adds suppressions, so it terminates; it never fires when rule 3 already
   protects every small count. It guarantees exact (linear) non-recovery; it does not compute the range a
   suppressed count could take given that counts are non-negative, so a count can still be bounded (a
   complementary 0, for instance, can only go up).

The margins of a 2-D table are lines too
----------------------------------------
``suppress_table`` publishes row totals, column totals and a grand total, and those obey the same arithmetic
as the cells: the row totals add up to the grand total, and so do the column totals. So the column of row
totals and the row of column totals are treated as lines whose total is the grand total (rule 3 applies to
them, and a complement there is the smallest non-zero row or column total). Where only the grand total is
published (no row and no column totals), the whole table is one line whose total is the grand total, its cells
taken in row-major order.

Seen as equations (members add up to the total), a line must never have exactly one unknown. Rule 3 covers the
case of a published total; the mirror case, a suppressed total whose members are all published, would give the
total back as the sum of the members. In a 2-D table that can only arise from a complement among the margins
(suppressing a row total whose row has no suppressed cell); it is resolved the same way, by suppressing the
smallest non-zero cell of that line. For a 1-D cut the total may be larger than the sum of its counts (learners
without a sector), so the counts do not give it back and this mirror case is not applied there unless the
total equals the sum.

Worked example (k = 10)::

    counts            rule 1        rule 3, pass 1                          pass 2
     3 20 30   53     x 20 30  53   row 0 has one: smallest other is 20     row 1 has (1,0) only: 50 at (1,2)
    40 60 50  150    40 60 50 150   column 0 has (0,0) only: 40 at (1,0)    row 2 has (2,1) only: 45 at (2,0)
    45 55 65  165    45 55 65 165   column 1 has (0,1) only: 55 at (2,1)    column 2 has (1,2) only: 30 at (0,2)
    88 135 145 368

    result:   x  x  x   53
              x 60  x  150
              x  x 65  165
             88 135 145 368       (pass 3 changes nothing; every line has 0 or at least 2 suppressed cells)

Where the audit is needed (k = 10)::

    counts        after rule 3                   after the audit
     4  0  3   7   x  0  x    x
     0 40 20  60   0  x  x   60
    12  0 25  37   x  0 25    x                  x  0  x    x   (the 25 at (2,2) goes)
     0 25 50  75   0  x  x   75
    16 65 98 179  16 65 98  179

    After rule 3 the 3 at (0,2) is still recoverable: column 2 gives 3 + 20 + 50 = 98 - 25, and rows 1 and 3
    minus column 1 give 20 + 50 = 60 + 75 - 65 = 70, so 3 = 73 - 70. The audit suppresses the smallest non-zero
    published cell on the lines of the 3, which is the 25.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

__all__ = [
    "DEFAULT_K",
    "MINIMUM_K",
    "SUPPRESSED",
    "Cell",
    "SuppressedTable",
    "check_k",
    "ratio",
    "suppress_line",
    "suppress_nested",
    "suppress_table",
]

SUPPRESSED = None  # what a suppressed value becomes
DEFAULT_K = 10
MINIMUM_K = 5

SMALL = "small"
COMPLEMENTARY = "complementary"
UNPUBLISHED = "unpublished"  # internal: a total the caller did not ask for


@dataclass(frozen=True)
class Cell:
    """One published figure: its value, or ``SUPPRESSED`` (None) with the reason it was withheld."""

    value: int | None  # None when suppressed
    suppressed: bool
    reason: str | None  # None, "small" (1..k-1) or "complementary"


@dataclass(frozen=True)
class SuppressedTable:
    """A 2-D cut after suppression; a margin that is not published is None."""

    cells: list[list[Cell]]
    row_totals: list[Cell] | None
    column_totals: list[Cell] | None
    grand_total: Cell | None


def check_k(k: int) -> int:
    """Return k if it is an acceptable threshold; ValueError below 5."""
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError("k must be an integer")
    if k < MINIMUM_K:
        raise ValueError("k must be at least 5")
    return k


def _count(value: object) -> int:
    """A count: a non-negative integer (bools refused)."""
    if isinstance(value, bool):
        raise TypeError("counts must be integers, not bool")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"counts must be integers, not {type(value).__name__}") from None
    if number < 0:
        raise ValueError("counts cannot be negative")
    return number


def _is_small(value: int, k: int) -> bool:
    return 0 < value < k


@dataclass(frozen=True)
class _Line:
    members: tuple[int, ...]  # entry indexes, in the order used to break ties
    total: int | None  # entry index of the published total, or None when no total is published
    exact: bool  # the members add up to the total, so the members give the total back


Equation = dict[int, int]  # entry -> coefficient; the coefficients times the true values add up to 0


class _Grid:
    """Entries (cells and totals) with their values and the reason each one is suppressed (None: shown).

    A total that is not published is still an entry (reason ``UNPUBLISHED``): it is never shown, never chosen as a
    complement and never reported, but it takes part in the equations of the audit.
    """

    def __init__(self, k: int):
        self.k = k
        self.values: list[int] = []
        self.reasons: list[str | None] = []
        self.totals: set[int] = set()

    def add(self, value: int, *, total: bool = False, published: bool = True) -> int:
        self.values.append(value)
        if not published:
            self.reasons.append(UNPUBLISHED)
        else:
            self.reasons.append(SMALL if _is_small(value, self.k) else None)
        entry = len(self.values) - 1
        if total:
            self.totals.add(entry)
        return entry

    def hidden(self, entry: int) -> bool:
        return self.reasons[entry] is not None

    def complement(self, members: Sequence[int]) -> int | None:
        """The member to suppress next: smallest non-zero value, then first in line; zeros last."""
        best: tuple[bool, int, int] | None = None
        chosen = None
        for position, entry in enumerate(members):
            if self.hidden(entry):
                continue
            key = (self.values[entry] == 0, self.values[entry], position)
            if best is None or key < best:
                best, chosen = key, entry
        return chosen

    def resolve(self, lines: Sequence[_Line]) -> None:
        """Rule 3: add complementary suppressions until no line has exactly one unknown."""
        changed = True
        while changed:
            changed = False
            for line in lines:
                if line.total is None:
                    continue
                hidden = [entry for entry in line.members if self.hidden(entry)]
                if self.hidden(line.total):
                    if hidden or not line.exact:
                        continue
                    target = self.complement(line.members)
                else:
                    if len(hidden) != 1:
                        continue
                    target = self.complement(line.members)
                    if target is None:
                        target = line.total
                if target is None:  # pragma: no cover - a hidden exact total always has a non-empty line
                    continue
                self.reasons[target] = COMPLEMENTARY
                changed = True

    def determined(self, equations: Sequence[Equation], extra: int | None = None) -> set[int]:
        """The hidden entries whose value follows from the published ones through the equations.

        Move every published entry to the right-hand side; what is left is a linear system in the hidden entries
        (``extra`` counted as hidden too). An entry is determined when the reduced row echelon form has a row
        holding that entry alone. The systems here are totally unimodular, so the arithmetic stays in small
        integers; Fraction is only a safeguard.
        """
        pivots: dict[int, dict[int, int | Fraction]] = {}
        for equation in equations:
            row: dict[int, int | Fraction] = {
                entry: coefficient
                for entry, coefficient in equation.items()
                if coefficient and (entry == extra or self.hidden(entry))
            }
            for column in [column for column in row if column in pivots]:
                factor = row[column]
                for entry, coefficient in pivots[column].items():
                    row[entry] = row.get(entry, 0) - factor * coefficient
                row = {entry: coefficient for entry, coefficient in row.items() if coefficient}
            if not row:
                continue
            pivot = min(row)
            scale = row[pivot]
            if scale != 1:
                row = {entry: coefficient / Fraction(scale) for entry, coefficient in row.items()}
            for other in pivots.values():
                factor = other.get(pivot, 0)
                if factor:
                    for entry, coefficient in row.items():
                        other[entry] = other.get(entry, 0) - factor * coefficient
                    for entry in [entry for entry, coefficient in other.items() if not coefficient]:
                        del other[entry]
            pivots[pivot] = row
        return {column for column, row in pivots.items() if len(row) == 1}

    def audit(self, equations: Sequence[Equation], lines: Sequence[_Line]) -> None:
        """Rule 6: while a small count can be worked out by combining lines, suppress one more entry."""
        while True:
            leaks = sorted(entry for entry in self.determined(equations) if self.reasons[entry] == SMALL)
            if not leaks:
                return
            self.reasons[self.protector(leaks[0], equations)] = COMPLEMENTARY
            self.resolve(lines)

    def protector(self, leak: int, equations: Sequence[Equation]) -> int:
        """The published entry to suppress so that ``leak`` can no longer be worked out.

        Candidates are tried cells before totals, smallest non-zero value first, zeros last, then entry order:
        first those sharing an equation with the leak, then all others. The first that leaves the leak
        undetermined is chosen; if none does on its own, the first candidate is taken and the audit goes on.
        """

        def key(entry: int) -> tuple[bool, bool, int, int]:
            return (entry in self.totals, self.values[entry] == 0, self.values[entry], entry)

        published = [entry for entry in range(len(self.values)) if not self.hidden(entry)]
        near = {entry for equation in equations if leak in equation for entry in equation}
        candidates = sorted((entry for entry in published if entry in near), key=key)
        candidates += sorted((entry for entry in published if entry not in near), key=key)
        for candidate in candidates:
            if leak not in self.determined(equations, extra=candidate):
                return candidate
        return candidates[0]

    def cell(self, entry: int) -> Cell:
        reason = self.reasons[entry]
        if reason is None:
            return Cell(value=self.values[entry], suppressed=False, reason=None)
        return Cell(value=SUPPRESSED, suppressed=True, reason=reason)


def suppress_line(counts: Sequence[int], total: int | None, k: int = DEFAULT_K, *,
                  exact: bool | None = None) -> tuple[list[Cell], Cell | None]:
    """A 1-D cut (e.g. learners by sector) with its published total (None if no total is published).

    The total may exceed the sum of the counts (learners without a sector); the rules apply all the same.
    `exact` says whether the members add up to the total (the mirror case of rule 3); by default it is judged
    from the values given, and a caller that passes perturbed values says it from the true ones.
    """
    check_k(k)
    values = [_count(value) for value in counts]
    grid = _Grid(k)
    members = tuple(grid.add(value) for value in values)
    total_entry = None if total is None else grid.add(_count(total), total=True)
    exact = total is not None and (sum(values) == total if exact is None else exact)
    grid.resolve([_Line(members, total_entry, exact)])
    return [grid.cell(entry) for entry in members], None if total_entry is None else grid.cell(total_entry)


def suppress_table(
    counts: Sequence[Sequence[int]],
    k: int = DEFAULT_K,
    *,
    row_totals: bool = True,
    column_totals: bool = True,
    grand_total: bool = True,
) -> SuppressedTable:
    """A 2-D cut (e.g. learners by country and sector); the totals are computed here from the counts."""
    check_k(k)
    rows = [[_count(value) for value in row] for row in counts]
    width = len(rows[0]) if rows else 0
    if any(len(row) != width for row in rows):
        raise ValueError("every row must have the same number of cells")

    grid = _Grid(k)
    cells = [[grid.add(value) for value in row] for row in rows]
    row_entries = [grid.add(sum(row), total=True, published=row_totals) for row in rows]
    column_entries = [grid.add(sum(row[j] for row in rows), total=True, published=column_totals) for j in range(width)]
    grand_entry = grid.add(sum(map(sum, rows)), total=True, published=grand_total)

    def published(entry: int) -> int | None:
        return None if grid.reasons[entry] == UNPUBLISHED else entry

    columns = [tuple(row[j] for row in cells) for j in range(width)]
    lines = [_Line(tuple(row), published(row_entries[i]), True) for i, row in enumerate(cells)]
    lines += [_Line(column, published(column_entries[j]), True) for j, column in enumerate(columns)]
    if row_totals:
        lines.append(_Line(tuple(row_entries), published(grand_entry), True))
    if column_totals:
        lines.append(_Line(tuple(column_entries), published(grand_entry), True))
    if not row_totals and not column_totals:
        lines.append(_Line(tuple(entry for row in cells for entry in row), published(grand_entry), True))

    equations: list[Equation] = [{**dict.fromkeys(row, 1), row_entries[i]: -1} for i, row in enumerate(cells)]
    equations += [{**dict.fromkeys(column, 1), column_entries[j]: -1} for j, column in enumerate(columns)]
    equations.append({**dict.fromkeys(row_entries, 1), grand_entry: -1})
    equations.append({**dict.fromkeys(column_entries, 1), grand_entry: -1})

    grid.resolve(lines)
    grid.audit(equations, lines)

    return SuppressedTable(
        cells=[[grid.cell(entry) for entry in row] for row in cells],
        row_totals=[grid.cell(entry) for entry in row_entries] if row_totals else None,
        column_totals=[grid.cell(entry) for entry in column_entries] if column_totals else None,
        grand_total=grid.cell(grand_entry) if grand_total else None,
    )


def suppress_nested(parts: Sequence[int], group_of: Sequence[int], groups: Sequence[int], total: int,
                    k: int = DEFAULT_K) -> tuple[list[Cell], list[Cell], Cell]:
    """Two 1-D cuts of the same learners where one refines the other (courses within course kinds), and
    the total they share (the headline), suppressed together: suppressing each cut on its own lets one
    give back what the other hides (a kind minus its published courses is its one hidden course).

    ``group_of[i]`` is the index in ``groups`` of part i. Parts are taken to add up to their group and
    groups to the total, the worst case (every learner in one course); where learners are in several
    parts the sums are larger and reveal less, so this can only suppress more than needed, never less.
    Returns the parts, the groups and the total, each as Cells.
    """
    check_k(k)
    if len(group_of) != len(parts) or any(not 0 <= group < len(groups) for group in group_of):
        raise ValueError("every part needs the index of its group")
    grid = _Grid(k)
    part_entries = [grid.add(_count(value)) for value in parts]
    group_entries = [grid.add(_count(value), total=True) for value in groups]
    total_entry = grid.add(_count(total), total=True)
    members = [tuple(entry for entry, group in zip(part_entries, group_of, strict=True) if group == index)
               for index in range(len(groups))]
    lines = [_Line(entries, group_entries[index], True) for index, entries in enumerate(members) if entries]
    lines.append(_Line(tuple(group_entries), total_entry, True))
    lines.append(_Line(tuple(part_entries), total_entry, True))
    equations: list[Equation] = [{**dict.fromkeys(entries, 1), group_entries[index]: -1}
                                 for index, entries in enumerate(members) if entries]
    equations.append({**dict.fromkeys(group_entries, 1), total_entry: -1})
    grid.resolve(lines)
    grid.audit(equations, lines)
    return ([grid.cell(entry) for entry in part_entries], [grid.cell(entry) for entry in group_entries],
            grid.cell(total_entry))


def _publishable(part: Cell | int | None) -> int | None:
    """The value of one side of a ratio, or None when it is suppressed."""
    if part is None:
        return None
    if isinstance(part, Cell):
        if part.suppressed or part.value is None:
            return None
        return _count(part.value)
    return _count(part)


def ratio(numerator: Cell | int | None, denominator: Cell | int | None, k: int = DEFAULT_K) -> float | None:
    """numerator / denominator as a fraction, or None when it may not be published.

    Published only when the denominator is at least k and neither part is suppressed; a part is suppressed when
    it is None, a suppressed Cell, or a count from 1 to k-1.
    """
    check_k(k)
    top = _publishable(numerator)
    bottom = _publishable(denominator)
    if top is None or bottom is None or bottom < k or _is_small(top, k):
        return None
    return top / bottom
