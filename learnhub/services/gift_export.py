"""A course's quizzes written back as GIFT, for `learnhub courses export-gift` and the trainers' "Download as
GIFT": the quiz files of the course folder read again (texts as authored, not rendered) and written in
canonical form (learnhub.content.gift_writer), which Moodle's importer and LearnHub's reader both read back
to the same questions. Nothing is read from or written to the database (decision 0040).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from learnhub.content.assembly import ID_PATTERN
from learnhub.content.gift import GiftSyntaxError, parse_gift
from learnhub.content.gift_writer import GiftWriteError, write_gift
from learnhub.content.loader import load_course
from learnhub.content.model import QuizSpec
from learnhub.services.course_sync import media_url


class ExportError(Exception):
    """The course or quiz cannot be exported; ``message`` says why, for the author."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class GiftFile:
    """One quiz in one language: ``name`` as in the course folder (check.gift, check.es.gift)."""

    quiz_id: str
    language: str
    name: str
    text: str


def quiz_files(root: Path, course_id: str, quiz_id: str | None = None,
               language: str | None = None) -> list[GiftFile]:
    """Every quiz of the course (or the one named), in every language it has (or the one named), in course
    order. Raises ExportError for a course or quiz that does not exist, a course with errors, an unknown
    language, or a question GIFT cannot express."""
    folder = root / course_id
    if not ID_PATTERN.fullmatch(course_id) or not folder.is_dir():
        raise ExportError(f"no course '{course_id}' in {root}")
    spec, problems = load_course(folder, media_url, display_root=root.absolute().parent)
    if spec is None:
        first = next((str(p) for p in problems if p.is_error), "")
        raise ExportError(f"course '{course_id}' has errors; fix them first (learnhub courses validate): {first}")
    quizzes = [item for _, item in spec.items() if isinstance(item, QuizSpec)]
    if quiz_id is not None:
        quizzes = [quiz for quiz in quizzes if quiz.id == quiz_id]
        if not quizzes:
            raise ExportError(f"course '{course_id}' has no quiz '{quiz_id}'")
    files = []
    for quiz in quizzes:
        variants = [v for v in quiz.variants if language is None or v.language == language]
        if not variants and quiz_id is not None:
            raise ExportError(f"quiz '{quiz.id}' has no '{language}' version")
        files.extend(_file(folder, quiz.id, variant.language, variant.source) for variant in variants)
    return files


def _file(folder: Path, quiz_id: str, language: str, source: str) -> GiftFile:
    try:
        questions, _ = parse_gift((folder / source).read_text(encoding="utf-8"), source)
        return GiftFile(quiz_id, language, source, write_gift(questions))
    except (GiftSyntaxError, GiftWriteError, OSError, UnicodeDecodeError) as err:
        raise ExportError(f"{source}: {err}") from err
