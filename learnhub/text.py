"""Comparing people's text the way people expect: case and accents do not matter."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Contraseña" and "CONTRASENA" fold alike; used to search and sort."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
