"""Redirect targets after login: only paths on this site."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learnhub.security import safe_next_url

REFUSED = [
    None, "", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example",
    "https://evil.example", "http:/evil.example", "javascript:alert(1)", "JavaScript:alert(1)",
    "data:text/html,hi", "/%2F%2Fevil.example", "%2F%2Fevil.example", "/%5Cevil.example", "/%252F%252Fevil",
    "/\t/evil.example", "/\n/evil.example", "\t//evil.example", " /account", "/account\r\nSet-Cookie: x=1",
    "evil.example", "./account", "/%09/evil.example",
]


@pytest.mark.parametrize("target", REFUSED)
def test_refused_targets(target):
    assert safe_next_url(target) is None


@pytest.mark.parametrize("target", ["/", "/account/profile", "/courses/phishing?tab=2#quiz", "/búsqueda"])
def test_local_paths_are_kept(target):
    assert safe_next_url(target) == target


@given(st.text(max_size=60))
def test_anything_accepted_is_a_plain_local_path(target):
    result = safe_next_url(target)
    if result is not None:
        assert result.startswith("/") and not result.startswith("//") and "\\" not in result
