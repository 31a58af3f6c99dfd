"""Reading the synced catalogue: published courses, their items, lesson bodies in a language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import bindparam, select

from learnhub import fingerprints
from learnhub.extensions import db
from learnhub.models import Course, CourseItem, CourseModule, LessonBody, direct_reads
from learnhub.models.row_reader import RowReader
from learnhub.services import catalogue_version, catalogue_watch
from learnhub.text import fold


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
            return all(fold(word) in fold(haystack) for word in self.text.split())
        return True


def version() -> str | None:
    """The catalogue's version (services/catalogue_version), which any change to any course replaces: a key for
    pages that show the catalogue, the same on every instance. A logged-in request read it with its session user;
    an anonymous one on PostgreSQL takes what its worker heard (services/catalogue_watch), else reads it here, in
    one statement."""
    noted = catalogue_version.noted()
    if noted is not None:
        return noted
    heard = _heard()
    return heard if heard is not None else _read_version()


def _read_version() -> str | None:
    row = _first_row("SELECT version FROM catalogue_state WHERE id = 1", {})
    return row[0] if row is not None else None


def _heard() -> str | None:
    """The version this worker heard (PostgreSQL, on a request of its own connections), noted for the request so
    that course rows kept under it serve the page; None when there is none to hear: ask."""
    if not current_app.config.get("CATALOGUE_LISTEN", True) or not direct_reads.borrows_connections():
        return None
    heard = catalogue_watch.heard(db.engine, _read_version)
    if heard is not None:
        catalogue_version.note(heard)
    return heard


def course_stamp(course_id: str) -> tuple[str, object] | None:
    """(revision, synced_at) of a live course, None when unknown or retired: the key of its page in the page
    cache, read without loading the course (an anonymous visitor's page is then served with this one query); on
    PostgreSQL, from the row this worker keeps under the version it heard (no statement)."""
    if catalogue_version.noted() is not None or _heard() is not None:
        row = _kept_row(course_id)
        return None if row is None or row.retired else (row.revision, row.synced_at)
    row = _first_row("SELECT revision, synced_at, retired FROM courses WHERE id = {course_id}",
                     {"course_id": course_id})
    return None if row is None or row[2] else (row[0], row[1])


def _first_row(sql: str, params: dict) -> tuple | None:
    """The first row of a plain SELECT ({name} marks a parameter), for the keys of cached pages (issue 14): on an
    anonymous page on a connection outside the ORM (models/direct_reads.first_row)."""
    return direct_reads.first_row(sql, params)


def find_courses(criteria: CatalogueFilter, ui_language: str) -> list[Course]:
    """Published courses that match, sorted by title in the learner's language."""
    found = [course for course in published_courses() if criteria.matches(course, ui_language)]
    return sorted(found, key=lambda course: fold(course.title_in(ui_language)))


_COURSE = RowReader(Course, lambda courses: courses.id == bindparam("course_id"))
MAX_KEPT_COURSES = 5000
# Course rows this worker read under one catalogue version: (version, {course id: row}), replaced as a whole.
_kept_courses: tuple[str | None, dict[str, tuple]] = (None, {})


def course_or_none(course_id: str, *, include_retired: bool = False) -> Course | None:
    """The course, None if unknown or retired. Every course page, lesson and quiz asks: in a logged-in request it
    comes from the row this worker keeps for the catalogue version read with the session user (no statement);
    otherwise, or the first time under a version, from one Core statement."""
    course = _COURSE.in_session(course_id) or _kept_course(course_id)
    if course is None or (course.retired and not include_retired):
        return None
    return course


@dataclass(frozen=True)
class KeptItem:
    version: str
    item_id: int
    certificate_at_stake: bool
    target_id: str  # the course whose certificate completing this one issues or renews


def is_kept(course_id: str) -> bool:
    """Whether this worker kept a live course by this id, under the catalogue version it last saw (no statement):
    an id that is not kept, one typed with a NUL byte say, is never put into a statement before the request's
    own checks have run (services/item_state)."""
    row = _kept_courses[1].get(course_id)
    return row is not None and not row.retired


def kept_item(course_id: str, item_key: str, kind: str) -> KeptItem | None:
    """What this worker kept of a live course and one of its items of `kind` ("lesson", "quiz") under the catalogue
    version it last saw, with no statement: a guess, to be checked against the version a request reads
    (services/item_state)."""
    version, rows = _kept_courses
    row = rows.get(course_id)
    if version is None or row is None or row.retired:
        return None
    kept_syllabus = _syllabus_cache.get((course_id, row.revision, row.synced_at))
    item = kept_syllabus.item(item_key) if kept_syllabus is not None else None
    if item is None or (item.kind == "lesson") != (kind == "lesson"):
        return None
    return KeptItem(version, item.id, bool(row.certificate or row.renews), row.renews or course_id)


def _kept_course(course_id: str) -> Course | None:
    if catalogue_version.noted() is None:
        return _COURSE.read(course_id=course_id)
    row = _kept_row(course_id)
    return None if row is None else _COURSE.load(row)


def _kept_row(course_id: str) -> tuple | None:
    """The course's row as this worker keeps it under the version the request noted: read once per version."""
    global _kept_courses
    version = catalogue_version.noted()
    kept_version, rows = _kept_courses
    if kept_version != version:  # a change anywhere since: forget every row
        rows = {}
        _kept_courses = (version, rows)
    row = rows.get(course_id)
    if row is None:
        row = _COURSE.read_row(course_id=course_id)
        if row is None:
            return None  # (an unknown id is not kept: anyone can ask for any number of them)
        if len(rows) < MAX_KEPT_COURSES:
            rows[course_id] = row
    return row


def media_file(courses_dir: Path, course_id: str, filename: str) -> Path | None:
    """The file `filename` in the media/ folder of a synced course (retired ones too: old pages link to
    them), never anything outside that folder ("../", links out of it, a NUL, a name longer than the
    file system takes); None when there is no such file."""
    if course_or_none(course_id, include_retired=True) is None or "\x00" in filename:
        return None
    folder = (courses_dir / course_id / "media").resolve()
    target = (folder / filename).resolve()
    try:
        return target if target.is_relative_to(folder) and target.is_file() else None
    except OSError:  # a name longer than the file system takes
        return None


def media_for_url(courses_dir: Path, course_id: str, filename: str) -> fingerprints.Found | None:
    """The media file a URL names, by its own name (links stored before names carried digests, or typed) or
    by its fingerprinted name (decision 0041); `current` only when the digest in the name is that of the
    file's bytes now, so a name from before a change of the file is answered with the new bytes, never
    kept. None when there is no such file."""
    exact = media_file(courses_dir, course_id, filename)
    if exact is not None:
        return fingerprints.Found(exact, current=False)
    split = fingerprints.split_hashed_name(filename)
    found = media_file(courses_dir, course_id, split[0]) if split is not None else None
    if found is None:
        return None
    try:
        return fingerprints.Found(found, current=fingerprints.current_digest(found) == split[1])
    except OSError:  # gone or unreadable since media_file looked
        return None


@dataclass(frozen=True)
class ModuleInfo:
    id: int
    key: str
    title: dict


@dataclass(frozen=True)
class ItemInfo:
    """A live lesson or quiz as pages need it: plain values, safe to share between requests."""

    id: int
    key: str
    kind: str
    module_id: int
    title: dict
    languages: list
    minutes: int | None
    pass_mark: float | None
    max_attempts: int | None
    shuffle: bool


@dataclass(frozen=True)
class Syllabus:
    """A course's live modules and items in order."""

    modules: tuple[tuple[ModuleInfo, tuple[ItemInfo, ...]], ...]

    @property
    def items(self) -> tuple[ItemInfo, ...]:
        return tuple(item for _, items in self.modules for item in items)

    def neighbours(self, item: ItemInfo) -> tuple[ItemInfo | None, ItemInfo | None]:
        items = self.items
        index = next(i for i, candidate in enumerate(items) if candidate.id == item.id)
        return (items[index - 1] if index > 0 else None, items[index + 1] if index + 1 < len(items) else None)

    def item(self, key: str) -> ItemInfo | None:
        return next((item for item in self.items if item.key == key), None)


# Syllabi change only when a sync changes the course (and with it `synced_at`): keep them per worker.
_syllabus_cache: dict[tuple[str, str, datetime], Syllabus] = {}


def cache_status() -> dict:
    """What /health says about this worker's caches: each is keyed by the course's revision and sync time, or the
    catalogue's version, read from the shared database, so a sync on any instance is seen by every other at its
    next request."""
    return {"cache": "ok", "cache_kind": "per-worker, keyed by course revision", "cached_syllabi": len(_syllabus_cache),
            "cached_lessons": len(_lesson_cache), "kept_courses": len(_kept_courses[1])}


def syllabus(course: Course) -> Syllabus:
    """The live structure of the course; two queries the first time after each sync, none afterwards."""
    key = (course.id, course.revision, course.synced_at)
    cached = _syllabus_cache.get(key)
    if cached is not None:
        return cached
    modules = db.session.execute(select(CourseModule.id, CourseModule.key, CourseModule.title).where(
        CourseModule.course_id == course.id, CourseModule.retired.is_(False)).order_by(CourseModule.position)).all()
    items = [ItemInfo(*row) for row in db.session.execute(select(
        CourseItem.id, CourseItem.key, CourseItem.kind, CourseItem.module_id, CourseItem.title, CourseItem.languages,
        CourseItem.minutes, CourseItem.pass_mark, CourseItem.max_attempts, CourseItem.shuffle).where(
        CourseItem.course_id == course.id, CourseItem.retired.is_(False)).order_by(CourseItem.position))]
    built = Syllabus(tuple((ModuleInfo(*module), tuple(item for item in items if item.module_id == module.id))
                           for module in modules))
    if len(_syllabus_cache) > 1000:
        _syllabus_cache.clear()
    _syllabus_cache[key] = built
    return built


@dataclass(frozen=True)
class LessonText:
    """A lesson's rendered text in one language, as stored by the last sync."""

    language: str
    title: str
    html: str


@dataclass(frozen=True)
class LessonPage:
    body: LessonText
    fallback: bool
    """True when the lesson has no version in the requested language and shows the closest one."""


# Lesson texts change only when a sync changes the course: kept per worker, keyed like the syllabi.
_lesson_cache: dict[tuple[int, str, str, datetime], LessonText] = {}


def lesson_body(course: Course, item: ItemInfo, language: str) -> LessonPage | None:
    """The lesson in `language`, else in the closest language it has (the course's fallback order), with
    fallback=True. No query once this worker has read it since the course's last sync."""
    wanted = course.choose_language(language, item.languages)
    key = (item.id, wanted, course.revision, course.synced_at)
    text = _lesson_cache.get(key)
    if text is None:
        row = db.session.execute(select(LessonBody.title, LessonBody.html).where(
            LessonBody.item_id == item.id, LessonBody.language == wanted)).first()
        if row is None:
            return None
        text = LessonText(wanted, row.title, row.html)
        if len(_lesson_cache) > 5000:
            _lesson_cache.clear()
        _lesson_cache[key] = text
    return LessonPage(body=text, fallback=wanted != language)


SUGGESTIONS = 3
"""How many courses the home page suggests after registering: a next step, not a second catalogue."""


def suggested_for(role: str | None, sector: str, language: str, *, leave_out: frozenset[str] | set[str] = frozenset(),
                  limit: int = SUGGESTIONS) -> list[Course]:
    """Published courses for a learner's ECSF role and sector, best fit first, without those in `leave_out`
    (courses they already take). A course written for their role fits best, then one naming their sector,
    then one for every sector (no `sectors`); a course for other sectors only is never suggested. Among equals,
    awareness before skills and beginner before advanced (a first course), then by title in `language`.
    Someone with no cybersecurity role (most of the workforce) gets awareness courses first, whatever sectors
    the skills courses name: a ministry clerk starts with phishing, not with cyber diplomacy."""
    levels = {"beginner": 0, "intermediate": 1, "advanced": 2}

    def fit(course: Course) -> int:
        if course.sectors and sector not in course.sectors:
            return 0
        return (4 if role and role in course.roles else 0) + (2 if sector in course.sectors else 1)

    ranked = [(fit(course), course) for course in published_courses() if course.id not in leave_out]
    ranked = [(score, course) for score, course in ranked if score > 0]
    ranked.sort(key=lambda pair: (False if role else pair[1].kind != "awareness", -pair[0],
                                  pair[1].kind != "awareness", levels.get(pair[1].level, 3),
                                  fold(pair[1].title_in(language))))
    return [course for _, course in ranked[:limit]]
