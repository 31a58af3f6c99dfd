"""Reading the synced catalogue: published courses, their items, lesson bodies in a language."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from learnhub.extensions import db
from learnhub.models import Course, CourseItem, CourseModule, LessonBody


def published_courses() -> list[Course]:
    return list(db.session.scalars(select(Course).where(Course.retired.is_(False)).order_by(Course.id)))


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
