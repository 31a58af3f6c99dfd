"""Password rules and hashing."""

from __future__ import annotations

import argon2.profiles
import pytest
from argon2 import PasswordHasher

from learnhub.services import passwords


@pytest.mark.parametrize(("password", "problem"), [
    ("elevenchars", "too-short"),
    ("a" * 11, "too-short"),
    ("x" * 129, "too-long"),
    ("password1234", "common"),
    ("PASSWORD1234!", "common"),
    ("123456789012", "common"),
    ("contraseña123", "common"),
    ("zzzzzzzzzzzzzzzz", "common"),
    ("ababababababab", "common"),
    ("lucia.fernandez", "personal"),
    ("luciafernandez2024", "personal"),
])
def test_unacceptable_passwords(password, problem):
    assert passwords.password_problem(password, email="lucia.fernandez@map.gob.do", name="Lucía Fernández") == problem


@pytest.mark.parametrize("password", [
    "pan de agua con café", "abcxyz-qrs-12", "Ñandú-corre-por-la-pampa", "ab c" * 32,
    "emoji passphrase 🌴🌊☀️ ok",
])
def test_acceptable_passwords(password):
    assert passwords.password_problem(password, email="lucia@map.gob.do", name="Lucía") is None


def test_no_truncation_every_character_counts():
    long = "correct horse battery staple " * 4  # 116 characters
    stored = passwords.hash_password(long)
    assert passwords.verify_password(stored, long)
    assert not passwords.verify_password(stored, long[:-1] + "X")
    assert stored.startswith("$argon2id$")


def test_unknown_account_check_is_false_not_an_error():
    assert passwords.verify_password(None, "anything at all") is False
    assert passwords.verify_password("not-a-hash", "anything at all") is False


def test_new_hashes_get_rfc_9106_low_memory_parameters():
    """The suite hashes with cheap parameters (tests/conftest.py); what production uses is checked here."""
    assert passwords.PARAMETERS == argon2.profiles.RFC_9106_LOW_MEMORY
    stored = PasswordHasher.from_parameters(passwords.PARAMETERS).hash("pan de agua con café")
    assert "$m=65536,t=3,p=4$" in stored


def test_weaker_hashes_need_an_upgrade():
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash("pan de agua con café")
    assert passwords.needs_rehash(weak)
    assert not passwords.needs_rehash(passwords.hash_password("pan de agua con café"))


def test_common_list_is_bundled_and_large():
    assert len(passwords.common_passwords()) > 10_000
    assert "qwertyuiop123" in passwords.common_passwords()
