"""Reading the synced catalogue: published courses, their items, lesson bodies in a language."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import select

from learnhub.extensions import db
from learnhub.models import Course, CourseItem, CourseModule, LessonBody


def published_courses() -> list[Course]:
    return list(db.session.scalars(select(Course).where(Course.retired.is_(False)).order_by(Course.id)))


@dataclass(frozen=True)
class CatalogueFilter:
    """What a learner filters the catalogue by; empty values match everything."""

    kind: str = ""
    level: str = ""
    language: str = ""
    role: str = ""
    sector: str = ""
    text: str = ""

    def matches(self, course: Course, ui_language: str) -> bool:
        if self.kind and course.kind != self.kind:
            return False
        if self.level and course.level != self.level:
            return False
        if self.language and self.language not in course.languages:
            return False
        if self.role and self.role not in course.roles:
            return False
        if self.sector and course.sectors and self.sector not in course.sectors:
            return False  # a course with no sectors is for every sector
        if self.text:
            haystack = " ".join([*course.title.values(), *course.summary.values(), course.id])
            return all(_fold(word) in _fold(haystack) for word in self.text.split())
        return True


def _fold(text: str) -> str:
    """Case- and accent-insensitive form for searching ("contrasena" finds "contraseña")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def find_courses(criteria: CatalogueFilter, ui_language: str) -> list[Course]:
    """Published courses that match, sorted by title in the learner's language."""
    found = [course for course in published_courses() if criteria.matches(course, ui_language)]
    return sorted(found, key=lambda course: _fold(course.title_in(ui_language)))


def course_or_none(course_id: str, *, include_retired: bool = False) -> Course | None:
    course = db.session.get(Course, course_id)
    if course is None or (course.retired and not include_retired):
        return None
    return course


@dataclass(frozen=True)
class Syllabus:
    """A course's live modules and items in order, loaded in two queries."""

    modules: list[tuple[CourseModule, list[CourseItem]]]

    @property
    def items(self) -> list[CourseItem]:
        return [item for _, items in self.modules for item in items]

    def neighbours(self, item: CourseItem) -> tuple[CourseItem | None, CourseItem | None]:
        items = self.items
        index = next(i for i, candidate in enumerate(items) if candidate.id == item.id)
        return (items[index - 1] if index > 0 else None, items[index + 1] if index + 1 < len(items) else None)

    def item(self, key: str) -> CourseItem | None:
        return next((item for item in self.items if item.key == key), None)


def syllabus(course: Course) -> Syllabus:
    modules = list(db.session.scalars(select(CourseModule).where(
        CourseModule.course_id == course.id, CourseModule.retired.is_(False)).order_by(CourseModule.position)))
    items = list(db.session.scalars(select(CourseItem).where(
        CourseItem.course_id == course.id, CourseItem.retired.is_(False)).order_by(CourseItem.position)))
    return Syllabus([(module, [item for item in items if item.module_id == module.id]) for module in modules])


@dataclass(frozen=True)
class LessonPage:
    body: LessonBody
    fallback: bool
    """True when the lesson has no version in the requested language and shows the default one."""


def lesson_body(course: Course, item: CourseItem, language: str) -> LessonPage | None:
    """The lesson in `language`, else in the course's default language (with fallback=True)."""
    wanted = language if language in item.languages else course.default_language
    body = db.session.get(LessonBody, (item.id, wanted))
    if body is None:
        return None
    return LessonPage(body=body, fallback=wanted != language)
