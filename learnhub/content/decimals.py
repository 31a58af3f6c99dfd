"""Numbers in quizzes as exact decimals: how a plain number is written (GIFT answers and learners' responses
alike), the decimal a float was written as, the number a learner typed, and a fraction as a percentage.

Weights and ranges are stored as floats (JSON snapshots); every comparison and sum goes through `exact`, so
0.1 + 0.2 is 0.3 and 3.13 lies in 3.14±0.01, as the author meant.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""A plain decimal number, as GIFT answers and learners write them (no thousands separators)."""


def exact(number: float) -> Decimal:
    """The decimal a float was written as (0.1 -> Decimal("0.1"), not its binary expansion)."""
    return Decimal(repr(float(number)))


def read_number(response: Any) -> Decimal | None:
    """The number a learner typed, or None when it is not one.

    Accepts surrounding spaces, a sign, an exponent, and a decimal comma when there is no point
    ("3,14" -> 3.14); ints and finite floats are taken as they are.
    """
    if isinstance(response, bool):
        return None
    if isinstance(response, int):
        return Decimal(response)
    if isinstance(response, float):
        return exact(response) if math.isfinite(response) else None
    if not isinstance(response, str):
        return None
    typed = response.strip()
    if typed.count(",") == 1 and "." not in typed:
        typed = typed.replace(",", ".")
    if not NUMBER.fullmatch(typed):
        return None
    return Decimal(typed)


def percent(fraction: Decimal | float) -> str:
    """A fraction written as a percentage, without float noise: 0.9 -> "90%", 0.3333333 -> "33.33333%"."""
    value = fraction if isinstance(fraction, Decimal) else exact(fraction)
    return f"{(value * 100).normalize():f}%"
