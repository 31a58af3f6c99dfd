"""Which reports a person may read: one rule for the dashboard, its downloads, the API and the CLI."""

from __future__ import annotations

from learnhub import reference
from learnhub.models import User
from learnhub.models.base import utcnow

FIRST_YEAR = 2000


def countries_in_scope(user: User) -> list[str]:
    """An analyst's own countries; every EU and CELAC state for an admin; none for any other role.

    Read at every request, so a scope or role changed by an administrator applies at once, to cookies
    and API tokens alike.
    """
    if user.has_role("admin"):
        return sorted(reference.country_regions())
    if user.has_role("analyst"):
        return sorted(user.countries_in_scope)
    return []


def year_reported(year: int) -> bool:
    """Reports exist from 2000 to next year (targets are set ahead); other years answer "not found"."""
    return FIRST_YEAR <= year <= utcnow().year + 1
