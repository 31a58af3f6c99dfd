"""Write questions as GIFT that Moodle's importer and LearnHub's reader both read back to the same questions.

The output is canonical: reading it and writing the questions again gives the same bytes. Its layout is
close to Moodle's exporter, so a trainer who knows one reads the other:

    $CATEGORY: security/phishing          (its own block, whenever the category changes)

    // [id:PH-07] [tag:email] [tag:awareness]
    ::red-flags::[markdown]Which are **red flags**?{
    \t~%50%An urgent deadline#Yes.
    \t~%50%A sender you do not know
    \t~%-100%Your own name
    \t####Urgency and strangers are the classic levers.
    }

A question text is written on the name's line with its line breaks as ``\\n``; each answer on a line of its
own, after a tab; a blank line after every question. Unnamed questions stay unnamed (their id comes from
their text again). What each type writes between the braces is its class's ``write_gift``.
"""

from __future__ import annotations

from collections.abc import Iterable

from learnhub.content.gift_answers import looks_like_format
from learnhub.content.gift_text import GiftWriteError, PartWriter, escape
from learnhub.content.questions import Question

__all__ = ["GiftWriteError", "write_gift"]


def write_gift(questions: Iterable[Question]) -> str:
    """The questions as one GIFT file. Raises GiftWriteError for a question GIFT cannot express."""
    out: list[str] = []
    category = ""
    for question in questions:
        if question.category != category:
            category = question.category
            out.append(f"$CATEGORY: {category}".rstrip() + "\n\n")
        out.append(_question(question) + "\n\n")
    return "".join(out)


def _question(question: Question) -> str:
    writer = PartWriter(question.format, dict(question.formats))
    head = _metadata(question)
    if question.named:
        head += f"::{escape(question.id)}::"
    text = question.text
    protect = looks_like_format(text) or (not question.named and text.startswith("//"))
    if question.format != "moodle" or protect:
        head += f"[{question.format}]"
    head += escape(text)
    lines = question.kind.write_gift(question, writer)
    if lines is None:
        return head
    if question.general_feedback:
        lines = [*lines, "####" + writer.part("general_feedback", question.general_feedback)]
    opening = question.kind.gift_opening
    block = "{" + opening + ("\n" + "".join(f"\t{line}\n" for line in lines) if lines else "") + "}"
    return head + block + escape(question.text_after)


def _metadata(question: Question) -> str:
    """Moodle's comment line for the idnumber and tags, or "" when the question has neither."""
    bits = []
    if question.idnumber:
        bits.append("[id:" + question.idnumber.replace("]", "\\]") + "]")
    bits.extend("[tag:" + tag.replace("]", "\\]") + "]" for tag in question.tags)
    return "// " + " ".join(bits) + "\n" if bits else ""
