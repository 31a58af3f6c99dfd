"""What a valid course folder is, once loaded: immutable values, ready for `sync` to store.

All HTML in here is already sanitised (see `markdown.py`); titles are plain text, to be autoescaped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from learnhub.content.languages import choose

if TYPE_CHECKING:
    from learnhub.content.questions import Question


@dataclass(frozen=True)
class LocalText:
    """An author's text in one or more languages.

    In course.yaml it is a string (the same text in every language) or a mapping language -> text.
    `texts` holds the texts given, the default language's first; `get` falls back to it.
    """

    texts: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, value: str | Mapping[str, str], default_language: str) -> LocalText:
        if isinstance(value, str):
            return cls(((default_language, value),))
        first = [(default_language, value[default_language])] if default_language in value else []
        return cls(tuple(first + [(lang, text) for lang, text in value.items() if lang != default_language]))

    @property
    def default(self) -> str:
        return self.texts[0][1] if self.texts else ""

    def get(self, language: str, fallback: Mapping[str, tuple[str, ...]] | None = None) -> str:
        """The text in `language`, else in the closest language by the fallback order, else in the
        default language."""
        wanted = choose(language, [lang for lang, _ in self.texts], fallback)
        for lang, text in self.texts:
            if lang == wanted:
                return text
        return self.default

    def has(self, language: str) -> bool:
        return any(lang == language for lang, _ in self.texts)

    def as_dict(self) -> dict[str, str]:
        return dict(self.texts)

    def __str__(self) -> str:
        return self.default


@dataclass(frozen=True)
class LessonVariant:
    """One language's version of a lesson, from NAME.md (default language) or NAME.LANG.md."""

    language: str
    title: str
    html: str
    minutes: int | None
    source: str
    """The file it came from, relative to the course folder, e.g. "red-flags.es.md"."""


@dataclass(frozen=True)
class QuizVariant:
    """One language's version of a quiz: its questions, texts already rendered to sanitised HTML."""

    language: str
    questions: tuple[Question, ...]
    source: str
    """The file it came from, relative to the course folder, e.g. "check.es.gift"."""


class _Variants:
    variants: tuple[LessonVariant, ...] | tuple[QuizVariant, ...]

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages with their own file; the default language first."""
        return tuple(variant.language for variant in self.variants)

    def has(self, language: str) -> bool:
        """Whether `language` has its own version (else learners see the default one, with a notice)."""
        return language in self.languages


@dataclass(frozen=True)
class LessonSpec(_Variants):
    id: str
    variants: tuple[LessonVariant, ...]
    """Only the languages that have a file; the default language first."""

    kind: ClassVar[str] = "lesson"

    def variant(self, language: str, fallback: Mapping[str, tuple[str, ...]] | None = None) -> LessonVariant:
        """The version in `language`, else in the closest language by the fallback order, else the default
        language's."""
        wanted = choose(language, self.languages, fallback)
        return next((v for v in self.variants if v.language == wanted), self.variants[0])

    @property
    def title(self) -> LocalText:
        return LocalText(tuple((v.language, v.title) for v in self.variants))

    @property
    def minutes(self) -> int | None:
        return self.variants[0].minutes


@dataclass(frozen=True)
class QuizSpec(_Variants):
    id: str
    title: LocalText
    """From course.yaml; "Quiz" when not given."""
    pass_mark: float
    """Percent, 0..100: the quiz's own, else the course's."""
    max_attempts: int | None
    """None: unlimited."""
    shuffle: bool
    variants: tuple[QuizVariant, ...]
    """Only the languages that have a file; the default language first. Every variant has the same
    question ids, so an answer maps across languages."""
    rubrics: Mapping[str, LocalText] = field(default_factory=dict)
    """Essay question id -> its marking rubric for trainers, as sanitised HTML per language."""
    show_answers: str = "after_pass"
    """When the answer review shows the right answers: after_pass, always or never (fields.SHOW_ANSWERS)."""

    kind: ClassVar[str] = "quiz"

    def variant(self, language: str, fallback: Mapping[str, tuple[str, ...]] | None = None) -> QuizVariant:
        """As LessonSpec.variant."""
        wanted = choose(language, self.languages, fallback)
        return next((v for v in self.variants if v.language == wanted), self.variants[0])

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(question.id for question in self.variants[0].questions)


Item = LessonSpec | QuizSpec


@dataclass(frozen=True)
class ModuleSpec:
    id: str
    title: LocalText
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Credit:
    """Where a media file comes from and under which licence (media/CREDITS.yaml)."""

    source: str
    licence: str
    author: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "licence": self.licence, **({"author": self.author} if self.author else {})}


@dataclass(frozen=True)
class CourseSpec:
    id: str
    format: int
    title: LocalText
    summary: LocalText
    languages: tuple[str, ...]
    """ISO 639-1 codes; the first is the default language."""
    kind: str
    """awareness | skills"""
    level: str
    """beginner | intermediate | advanced"""
    minutes: int
    """From course.yaml; when not given, the sum of the lessons' minutes."""
    roles: tuple[str, ...]
    """ECSF role profile ids; may be empty."""
    sectors: tuple[str, ...]
    """NIS2 sector ids; empty means every sector."""
    certificate: bool
    pass_mark: float
    """The course default (70 when not given), already applied to each quiz."""
    modules: tuple[ModuleSpec, ...]
    media: tuple[str, ...]
    """Files the lessons and quizzes use, relative to the course folder ("media/red-flags.png")."""
    revision: str
    """sha256 hex of every file the course uses (course.yaml, lessons, quizzes, media): same files,
    same revision; any byte changed, added or removed, a different one."""
    path: str
    """The course folder as problems name it, e.g. "courses/phishing-basics"."""
    fallback: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The course's own fallback orders (learner language -> languages to show instead), over the
    site's (content/languages.py); usually empty."""
    objectives: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Learning objectives per language, the default language's first; empty when not given."""
    reviewed: date | None = None
    """When an expert last reviewed the content."""
    credits: Mapping[str, Credit] = field(default_factory=dict)
    """Media file name (under media/) -> its credit, from media/CREDITS.yaml."""
    valid_months: int | None = None
    """How long a certificate of this course is valid, in months (`valid_for`); None: it never expires."""
    renews: str | None = None
    """The id of the course whose certificate completing this refresher renews (`renews`)."""

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def items(self) -> Iterator[tuple[ModuleSpec, Item]]:
        """Every item in course order, with its module."""
        for module in self.modules:
            for item in module.items:
                yield module, item

    def item(self, item_id: str) -> Item | None:
        return next((item for _, item in self.items() if item.id == item_id), None)
