"""Matching: each prompt gets a select of answers; the score is the fraction of prompts matched right.

GIFT: an answer block without ``~`` holding ``=`` and ``->`` (anywhere, as Moodle tests it):
``{=Canada -> Ottawa =Italy -> Rome = -> Paris}``; a pair with no prompt adds a distractor. A prompt may
start with a ``[format]`` marker; an answer is plain text, as in Moodle. Moodle reads ``#`` and a leading
``%n%`` in a pair as text; LearnHub refuses them (write ``\\#``), since an author writing them meant a
feedback or a weight that Moodle would not give.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from learnhub.content.answers import MatchPair
from learnhub.content.gift_answers import AnswerBlock, Part
from learnhub.content.gift_source import snippet
from learnhub.content.gift_text import GiftWriteError, PartWriter, escape
from learnhub.content.qtypes.base import DISTRIBUTION_TOP, Distribution, QuestionType, TextMap


class Matching(QuestionType):
    name = "matching"
    fields = ("pairs", "distractors")
    template = "questions/matching.html"

    def check(self, question: Any) -> list[str]:
        if len(question.pairs) < 2:
            return ["matching question needs at least two pairs"]
        return []

    def map_texts(self, question: Any, m: TextMap) -> dict[str, Any]:
        return {
            "pairs": tuple(MatchPair(m(p.prompt, f"pairs.{i}.prompt"), m(p.answer, f"pairs.{i}.answer"))
                           for i, p in enumerate(question.pairs)),
            "distractors": tuple(m(d, f"distractors.{i}") for i, d in enumerate(question.distractors)),
        }

    # --- GIFT --------------------------------------------------------------------------------------------

    def claims(self, answers: AnswerBlock) -> bool:
        return answers.has("=") and answers.has("->")

    def read_gift(self, answers: AnswerBlock) -> dict[str, Any]:
        pairs: list[MatchPair] = []
        distractors: list[str] = []
        for part in answers.parts():
            prompt, answer = _read_pair(answers, part)
            if prompt:
                answers.note(f"pairs.{len(pairs)}.prompt", part.text_format, part.text_line)
                answers.note(f"pairs.{len(pairs)}.answer", None, part.text_line)
                pairs.append(MatchPair(prompt, answer))
            else:
                answers.note(f"distractors.{len(distractors)}", None, part.text_line)
                distractors.append(answer)
        return {"pairs": tuple(pairs), "distractors": tuple(distractors)}

    def write_gift(self, question: Any, out: PartWriter) -> list[str] | None:
        lines = []
        for index, pair in enumerate(question.pairs):
            if "->" in pair.prompt:
                raise GiftWriteError(f"matching prompt '{pair.prompt}' of question '{question.id}' holds '->'")
            lines.append("=" + out.part(f"pairs.{index}.prompt", pair.prompt, weight_may_follow=True)
                         + " -> " + escape(pair.answer))
        lines.extend("= -> " + escape(answer) for answer in question.distractors)
        return lines

    # --- the form, grading, statistics -------------------------------------------------------------------

    def arrange(self, question: Any, rng: random.Random, shuffle: bool) -> tuple[tuple[int, ...], tuple[str, ...]]:
        """Every answer once, shuffled even in a quiz that is not (the order written would give pairs away)."""
        offered = sorted({pair.answer for pair in question.pairs} | set(question.distractors))
        rng.shuffle(offered)
        return (), tuple(offered)

    def read_response(self, shown: Any, form: Any) -> Any:
        """{prompt index (as text): answer text} for the prompts given a known answer."""
        chosen = {}
        for index in range(len(shown.question.pairs)):
            answer = shown.offered_answer(form.get(f"{shown.field}-{index}", ""))
            if answer is not None:
                chosen[str(index)] = answer
        return chosen

    def score(self, question: Any, response: Any) -> float:
        """Prompt indexes may be ints or, after a JSON round trip, their decimal strings."""
        if not isinstance(response, Mapping) or not question.pairs:
            return 0.0
        right = 0
        for index, pair in enumerate(question.pairs):
            chosen = response.get(index, response.get(str(index)))
            if isinstance(chosen, str) and chosen == pair.answer:
                right += 1
        return right / len(question.pairs)

    def right_answer(self, question: Any) -> tuple[str, ...]:
        """The answer of each prompt, in the prompts' order."""
        return tuple(pair.answer for pair in question.pairs)

    def response_in(self, response: Any, original: Any, question: Any) -> Any:
        """A matching answer is stored as the text the learner picked: moved to the text at the same place
        among ``question``'s answers (each pair's answer, then the distractors); unknown texts stay."""
        if not isinstance(response, Mapping):
            return response
        places = {text: place for place, text in reversed(list(enumerate(_answers_by_place(original))))}
        words = _answers_by_place(question)
        moved = {}
        for prompt, text in response.items():
            place = places.get(text) if isinstance(text, str) else None
            moved[prompt] = words[place] if place is not None and place < len(words) else text
        return moved

    def distribution(self, question: Any, responses: Sequence[Any]) -> Distribution:
        """Prompt by prompt, the most frequent answers chosen for it, as ``prompt → answer``."""
        chosen: list[Counter[str]] = [Counter() for _ in question.pairs]
        for response in responses:
            if not isinstance(response, Mapping):
                continue
            for index, counter in enumerate(chosen):
                answer = response.get(str(index), response.get(index))
                if isinstance(answer, str) and answer:
                    counter[answer] += 1
        return tuple(
            (f"{pair.prompt} → {answer}", n)
            for pair, counter in zip(question.pairs, chosen, strict=True)
            for answer, n in counter.most_common(DISTRIBUTION_TOP)
        )


def _answers_by_place(question: Any) -> list[str]:
    """A matching question's answers by place: each pair's answer, then the distractors."""
    return [pair.answer for pair in question.pairs] + list(question.distractors)


def _read_pair(answers: AnswerBlock, part: Part) -> tuple[str, str]:
    """A matching pair ``prompt -> answer``; an empty prompt makes the answer a distractor."""
    if part.weight is not None:
        raise answers.error(part.line, f"matching pair '{snippet(part.text)}' cannot have a weight")
    if part.feedback is not None:
        raise answers.error(
            part.line, f"matching pair '{snippet(part.text)}' cannot have '#feedback'; write '\\#' for a '#'"
        )
    if "->" not in part.text:
        raise answers.error(part.line, f"expected '->' in matching pair '{snippet(part.text)}'")
    prompt, answer = (side.strip() for side in part.text.split("->", 1))
    if not answer:
        raise answers.error(part.line, f"matching pair '{snippet(prompt)}' has no answer after '->'")
    return prompt, answer
