"""Read a quiz written in GIFT, Moodle's quiz text format, into :class:`Question` values, as Moodle's importer
(question/format/gift/format.php) reads it; where LearnHub is stricter, it says so with an error that
names what Moodle would do (docs/course-format.md lists every difference).

The file and the question:

- Questions are separated by blank lines (whitespace only). ``//`` lines (after optional indentation)
  are comments wherever they are and do not separate questions; ``//`` later on a line is text. As in
  Moodle, ``[id:...]`` and ``[tag:...]`` in a question's comment lines give its idnumber and tags.
- A block whose first line is ``$CATEGORY: path`` sets the category of the questions that follow. Moodle
  reads the whole block as the category; LearnHub reads the rest of the block as a question and warns.
- ``::Name::`` at the start names the question; a ``::`` never closed is an error (Moodle reads it as
  text). ``[moodle]`` ``[html]`` ``[markdown]`` ``[plain]`` right after the name sets the format of the
  question text, which every other part inherits unless it has a marker of its own (gift_answers).
- Escapes ``\\~ \\= \\# \\{ \\} \\: \\\\`` give the character, ``\\n`` a newline; any other backslash is
  kept as it is. Only ``{`` and ``}`` are special in the question text, so "1+1=2 {T}" reads as Moodle
  reads it. The question text keeps its inner line breaks. When text follows the answer block (missing
  word), the whitespace next to the blank is kept, so ``text + blank + text_after`` reads as authored.
- ``####`` in the answer block starts the general feedback; with several, the last one does (Moodle's
  rule), and the earlier ones are read as part of the answers, with a warning.
- The answer block decides the type: each type in ``learnhub.content.qtypes.TYPES`` is asked in turn,
  in Moodle's order, whether it claims the block, and reads it.
- Without a ``::Name::`` the id is ``q-`` and 12 hex digits of the SHA-1 of the question text with its
  whitespace collapsed; two unnamed questions with the same text get ``-2``, ``-3``... in file order.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from learnhub.content.gift_answers import AnswerBlock, read_format
from learnhub.content.gift_source import Block, GiftSyntaxError, SourceBlock, blocks, snippet
from learnhub.content.problems import Problem
from learnhub.content.qtypes import TYPES
from learnhub.content.questions import Question

__all__ = ["GiftSyntaxError", "derived_id", "parse_gift"]

_CATEGORY = "$CATEGORY:"
_MISSING_NAME = "question has no ::name::; editing its text will make it a new question"
# Moodle's patterns: an idnumber of any printable characters but ']' (written '\]'); a tag the same, without
# '<', '>' or '`'. Both are trimmed.
_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])*)\]")


def parse_gift(text: str, path: str) -> tuple[list[Question], list[Problem]]:
    """Questions in file order, plus non-fatal Problems (warnings and semantic errors) located at `path`
    and a line, in line order.

    Raises GiftSyntaxError, and nothing else, for syntax it cannot read; the first such error stops the
    reading. Runs in time roughly linear in the size of ``text``.
    """
    drafts: list[_Draft] = []
    problems: list[Problem] = []
    category = ""
    for source in blocks(text):
        block_lines = source.lines
        first = block_lines[0][1].strip()
        if first.startswith(_CATEGORY):
            category = first[len(_CATEGORY) :].strip()
            block_lines = block_lines[1:]
            if not block_lines:
                continue
            problems.append(Problem(path, block_lines[0][0], "warning",
                                    "Moodle reads a question in the same block as its $CATEGORY line as part of "
                                    "the category's name; put a blank line after the $CATEGORY line"))
        draft = _read_question(Block(block_lines), category, source)
        problems.extend(Problem(path, line, "warning", message) for line, message in draft.warnings)
        drafts.append(draft)

    questions = _with_ids(drafts, path, problems)
    for question in questions:
        if not question.text.strip() and not question.text_after.strip():
            problems.append(Problem(path, question.line, "error", "question has no text"))
        for message in question.check():
            problems.append(Problem(path, question.line, "error", message))
    problems.sort(key=lambda problem: problem.line)
    return questions, problems


# --- one question ------------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A question read from its block, before ids are given out across the file."""

    name: str | None
    fields: dict
    warnings: list[tuple[int, str]]


def _read_question(block: Block, category: str, source: SourceBlock) -> _Draft:
    """The question in ``block``: name, format, text, answer block and the text after it; no id yet."""
    start = block.skip_space(0, block.end)
    line = block.line_at(start)
    opening = block.find("{", start, block.end)
    head_end = opening if opening != -1 else block.end

    name = None
    if block.marks.startswith("::", start):
        close = block.find("::", start + 2, head_end)
        if close == -1:
            raise GiftSyntaxError(
                block.line_at(head_end - 1),
                f"expected '::' to close the question name opened on line {line}",
            )
        name = block.text[start + 2 : close].strip()
        if not name:
            raise GiftSyntaxError(line, "expected a question name between '::' and '::'")
        start = close + 2

    text_format, start = read_format(block, start, head_end)
    start = block.skip_space(start, block.end)

    stray = block.find("}", start, head_end)
    if stray != -1:
        raise GiftSyntaxError(block.line_at(stray), "unexpected '}' with no '{' before it")

    idnumber, tags = _metadata(source.comments)
    fields: dict = {"format": text_format or "moodle", "category": category, "line": line, "idnumber": idnumber,
                    "tags": tags}
    lines = {"text": block.line_at(start)}
    if opening == -1:
        answers = AnswerBlock(None, line=line)
        fields.update(text=block.text[start:].strip())
    else:
        closing = _closing(block, opening)
        text_after = block.text[closing + 1 :].rstrip()
        text = block.text[start:opening].lstrip()
        if not text_after.strip():
            text, text_after = text.rstrip(), ""
        lines["text_after"] = block.line_at(closing)
        fields.update(text=text, text_after=text_after)
        answers = _answer_block(block, opening, closing, fields)
    kind = next(kind for kind in TYPES if kind.claims(answers))
    fields.update(type=kind.name, **kind.read_gift(answers))
    lines.update(answers.lines)
    formats = {key: fmt for key, fmt in answers.formats.items() if fmt != fields["format"]}
    fields.update(formats=tuple(sorted(formats.items())), lines=tuple(sorted(lines.items())))
    return _Draft(name, fields, answers.warnings)


def _closing(block: Block, opening: int) -> int:
    """The brace that closes the answer block opened at ``opening``; anything else is a syntax error."""
    closing = block.find("}", opening + 1, block.end)
    nested = block.find("{", opening + 1, closing if closing != -1 else block.end)
    opened_on = block.line_at(opening)
    if nested != -1:
        raise GiftSyntaxError(
            block.line_at(nested),
            f"unexpected '{{' inside the answer block opened on line {opened_on}; write '\\{{' for a brace",
        )
    if closing == -1:
        raise GiftSyntaxError(
            block.last_line, f"expected '}}' to close the answer block opened on line {opened_on}"
        )
    brace = block.find("{", closing + 1, block.end)
    stray = block.find("}", closing + 1, block.end)
    if brace != -1 and (stray == -1 or brace < stray):
        raise GiftSyntaxError(
            block.line_at(brace),
            f"unexpected '{{' after the answer block closed on line {block.line_at(closing)}; "
            "separate questions with a blank line",
        )
    if stray != -1:
        raise GiftSyntaxError(block.line_at(stray), "unexpected '}' with no '{' before it")
    return closing


def _answer_block(block: Block, opening: int, closing: int, fields: dict) -> AnswerBlock:
    """The answers between the braces, the general feedback (after the last ``####``) set aside."""
    general = block.marks.rfind("####", opening + 1, closing)
    answers = AnswerBlock(block, opening + 1, closing if general == -1 else general, block.line_at(opening))
    if general != -1:
        general_format, start = read_format(block, general + 4, closing)
        fields["general_feedback"] = block.text[start:closing].strip()
        answers.note("general_feedback", general_format, block.line_at(block.skip_space(start, closing)))
        earlier = block.find("####", opening + 1, general)
        if earlier != -1:
            answers.warn(block.line_at(earlier), "only the last '####' general feedback counts, as in Moodle; "
                                                 "this one is read as part of the answers before it")
    return answers


def _metadata(comments: list[str]) -> tuple[str, tuple[str, ...]]:
    """Moodle's idnumber (the first ``[id:...]``) and tags (every ``[tag:...]``) in the comment lines."""
    text = "\n".join(comments)
    found = _ID.search(text)
    idnumber = found.group(1).strip().replace("\\]", "]") if found else ""
    tags = tuple(tag.strip().replace("\\]", "]") for tag in _TAG.findall(text))
    return idnumber, tuple(tag for tag in tags if tag)


# --- ids ---------------------------------------------------------------------------------------------


def _with_ids(drafts: list[_Draft], path: str, problems: list[Problem]) -> list[Question]:
    """The questions with their ids: names as given (duplicates reported), else ids derived from the text."""
    named_on: dict[str, int] = {}
    for draft in drafts:
        if draft.name is None:
            continue
        if draft.name in named_on:
            problems.append(
                Problem(
                    path,
                    draft.fields["line"],
                    "error",
                    f"question name '{snippet(draft.name)}' is already used on line {named_on[draft.name]}",
                )
            )
        else:
            named_on[draft.name] = draft.fields["line"]

    taken = set(named_on)
    last_suffix: dict[str, int] = {}
    questions = []
    for draft in drafts:
        if draft.name is not None:
            questions.append(Question(id=draft.name, named=True, **draft.fields))
            continue
        problems.append(Problem(path, draft.fields["line"], "warning", _MISSING_NAME))
        base = derived_id(draft.fields["text"], draft.fields.get("text_after", ""))
        question_id, n = base, last_suffix.get(base, 1)
        while question_id in taken:
            n += 1
            question_id = f"{base}-{n}"
        last_suffix[base] = n
        taken.add(question_id)
        questions.append(Question(id=question_id, named=False, **draft.fields))
    return questions


def derived_id(text: str, text_after: str = "") -> str:
    """The id of an unnamed question: stable while its text is, whatever its answers or whitespace."""
    normalised = " ".join(text.split()) + "\0" + " ".join(text_after.split())
    digest = hashlib.sha1(normalised.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()
    return "q-" + digest[:12]
