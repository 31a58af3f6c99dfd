"""Preview and try-it of a lesson or quiz being edited, before it is saved (issue 16, decision 0079).

The text being edited replaces the file in the draft, the draft is written into a temporary folder named after
the course id (as validation and publishing do), and the file is read by the course loader's own code
(`content.assembly.read_variant`): the same Markdown renderer, sanitiser and fingerprinted media names as
publishing, with the media prefix pointing at the workspace (`media_base`) so the draft's pictures show. The
file's problems are those `learnhub courses validate` reports for it, sanitiser removals among the warnings.

Try-it grades a filled-in quiz with services.grading (arrange, read_response, grade) and writes nothing. Its
option values derive from a key of its own (:func:`try_key`), with a salt no quiz form uses, and the form posts
to the authoring area: nothing from it can be submitted as an attempt.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from learnhub import fingerprints
from learnhub.content.assembly import read_variant
from learnhub.content.fields import Report
from learnhub.content.files import IGNORED_FILE_STEMS, CourseFolder, split_variant
from learnhub.content.loader import Checks, load_course
from learnhub.content.model import LessonVariant, QuizVariant
from learnhub.content.problems import Problem
from learnhub.content.yaml_lines import LineMap, parse_yaml
from learnhub.models import CourseWorkspace
from learnhub.services import grading, workspaces
from learnhub.services.course_sync import fingerprinted_media_urls, media_url
from learnhub.services.workspace_publishing import StoredMedia

TRY_KEY_SALT = b"learnhub.authoring-try-it"
"""Not grading.FORM_KEY_SALT: a try-it form's option values mean nothing to a real quiz form."""


@dataclass(frozen=True)
class FilePreview:
    """A lesson or quiz file as learners would see it: `lesson` (title, body HTML, minutes) or `questions` (in
    file order, without shuffling); neither when the file cannot be read. `problems` are the file's own, with
    lines; `language` is the file's language."""

    path: str
    kind: str
    language: str
    lesson: LessonVariant | None = None
    questions: tuple[grading.ShownQuestion, ...] = ()
    problems: list[Problem] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.is_error]


@dataclass(frozen=True)
class TryResult:
    """A try-it answer sheet graded: each question's answer (author form) and score, and the quiz score."""

    answers: dict[str, Any]
    grade: grading.Grade


def kind_of(path: str) -> str | None:
    """"lesson" or "quiz" for a file the preview can show (a top-level .md or .gift of the course), else None."""
    if "/" in path:
        return None
    for extension, kind in ((".md", "lesson"), (".gift", "quiz")):
        if path.endswith(extension):
            stem = split_variant(path, extension)[0]
            return None if stem.lower() in IGNORED_FILE_STEMS else kind
    return None


def _languages(course_yaml: bytes | None) -> tuple[str, ...]:
    """The course's languages from course.yaml, as far as it reads; ("en",) otherwise (the format's default)."""
    if course_yaml is not None:
        data, _failure = parse_yaml(course_yaml.decode("utf-8", "replace"))
        if isinstance(data, LineMap):
            languages = data.get("languages")
            if isinstance(languages, list) and languages and all(isinstance(lang, str) for lang in languages):
                return tuple(languages)
    return ("en",)


def try_key(secret_key: str, workspace: CourseWorkspace, path: str, user_id: int) -> bytes:
    """The key behind a try-it form's option values: the app's secret over the workspace, file and person, under
    a salt of its own."""
    message = f"{workspace.id}\x1f{path}\x1f{user_id}".encode()
    return hmac.new(secret_key.encode(), TRY_KEY_SALT + b"\x1f" + message, hashlib.sha256).digest()


def preview(workspace: CourseWorkspace, path: str, text: str, checks: Checks | None = None, *,
            media_base: str, key: bytes = b"") -> FilePreview:
    """The file `path` of the draft with `text` in place of its saved content, as learners would see it, and
    its problems. `media_base` is the URL prefix media are served under (a `/` ends it); with `key` a quiz's
    questions carry option values and can be answered (try-it). Reads the draft; writes nothing."""
    kind = kind_of(path)
    if kind is None:
        raise LookupError(f"{path} is not a lesson or quiz file")
    files = workspaces.draft_files(workspace)
    files[path] = text.replace("\r\n", "\n").encode("utf-8")
    languages = _languages(files.get("course.yaml"))
    language = split_variant(path, ".md" if kind == "lesson" else ".gift")[1] or languages[0]
    course_id = workspace.course_id
    with workspaces.course_folder(course_id, files) as folder:
        _spec, course_problems = load_course(folder, display_root=folder.parent, checks=checks)
        fingerprinted = fingerprinted_media_urls(folder)
        published_prefix = media_url(course_id, "")

        def preview_media(course: str, relative: str) -> str:
            return media_base + fingerprinted(course, relative).removeprefix(published_prefix)

        own: list[Problem] = []
        variant = read_variant(CourseFolder(folder, course_id, own), Report(own, f"{course_id}/{path}"),
                               name=path, language=language, course_id=course_id, media_url=preview_media)
    problems = sorted({p for p in workspaces.relative_problems(course_id, course_problems + own) if p.path == path},
                      key=lambda p: (p.line, p.level, p.message))
    if isinstance(variant, QuizVariant):
        return FilePreview(path, kind, language, questions=grading.arrange(list(variant.questions), False, 0, key),
                           problems=problems)
    return FilePreview(path, kind, language, lesson=variant if isinstance(variant, LessonVariant) else None,
                       problems=problems)


def try_it(shown: tuple[grading.ShownQuestion, ...], form) -> TryResult:
    """The filled-in form read and graded as a quiz submission is (grading.read_response, grading.grade),
    nothing stored."""
    answers = {item.question.id: grading.read_response(item, form) for item in shown}
    return TryResult(answers, grading.grade(shown, answers))


def draft_media(workspace: CourseWorkspace, filename: str) -> StoredMedia | None:
    """The newest version of `media/<filename>` in the draft, by its own name or its fingerprinted one (the name
    a preview links to); `current` when the name carries the digest of these bytes. Two queries at most."""
    split = fingerprints.split_hashed_name(filename)
    candidates = [(filename, None)] + ([split] if split is not None else [])
    for name, digest in candidates:  # the exact name first, as for files on disk
        version = workspaces.current(workspace, f"media/{name}")
        if version is not None:
            current = digest is not None and version.sha256[:fingerprints.DIGEST_LENGTH] == digest
            return StoredMedia(name.rsplit("/", 1)[-1], version.content, version.sha256, current=current)
    return None
