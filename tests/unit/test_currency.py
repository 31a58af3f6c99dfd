"""The one rule of "currently certified" (learnhub/reports/cuts.py): the moment a report counts currency at, and
whether a certificate stands then (issue 19, decision 0070)."""

from __future__ import annotations

from datetime import datetime, timedelta

from learnhub.reports.cuts import holds, reference_moment

NOW = datetime(2026, 12, 6, 2, 30)
ISSUED = datetime(2026, 3, 1, 9)


def test_the_moment_is_now_for_this_year_or_a_later_one_and_the_end_of_a_past_year():
    assert reference_moment(2026, NOW) == NOW
    assert reference_moment(2027, NOW) == NOW  # the future is not counted ahead of time
    assert reference_moment(2025, NOW) == datetime(2026, 1, 1)  # the exclusive start of the next year
    assert reference_moment(2019, NOW) == datetime(2020, 1, 1)
    # the first instant of a year: the year before has just ended
    assert reference_moment(2025, datetime(2026, 1, 1)) == datetime(2026, 1, 1)


def test_a_certificate_that_expired_yesterday_no_longer_stands_one_expiring_tomorrow_still_does():
    assert not holds(ISSUED, NOW - timedelta(days=1), None, NOW)
    assert holds(ISSUED, NOW + timedelta(days=1), None, NOW)
    assert not holds(ISSUED, NOW, None, NOW)  # expiring at the very moment: expired
    assert holds(ISSUED, None, None, NOW)  # no expiry: stands for good


def test_a_revoked_certificate_never_stands_whatever_its_expiry():
    assert not holds(ISSUED, None, NOW - timedelta(days=30), NOW)
    assert not holds(ISSUED, NOW + timedelta(days=300), NOW - timedelta(days=30), NOW)


def test_a_certificate_stands_only_from_its_issue():
    assert holds(NOW, None, None, NOW)  # issued by the moment, that instant included
    assert not holds(NOW + timedelta(seconds=1), None, None, NOW)


def test_a_renewal_keeps_the_learner_current_after_the_first_certificate_expires():
    """A renewal is a new certificate: the first expired yesterday, the renewal stands."""
    first = (datetime(2025, 12, 1), NOW - timedelta(days=1), None)
    renewal = (NOW - timedelta(days=3), NOW + timedelta(days=362), None)
    assert [holds(*first, NOW), holds(*renewal, NOW)] == [False, True]
    assert any(holds(*certificate, NOW) for certificate in (first, renewal))


def test_a_past_year_is_judged_at_its_end():
    """Seen today, the report of 2025 counts the certificates that stood when 2025 ended."""
    moment = reference_moment(2025, NOW)
    assert holds(datetime(2025, 5, 1), datetime(2026, 5, 1), None, moment)  # expired since, but stood then
    assert not holds(datetime(2025, 5, 1), datetime(2025, 12, 31, 23, 59), None, moment)  # expired in 2025
    assert not holds(datetime(2025, 5, 1), datetime(2026, 1, 1), None, moment)  # expired as 2025 ended
    assert not holds(datetime(2026, 2, 1), None, None, moment)  # issued after 2025
