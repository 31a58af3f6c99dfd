"""The one rule for characters nobody types: learnhub.text.clean_line and clean_text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from learnhub.text import clean_line, clean_text, has_control


def test_one_line_text_turns_breaks_into_spaces_and_drops_other_controls():
    assert clean_line("Ana\x07 María\x0bPérez\x00") == "Ana María Pérez"
    assert clean_line("Hospital\tSan\r\nJuan\u2028Norte\x85Sur") == "Hospital San  Juan Norte Sur"
    assert clean_line("\x1b[31mred\x9b") == "[31mred"


def test_multi_line_text_keeps_tab_and_line_breaks():
    typed = "Good plan.\r\n\tAdd who\x07 calls\x0b the CSIRT.\x00"
    assert clean_text(typed) == "Good plan.\r\n\tAdd who calls the CSIRT."


def test_letters_of_every_script_and_emoji_are_kept():
    text = "Zoë Ørsted · 東京 · Ñandú · مرحبا · 🙂 · «¿Qué?»"
    assert clean_line(text) == clean_text(text) == text and not has_control(text)


@given(st.text())
def test_cleaned_text_has_no_control_characters_left(text):
    line, block = clean_line(text), clean_text(text)
    assert not has_control(line) and not has_control(block)
    assert not any(char in line for char in "\t\n\r\x0b\x0c\x85\u2028\u2029")
    assert clean_line(line) == line and clean_text(block) == block
