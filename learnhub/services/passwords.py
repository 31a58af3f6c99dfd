"""Password rules (NIST SP 800-63B style) and hashing with Argon2id.

Length is what counts: 12 to 128 characters, nothing truncated, no composition rules, and common or
guessable passwords refused. Hashes older than the current parameters are upgraded at login.
"""

from __future__ import annotations

import string
import unicodedata
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 128
_COMMON_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
# Argon2id with RFC 9106's "low memory" profile (t=3, m=64 MiB, p=4): the parameters every new hash gets.
PARAMETERS = profiles.RFC_9106_LOW_MEMORY
_hasher = PasswordHasher.from_parameters(PARAMETERS)
# Verified against when the e-mail is unknown, so a login takes as long whether or not the account exists.
_DUMMY_HASH = _hasher.hash("learnhub-timing-equaliser")


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def _letters(text: str) -> str:
    """Only letters and digits, case and accents folded: 'Lucía Fernández' and 'lucia.fernandez' agree."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def _stem(password: str) -> str:
    return password.casefold().strip(string.digits + string.punctuation + string.whitespace)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why `password` is not acceptable, as a code the form turns into a message; None when it is fine.

    Codes: "too-short", "too-long", "common", "personal".
    """
    if len(password) < MIN_LENGTH:
        return "too-short"
    if len(password) > MAX_LENGTH:
        return "too-long"
    folded = password.casefold()
    common = common_passwords()
    if folded in common or _stem(password) in common or len(set(folded)) <= 2:
        return "common"
    personal = {_letters(email), _letters(email.split("@")[0]), _letters(name)} - {""}
    if _letters(password) in personal or _letters(_stem(password)) in personal:
        return "personal"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant-work check: an unknown account still pays for one Argon2 verification."""
    real = stored_hash is not None and stored_hash.startswith("$argon2")
    try:
        # Accounts without a usable hash (unknown, invited) still pay for one verification.
        return _hasher.verify(stored_hash if real else _DUMMY_HASH, password) and real
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
