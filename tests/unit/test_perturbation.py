"""Cell-key perturbation (learnhub/reports/perturbation.py): bounded, consistent, and what an adversary who
adds accounts to a hidden cell can learn from it (issue 11, decision 0025)."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnhub.reports import perturbation
from learnhub.reports.perturbation import BOUND, KEY_RANGE, NOISE, CellKeys, noise_of, publish
from learnhub.reports.suppression import suppress_line

NOISES = tuple(noise for noise, _ in NOISE)


def test_the_table_covers_every_key_with_zero_mean_within_the_bound():
    drawn = Counter(noise_of(key) for key in range(KEY_RANGE))
    assert sum(drawn.values()) == KEY_RANGE
    assert drawn == Counter(dict(NOISE))
    assert sum(Fraction(noise * times, KEY_RANGE) for noise, times in drawn.items()) == 0
    assert BOUND == 2 and set(drawn) == {-2, -1, 0, 1, 2}
    with pytest.raises(ValueError):
        noise_of(KEY_RANGE)


def test_published_counts_stay_within_the_bound_never_negative_and_zero_stays_zero():
    for count in range(0, 40):
        for noise in NOISES:
            value = publish(count, noise)
            assert value >= 0
            assert abs(value - count) <= BOUND
            if count == 0:
                assert value == 0
            if count > BOUND:
                assert value == count + noise
    with pytest.raises(ValueError):
        publish(-1, 0)


def test_the_same_cell_always_gets_the_same_noise_and_other_cells_other_noises():
    keys = CellKeys(b"k" * 32)
    cell = ("DO", 2026, "sector", "health", "certified")
    assert {keys.noise(*cell) for _ in range(5)} == {keys.noise(*cell)}
    assert keys.publish(20, *cell) == 20 + keys.noise(*cell)
    # the key is a function of every coordinate and of the secret
    cells = [("DO", year, cut, key, metric) for year in (0, 2025, 2026) for cut, key in
             (("total", ""), ("sector", "health"), ("sector", "energy"), ("gender", "woman"))
             for metric in ("population", "enrolled", "certified")]
    assert len({keys.cell_key(*c) for c in cells}) > len(cells) // 2
    other = CellKeys(b"o" * 32)
    assert [keys.cell_key(*c) for c in cells] != [other.cell_key(*c) for c in cells]


def test_the_application_key_is_derived_from_the_secret_key_not_the_secret_itself(app):
    keys = perturbation.for_app(app)
    assert keys.secret != app.config["SECRET_KEY"].encode()
    assert len(keys.secret) == 32 and keys == perturbation.for_app(app)


# --- What an adversary who adds accounts learns ------------------------------------------------------------

def view(true: int, noise: int, k: int):
    """What a reader sees of one cell: its published value, or None when it is suppressed."""
    return suppress_line([], publish(true, noise), k)[1].value


def consistent_values(observed: list, k: int, limit: int) -> set[int]:
    """The true values v (0..limit) that, with some noise of the table, give every observation: the i-th
    observation is the cell after the adversary's i-th addition (the 0th before any)."""
    return {v for v in range(limit + 1)
            if any(all(view(v + added, noise, k) == seen for added, seen in enumerate(observed)) for noise in NOISES)}


@settings(max_examples=200, deadline=None)
@given(k=st.sampled_from((5, 10)), data=st.data())
def test_an_adversary_adding_up_to_2k_accounts_never_learns_a_hidden_count(k, data):
    """The audit's attack, on the report layer: a cell holds v learners (1..k-1, so it is hidden or shown as
    a perturbed small figure), and an adversary adds up to 2k accounts of the cell's profile one at a time,
    reading the cell after each. The cell's key does not depend on its records, so its noise stays what it
    is; whatever that noise, at least two true values explain everything the adversary saw."""
    v = data.draw(st.integers(min_value=1, max_value=k - 1), label="v")
    noise = data.draw(st.sampled_from(NOISES), label="noise")
    additions = data.draw(st.integers(min_value=0, max_value=2 * k), label="additions")
    observed = [view(v + added, noise, k) for added in range(additions + 1)]
    candidates = consistent_values(observed, k, limit=3 * k + 2 * BOUND)
    assert v in candidates
    assert len(candidates) >= 2, (v, noise, observed)
    if additions == 2 * k:  # after 2k additions the cell is published: the adversary knows v to within the table
        assert observed[-1] is not None
        assert candidates <= set(range(v - 2 * BOUND, v + 2 * BOUND + 1))


def test_the_audit_case_eight_accounts_on_a_cell_of_two():
    """Cells of 2 and 12 learners (k = 10); eight accounts join the 2. Before, the 2 was hidden and adding 8
    gave it back exactly (10 - 8). Now the adversary reads 10 + noise and is left with several values."""
    for noise in NOISES:
        observed = [view(2 + added, noise, 10) for added in range(9)]
        assert observed[-1] == 10 + noise or observed[-1] is None
        candidates = consistent_values(observed, 10, limit=40)
        assert 2 in candidates and len(candidates) >= 2


def test_noise_drawn_afresh_per_record_would_give_the_count_away():
    """Why the cell key is not the sum of record keys (decision 0025): then each added record draws the
    noise afresh, and two additions that happen to draw +2 and then -2 pin the count down exactly."""
    k, v = 10, 3
    draws = [0] * 8 + [2, -2]  # the noise after each of ten additions, as record keys could make it
    observed = [view(v + added, draw, k) for added, draw in enumerate([0, *draws])]

    def explained(candidate: int) -> bool:
        return all(any(view(candidate + added, noise, k) == seen for noise in NOISES)
                   for added, seen in enumerate(observed))

    assert {candidate for candidate in range(40) if explained(candidate)} == {v}
