"""The course catalogue as synced from `courses/`: courses, modules, items, lesson bodies, quiz questions.

Rows are keyed by the author's ids, (course id, item id), and updated in place by sync, so the
database ids that learners' progress points at survive edits. Nothing is deleted: a course or item
that disappears from the sources is retired and keeps its history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnhub.content.languages import choose, ordered
from learnhub.extensions import db
from learnhub.models.base import utcnow


@dataclass(frozen=True)
class ShownText:
    """A text as a page shows it, with the language it is in (for the `lang` attribute): the learner's
    language when the text has it, else the closest one (learnhub/content/languages.py)."""

    text: str
    language: str

    def __str__(self) -> str:
        return self.text


def shown_text(texts: Mapping[str, str], language: str, default_language: str,
               overrides: Mapping[str, Sequence[str]] | None = None) -> ShownText:
    """The text for a learner reading `language`: theirs, else by the fallback order, else the default
    language's, else any."""
    present = [code for code in ordered(default_language, texts) if texts.get(code)]
    chosen = choose(language, present, overrides)
    return ShownText(texts[chosen], chosen) if chosen else ShownText("", language)


def localised(texts: dict[str, str], language: str, default_language: str) -> str:
    """A text in `language`, else by the site's fallback order, else in the default language, else any."""
    return shown_text(texts, language, default_language).text


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[str] = mapped_column(String(64))
    """The content revision (files the course uses); attempts record it."""
    source_hash: Mapped[str] = mapped_column(String(64))
    """Fingerprint of every file in the folder, checked before parsing to skip unchanged courses."""
    title: Mapped[dict] = mapped_column(JSON)
    summary: Mapped[dict] = mapped_column(JSON)
    languages: Mapped[list] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    level: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int]
    roles: Mapped[list] = mapped_column(JSON)
    sectors: Mapped[list] = mapped_column(JSON)
    certificate: Mapped[bool]
    pass_mark: Mapped[float]
    fallback: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    """The course's own fallback orders (language -> languages), over the site's; usually empty."""
    objectives: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    """language -> list of learning objectives."""
    reviewed: Mapped[date | None]
    """When an expert last reviewed the content (course.yaml `reviewed`); None when not stated."""
    credits: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    """media file (relative to media/) -> {source, licence, author?}, from media/CREDITS.yaml."""
    valid_months: Mapped[int | None]
    """How long its certificates are valid, in months (course.yaml `valid_for`); None: they never expire."""
    renews: Mapped[str | None] = mapped_column(String(64))
    """The id of the course whose certificate completing this refresher renews (course.yaml `renews`)."""
    retired: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)

    modules: Mapped[list[CourseModule]] = relationship(
        back_populates="course", order_by="CourseModule.position", cascade="all, delete-orphan")
    items: Mapped[list[CourseItem]] = relationship(
        back_populates="course", order_by="CourseItem.position", cascade="all, delete-orphan")

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def language_for(self, language: str) -> str:
        """The language the course is shown in to a learner reading `language` (theirs when it has it)."""
        return choose(language, self.languages, self.fallback)

    def choose_language(self, language: str, available: Sequence[str]) -> str:
        """Among `available` (an item's languages), the one a learner reading `language` sees."""
        return choose(language, ordered(self.default_language, available), self.fallback)

    def text_in(self, texts: Mapping[str, str], language: str) -> ShownText:
        """One of the course's texts (a title, a summary) for a learner reading `language`."""
        return shown_text(texts or {}, language, self.default_language, self.fallback)

    def title_shown(self, language: str) -> ShownText:
        return self.text_in(self.title, language)

    def title_in(self, language: str) -> str:
        return self.title_shown(language).text

    def summary_shown(self, language: str) -> ShownText:
        return self.text_in(self.summary, language)

    def summary_in(self, language: str) -> str:
        return self.summary_shown(language).text

    def objectives_shown(self, language: str) -> tuple[tuple[str, ...], str]:
        """(the objectives, their language) for a learner reading `language`; ((), language) when none."""
        objectives = self.objectives or {}
        chosen = choose(language, ordered(self.default_language, [c for c in objectives if objectives[c]]),
                        self.fallback)
        return (tuple(objectives[chosen]), chosen) if chosen else ((), language)


class CatalogueState(db.Model):
    """One row: `version`, a random token replaced in the same transaction as any change to any course (a sync, a
    publication, a retirement; services/catalogue_version). Read with the session user on every logged-in request,
    it keys what a worker keeps of the catalogue: equal tokens mean the same catalogue on every instance, and a
    token from a change that was rolled back is never seen again (unlike a counter or a clock)."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(32))


class CourseModule(db.Model):
    __tablename__ = "course_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    title: Mapped[dict] = mapped_column(JSON)
    retired: Mapped[bool] = mapped_column(default=False)

    course: Mapped[Course] = relationship(back_populates="modules")

    __table_args__ = (UniqueConstraint("course_id", "key"),)


class CourseItem(db.Model):
    """A lesson or a quiz, in course order."""

    __tablename__ = "course_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("course_modules.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    position: Mapped[int]
    title: Mapped[dict] = mapped_column(JSON)
    languages: Mapped[list] = mapped_column(JSON)
    minutes: Mapped[int | None]
    pass_mark: Mapped[float | None]
    max_attempts: Mapped[int | None]
    shuffle: Mapped[bool] = mapped_column(default=False)
    show_answers: Mapped[str] = mapped_column(String(12), default="after_pass", server_default="after_pass")
    """When a quiz's answer review shows the right answers: after_pass, always, never (course.yaml)."""
    rubrics: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    """Essay marking rubrics for trainers: question name -> language -> sanitised HTML."""
    retired: Mapped[bool] = mapped_column(default=False)

    course: Mapped[Course] = relationship(back_populates="items")
    module: Mapped[CourseModule] = relationship()

    __table_args__ = (UniqueConstraint("course_id", "key"),)


class LessonBody(db.Model):
    """A lesson's sanitised HTML in one language (only languages that have their own file)."""

    __tablename__ = "lesson_bodies"

    item_id: Mapped[int] = mapped_column(ForeignKey("course_items.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    html: Mapped[str] = mapped_column(Text)


class QuizQuestion(db.Model):
    """One question of a quiz in one language, as `Question.to_dict()` with texts rendered to HTML.

    `revision` is a hash of `data`: attempts store the questions they showed, and regrades compare
    revisions to find which questions changed.
    """

    __tablename__ = "quiz_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("course_items.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(5))
    key: Mapped[str] = mapped_column(String(120))
    position: Mapped[int]
    type: Mapped[str] = mapped_column(String(16))
    revision: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("item_id", "language", "key"),)
