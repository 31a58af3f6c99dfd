"""Read a quiz written in GIFT, Moodle's quiz text format, into :class:`Question` values.

The reading follows Moodle's GIFT documentation, with these decisions where it is silent or loose:

- Questions are separated by blank lines (whitespace only). ``//`` lines (after optional indentation)
  are comments wherever they are and do not separate questions; ``//`` later on a line is text.
- A block whose first line is ``$CATEGORY: path`` sets the category of the questions that follow; the
  rest of that block, if any, is a question.
- ``[moodle]`` ``[html]`` ``[markdown]`` ``[plain]`` (any case) right after the name sets the format of
  every text of the question; GIFT's default is moodle.
- Escapes ``\\~ \\= \\# \\{ \\} \\: \\\\`` give the character, ``\\n`` a newline; any other backslash is
  kept as it is. Only ``{`` and ``}`` are special in the question text, so "1+1=2 {T}" reads as Moodle
  reads it.
- The answer block decides the type: empty -> essay; starting with ``#`` -> numeric; T, TRUE, F or FALSE
  (any case) -> truefalse; any ``~`` answer -> choice or multi (see :func:`choice_type`); all ``=``
  answers with ``->`` -> matching; all ``=`` answers -> short. No braces -> description.
- A weight is ``%n%`` right after the answer marker, n a number in -100..100 (decimals allowed). As in
  Moodle, "= %50% ..." with a space is text, not a weight.
- The question text keeps its inner line breaks. When text follows the answer block (missing word),
  the whitespace next to the blank is kept, so ``text + blank + text_after`` reads as authored.
- Matching pairs with an empty prompt (``= -> answer``) are distractors; a pair takes no weight and no
  feedback.
- ``####`` inside the answer block starts the general feedback, which runs to the closing brace.
- Without a ``::Name::`` the id is ``q-`` and 12 hex digits of the SHA-1 of the question text with its
  whitespace collapsed; two unnamed questions with the same text get ``-2``, ``-3``... in file order.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from decimal import Decimal

from learnhub.content.decimals import NUMBER
from learnhub.content.gift_source import Block, blocks, snippet
from learnhub.content.problems import Problem
from learnhub.content.questions import Answer, MatchPair, NumericAnswer, Question

_FORMAT = re.compile(r"\[(moodle|html|markdown|plain)\]", re.IGNORECASE)
_MARKER = re.compile(r"[=~]")
_BRACE = re.compile(r"[{}]")
_WEIGHT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_CATEGORY = "$CATEGORY:"
_MISSING_NAME = "question has no ::name::; editing its text will make it a new question"


class GiftSyntaxError(ValueError):
    """GIFT the parser cannot read: ``line`` (1-based, in the file) and ``message`` (what was expected)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message

    def __reduce__(self):  # keeps the error picklable despite its two-argument constructor
        return (type(self), (self.line, self.message))


def parse_gift(text: str, path: str) -> tuple[list[Question], list[Problem]]:
    """Questions in file order, plus non-fatal Problems (warnings and semantic errors) located at `path`
    and a line, in line order.

    Raises GiftSyntaxError, and nothing else, for syntax it cannot read; the first such error stops the
    reading. Runs in time roughly linear in the size of ``text``.
    """
    drafts: list[_Draft] = []
    problems: list[Problem] = []
    category = ""
    for block_lines in blocks(text):
        first = block_lines[0][1].strip()
        if first.startswith(_CATEGORY):
            category = first[len(_CATEGORY) :].strip()
            block_lines = block_lines[1:]
            if not block_lines:
                continue
        drafts.append(_read_question(Block(block_lines), category))

    questions = _with_ids(drafts, path, problems)
    for question in questions:
        if not question.text.strip() and not question.text_after.strip():
            problems.append(Problem(path, question.line, "error", "question has no text"))
        for message in question.check():
            problems.append(Problem(path, question.line, "error", message))
    problems.sort(key=lambda problem: problem.line)
    return questions, problems


def choice_type(choices: tuple[Answer, ...]) -> str:
    """The type of a multiple choice question: "choice" when a choice is worth 100%, else "multi".

    A "choice" question takes one answer (radio buttons), a "multi" question several (check boxes).

    This is Moodle's rule: its importer allows several answers exactly when no answer is marked ``=``,
    that is when the author split the marks with ``~%n%`` weights. So ``{=a ~%50%b ~c}`` is a single
    choice with partial credit for b, ``{=a =b ~c}`` a single choice with two right answers, and
    ``{~%50%a ~%50%b ~%-100%c}`` a multiple-answer question, whose positive weights must add up to 100%.
    """
    return "choice" if any(c.weight == 1 for c in choices) else "multi"


# --- one question ------------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A question read from its block, before ids are given out across the file."""

    name: str | None
    fields: dict


def _read_question(block: Block, category: str) -> _Draft:
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
        start = block.skip_space(close + 2, block.end)

    text_format = "moodle"
    found = _FORMAT.match(block.marks, start, head_end)
    if found:
        text_format = found.group(1).lower()
        start = found.end()

    stray = block.find("}", start, head_end)
    if stray != -1:
        raise GiftSyntaxError(block.line_at(stray), "unexpected '}' with no '{' before it")

    fields: dict = {"format": text_format, "category": category, "line": line}
    if opening == -1:
        fields.update(type="description", text=block.text[start:].strip())
        return _Draft(name, fields)

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
    brace = _BRACE.search(block.marks, closing + 1)
    if brace and brace.group() == "{":
        raise GiftSyntaxError(
            block.line_at(brace.start()),
            f"unexpected '{{' after the answer block closed on line {block.line_at(closing)}; "
            "separate questions with a blank line",
        )
    if brace:
        raise GiftSyntaxError(block.line_at(brace.start()), "unexpected '}' with no '{' before it")

    text_after = block.text[closing + 1 :].rstrip()
    text = block.text[start:opening].lstrip()
    if not text_after.strip():
        text, text_after = text.rstrip(), ""
    fields.update(text=text, text_after=text_after)
    fields.update(_read_answers(block, opening + 1, closing))
    return _Draft(name, fields)


def _read_answers(block: Block, start: int, end: int) -> dict:
    """The type and type-specific fields of the answer block in [start, end), with general feedback."""
    fields: dict = {}
    general = block.find("####", start, end)
    if general != -1:
        fields["general_feedback"] = block.text[general + 4 : end].strip()
        end = general
    start = block.skip_space(start, end)
    while end > start and block.text[end - 1].isspace():
        end -= 1

    if start == end:
        fields["type"] = "essay"
    elif block.marks[start] == "#":
        fields.update(type="numeric", numbers=_read_numbers(block, start + 1, end, block.line_at(start)))
    else:
        hash_at = block.find("#", start, end)
        head = block.text[start : end if hash_at == -1 else hash_at].strip()
        truth = _TRUE_FALSE.get(head.upper())
        if truth is not None:
            fields.update(type="truefalse", truth=truth, **_read_true_false_feedback(block, hash_at, end))
        else:
            fields.update(_read_marked(block, start, end))
    return fields


def _read_true_false_feedback(block: Block, hash_at: int, end: int) -> dict:
    """``#wrong#right`` after T or F: the feedback for a wrong answer, then for a right one."""
    feedbacks: list[str] = []
    while hash_at != -1:
        following = block.find("#", hash_at + 1, end)
        if len(feedbacks) == 2:
            raise GiftSyntaxError(
                block.line_at(hash_at),
                "expected at most two feedbacks after a true/false answer ('#wrong#right')",
            )
        feedbacks.append(block.text[hash_at + 1 : end if following == -1 else following].strip())
        hash_at = following
    feedbacks += [""] * (2 - len(feedbacks))
    return {"feedback_wrong": feedbacks[0], "feedback_right": feedbacks[1]}


@dataclass
class _Part:
    """One answer of an answer block: its marker ('=', '~', or '' for a lone numerical answer)."""

    marker: str
    line: int
    weight: Decimal | None
    body: str
    feedback: str | None


def _split_answers(block: Block, start: int, end: int) -> list[_Part]:
    """The answers in [start, end), each starting at an unescaped '=' or '~'."""
    positions = [m.start() for m in _MARKER.finditer(block.marks, start, end)]
    first = positions[0] if positions else end
    lead = block.skip_space(start, first)
    if lead < first:
        raise GiftSyntaxError(
            block.line_at(lead), f"expected '=' or '~' before answer '{block.snippet(lead, first)}'"
        )
    bounds = zip(positions, [*positions[1:], end], strict=True)
    return [_read_part(block, block.marks[s], s + 1, e) for s, e in bounds]


def _read_part(block: Block, marker: str, start: int, end: int) -> _Part:
    """An answer after its marker: optional ``%weight%``, the answer text, optional ``#feedback``."""
    line = block.line_at(max(start - 1, 0))
    weight = None
    feedback_at = block.find("#", start, end)
    body_end = end if feedback_at == -1 else feedback_at
    if start < body_end and block.marks[start] == "%":
        closing = block.find("%", start + 1, body_end)
        if closing != -1:
            weight = _weight(block.text[start + 1 : closing].strip(), line)
            start = closing + 1
    feedback = None if feedback_at == -1 else block.text[feedback_at + 1 : end].strip()
    return _Part(marker, line, weight, block.text[start:body_end].strip(), feedback)


def _weight(written: str, line: int) -> Decimal:
    """A ``%n%`` weight as a fraction, checked to be a number in -100..100."""
    if not _WEIGHT.fullmatch(written):
        raise GiftSyntaxError(line, f"weight '%{written}%' is not a number")
    value = Decimal(written)
    if not -100 <= value <= 100:
        raise GiftSyntaxError(line, f"weight {written}% is outside -100%..100%")
    return value / 100


def _read_marked(block: Block, start: int, end: int) -> dict:
    """A multiple choice, matching or short-answer block."""
    parts = _split_answers(block, start, end)
    for part in parts:
        if not part.body:
            raise GiftSyntaxError(part.line, f"empty answer after '{part.marker}'")

    if any(p.marker == "~" for p in parts):
        choices = tuple(
            Answer(p.body, _fraction(p.weight, 1 if p.marker == "=" else 0), p.feedback or "") for p in parts
        )
        return {"type": choice_type(choices), "choices": choices}

    if any("->" in p.body for p in parts):
        pairs: list[MatchPair] = []
        distractors: list[str] = []
        for part in parts:
            prompt, answer = _read_pair(part)
            if prompt:
                pairs.append(MatchPair(prompt, answer))
            else:
                distractors.append(answer)
        return {"type": "matching", "pairs": tuple(pairs), "distractors": tuple(distractors)}

    accepted = tuple(Answer(p.body, _fraction(p.weight, 1), p.feedback or "") for p in parts)
    return {"type": "short", "accepted": accepted}


def _read_pair(part: _Part) -> tuple[str, str]:
    """A matching pair ``prompt -> answer``; an empty prompt makes the answer a distractor."""
    if part.weight is not None:
        raise GiftSyntaxError(part.line, f"matching pair '{snippet(part.body)}' cannot have a weight")
    if part.feedback is not None:
        raise GiftSyntaxError(
            part.line, f"matching pair '{snippet(part.body)}' cannot have '#feedback'; write '\\#' for a '#'"
        )
    if "->" not in part.body:
        raise GiftSyntaxError(part.line, f"expected '->' in matching pair '{snippet(part.body)}'")
    prompt, answer = (side.strip() for side in part.body.split("->", 1))
    if not answer:
        raise GiftSyntaxError(part.line, f"matching pair '{snippet(prompt)}' has no answer after '->'")
    return prompt, answer


def _fraction(weight: Decimal | None, default: int) -> float:
    """The weight as a float fraction, or the marker's default (1 for '=', 0 for '~') when none was given."""
    return float(default if weight is None else weight)


# --- numbers -----------------------------------------------------------------------------------------


def _read_numbers(block: Block, start: int, end: int, line: int) -> tuple[NumericAnswer, ...]:
    """The answers of a numerical block after its '#': one bare answer, or several marked with '='/'~'."""
    if block.skip_space(start, end) == end:
        raise GiftSyntaxError(line, "expected a number after '#'")
    if _MARKER.search(block.marks, start, end):
        parts = _split_answers(block, start, end)
    else:
        parts = [_read_part(block, "", start, end)]
        parts[0].line = line
    answers = []
    for part in parts:
        if not part.body:
            raise GiftSyntaxError(part.line, f"empty answer after '{part.marker or '#'}'")
        low, high, value = _read_range(part.body, part.line)
        weight = _fraction(part.weight, 0 if part.marker == "~" else 1)
        answers.append(NumericAnswer(low, high, weight, part.feedback or "", value))
    return tuple(answers)


def _read_range(written: str, line: int) -> tuple[float, float, float | None]:
    """(low, high, stated value) of ``value``, ``value:tolerance`` or ``low..high``."""
    if ".." in written:
        low_text, high_text = written.split("..", 1)
        low, high = _number(low_text, written, line), _number(high_text, written, line)
        if low > high:
            raise GiftSyntaxError(line, f"numerical range '{snippet(written)}' has its low end above its high end")
        return _finite(low, written, line), _finite(high, written, line), None
    value_text, colon, tolerance_text = written.partition(":")
    value = _number(value_text, written, line)
    tolerance = _number(tolerance_text, written, line) if colon else Decimal(0)
    if tolerance < 0:
        raise GiftSyntaxError(line, f"numerical tolerance in '{snippet(written)}' is negative")
    return (
        _finite(value - tolerance, written, line),
        _finite(value + tolerance, written, line),
        _finite(value, written, line),
    )


def _number(text: str, written: str, line: int) -> Decimal:
    """A number of a numerical answer; its size is checked so later arithmetic cannot overflow."""
    text = text.strip()
    if not NUMBER.fullmatch(text) or not math.isfinite(float(text)):
        raise GiftSyntaxError(line, f"numerical answer '{snippet(written)}' is not a number")
    return Decimal(text)


def _finite(value: Decimal, written: str, line: int) -> float:
    """``value`` as a float, refused when a float cannot hold it."""
    number = float(value)
    if not math.isfinite(number):
        raise GiftSyntaxError(line, f"numerical answer '{snippet(written)}' is out of range")
    return number


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
