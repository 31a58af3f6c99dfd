"""On a 390-pixel phone a wide table scrolls inside its own box instead of widening the page: every table in
the templates sits in a focusable, labelled `.table-wrap` region (keyboard users can scroll it too)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "learnhub" / "templates"
# The region is named by its own text (aria-label) or by the heading above it (aria-labelledby).
WRAPPER = re.compile(r'<div class="table-wrap" role="region" aria-label(?:ledby)?="[^"]+" tabindex="0">\s*$')


def unwrapped_tables() -> list[str]:
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        lines = template.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if line.lstrip().startswith("<table"):
                previous = next((text for text in reversed(lines[:number]) if text.strip()), "")
                if not WRAPPER.search(previous):
                    found.append(f"{template.relative_to(TEMPLATES)}:{number + 1}")
    return found


def test_every_table_scrolls_in_a_labelled_region():
    assert unwrapped_tables() == []


def test_the_check_finds_a_bare_table(tmp_path, monkeypatch):
    (tmp_path / "bare.html").write_text("<h1>x</h1>\n<table><tr><td>1</td></tr></table>\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "TEMPLATES", tmp_path)
    assert unwrapped_tables() == ["bare.html:2"]
