"""Cell-key perturbation: every published count is moved by a small, fixed amount before suppression, so
adding known learners to a cell never lets anyone work out the rest of it exactly (issue 11, decision 0025).

The method (a variant of the cell-key method of the Australian Bureau of Statistics and the UK's ONS):

- Each cell of a report (country, year, cut, row, metric) has a *cell key*: HMAC-SHA-256 of its
  coordinates under a key derived from the application's secret key, reduced to 0..255. Every instance
  shares the secret key, so every instance, format and read gives the same cell the same key.
- The *perturbation table* maps the cell key to a noise from -2 to +2 with mean zero (``NOISE``: 0 for
  40 % of the keys, +1 and -1 for 20 % each, +2 and -2 for 10 % each).
- The published count is the true count plus that noise, never below 0; a true 0 stays 0.
- Suppression (``suppression.py``) then runs on the published counts: a published 1 to k-1 is hidden,
  with complementary suppression as before.

Why the key comes from the cell and not from its records (ABS sums a random key per record): with record
keys, every learner who joins or leaves a cell draws the noise afresh. Someone who adds accounts one at a
time, or moves their own accounts in and out of a cell by editing their profiles, gets one independent draw
per step, and as soon as they have seen the noise at both ends of its range (+2 once and -2 once) the true
count is pinned down exactly (tests/unit/test_perturbation.py shows it). With a key per cell the noise of a
cell stays the same whatever is added: the adversary learns the true count plus an unknown fixed noise, that
is the true count to within the noise's range, and never exactly. The cost: figures do not move with every
learner, and whoever knows a cell's true count at one moment (an adversary who filled an empty cell alone)
knows its noise from then on; see the decision record for that residual risk.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app

__all__ = ["BOUND", "KEY_RANGE", "NOISE", "CellKeys", "for_app", "noise_of", "publish"]

KEY_RANGE = 256
"""Cell keys are 0..KEY_RANGE-1."""

NOISE: tuple[tuple[int, int], ...] = ((-2, 26), (-1, 51), (0, 102), (1, 51), (2, 26))
"""The perturbation table: (noise, how many of the 256 cell keys give it), in key order. Mean 0."""

BOUND = max(abs(noise) for noise, _ in NOISE)
"""The furthest a published count is from the true count."""

_DOMAIN = b"learnhub coverage cell keys v1"


def noise_of(cell_key: int) -> int:
    """The perturbation table: the noise a cell with this key receives."""
    if not 0 <= cell_key < KEY_RANGE:
        raise ValueError(f"cell keys are 0..{KEY_RANGE - 1}")
    upper = 0
    for noise, keys in NOISE:
        upper += keys
        if cell_key < upper:
            return noise
    raise AssertionError("the perturbation table covers every key")  # pragma: no cover


def publish(count: int, noise: int) -> int:
    """The published value of a true count: count + noise, never below 0, and a true 0 stays 0 (an empty
    cell reveals nobody, and noise on it would only make every table's zeros unreliable)."""
    if count < 0:
        raise ValueError("counts cannot be negative")
    return 0 if count == 0 else max(0, count + noise)


@dataclass(frozen=True)
class CellKeys:
    """The cell keys of one deployment (one secret): the same cell always gets the same noise."""

    secret: bytes

    def cell_key(self, country: str, year: int, cut: str, key: str, metric: str) -> int:
        return _cell_key(self.secret, country, year, cut, key, metric)

    def noise(self, country: str, year: int, cut: str, key: str, metric: str) -> int:
        return noise_of(self.cell_key(country, year, cut, key, metric))

    def publish(self, count: int, country: str, year: int, cut: str, key: str, metric: str) -> int:
        """The published value of the cell (country, year, cut, key, metric) whose true count is `count`.
        `year` is the rollup's year: 0 for the population."""
        return publish(count, self.noise(country, year, cut, key, metric))


@functools.lru_cache(maxsize=65536)
def _cell_key(secret: bytes, country: str, year: int, cut: str, key: str, metric: str) -> int:
    """Remembered: a report has a few hundred cells and the same ones are read again and again (an HMAC costs
    a few microseconds; 65,536 keys, a few MB, hold every cell of all 60 countries for several years)."""
    message = "\x1f".join((country, str(year), cut, key, metric)).encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") % KEY_RANGE


def for_app(app=None) -> CellKeys:
    """The cell keys of the running application, derived from its secret key (never the secret itself)."""
    app = app or current_app
    secret = app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else bytes(secret)
    return CellKeys(hmac.new(secret, _DOMAIN, hashlib.sha256).digest())
