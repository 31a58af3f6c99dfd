"""Modules and their items in course.yaml, changed one step at a time from the "Modules and items" page
(issue 16, decision 0080): add a module, rename it per language, add an item (an existing lesson or quiz
file, or a new one from a minimal valid template), a quiz's own settings, move a module or an item up or
down, remove one.

Modules are named by their id and items by theirs (item ids are one namespace per course). Each step
rewrites only the modules it changes (`course_yaml.rewrite_modules`): every other key, module and comment
stays as it is (a moved module keeps its lines); comments inside a changed module are lost. Removing an item
never deletes its files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import LazyString, lazy_gettext

from learnhub.content.assembly import ID_PATTERN
from learnhub.content.fields import SHOW_ANSWERS
from learnhub.models import CourseWorkspace, User
from learnhub.services import course_settings, course_yaml, workspaces

KINDS = ("lesson", "quiz")
EXTENSIONS = {"lesson": ".md", "quiz": ".gift"}


class OutlineRefused(Exception):
    """A step that cannot be taken; `field` names the form field, `message` says why."""

    def __init__(self, field: str, message: LazyString):
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Outline:
    """course.yaml read for the page: its modules as written (None when the file does not read as a list
    of modules), and the course languages."""

    modules: list | None
    languages: tuple[str, ...]
    data: dict | None
    text: str


def outline(workspace: CourseWorkspace, text: str | None = None) -> Outline:
    """The draft's course.yaml (or `text`, when the caller has read it) as modules."""
    text = course_settings.course_text(workspace) if text is None else text
    data = course_yaml.read(text)
    modules = course_yaml.plain(data.get("modules")) if data else None
    well_formed = isinstance(modules, list) and all(
        isinstance(m, dict) and isinstance(m.get("items", []), list)
        and all(isinstance(i, dict) for i in m.get("items") or []) for m in modules)
    return Outline(modules if well_formed else None, course_settings.languages_of(data), data, text)


def item_id(item: dict) -> str:
    return str(item.get("lesson", item.get("quiz", "")))


def item_kind(item: dict) -> str:
    return "quiz" if "quiz" in item else "lesson"


def _module(modules: list, module_id: str) -> dict:
    found = next((m for m in modules if str(m.get("id")) == module_id), None)
    if found is None:
        raise LookupError(module_id)
    return found


def _save(workspace: CourseWorkspace, current: Outline, modules: list, user: User) -> bool:
    text = course_yaml.rewrite_modules(current.text, course_yaml.plain(current.data["modules"]), modules)
    return workspaces.save_text(workspace, course_settings.COURSE_FILE, text, user) is not None


def _usable(current: Outline) -> list:
    if current.modules is None:
        raise OutlineRefused("modules", lazy_gettext("course.yaml does not read as a list of modules: fix it in "
                                                     "the file editor first."))
    return current.modules


def _all_ids(modules: list) -> set[str]:
    return {item_id(item) for module in modules for item in module.get("items") or []}


def add_module(workspace: CourseWorkspace, module_id: str, title: str, user: User) -> bool:
    current = outline(workspace)
    modules = _usable(current)
    module_id = module_id.strip()
    if not ID_PATTERN.fullmatch(module_id):
        raise OutlineRefused("module_id", lazy_gettext("Module id: use 2 to 64 lowercase letters, digits and "
                                                       "hyphens, starting with a letter or digit."))
    if any(str(m.get("id")) == module_id for m in modules):
        raise OutlineRefused("module_id", lazy_gettext("Module id: the course already has a module %(id)s.",
                                                       id=module_id))
    if not title.strip():
        raise OutlineRefused("module_title", lazy_gettext("Module title: enter a title."))
    modules.append({"id": module_id, "title": {current.languages[0]: title.strip()}, "items": []})
    return _save(workspace, current, modules, user)


def rename_module(workspace: CourseWorkspace, module_id: str, titles: dict[str, str], user: User) -> bool:
    """Set the module's title in each course language given (an empty text drops that language)."""
    current = outline(workspace)
    modules = _usable(current)
    module = _module(modules, module_id)
    default = current.languages[0]
    new = {lang: titles.get(lang, "").strip() for lang in current.languages if titles.get(lang, "").strip()}
    if default not in new:
        raise OutlineRefused(f"title-{module_id}-{default}",
                             lazy_gettext("Title: enter the title in the default language."))
    if course_yaml.local(module.get("title"), default) == new:
        return False
    module["title"] = new
    return _save(workspace, current, modules, user)


def new_file(kind: str, title: str) -> str:
    """A minimal valid lesson or quiz file."""
    if kind == "lesson":
        return (f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nminutes: 5\n---\n"
                "Write the lesson here, in Markdown.\n")
    return "::question-1:: Replace this question with your own. {T}\n"


def add_item(workspace: CourseWorkspace, module_id: str, kind: str, new_id: str, title: str, user: User) -> bool:
    """Add a lesson or quiz at the end of the module: the file `ID.md` / `ID.gift` when it exists, else a new
    one from the template (a quiz's title goes into course.yaml, a lesson's into its front matter)."""
    current = outline(workspace)
    modules = _usable(current)
    module = _module(modules, module_id)
    new_id = new_id.strip()
    if kind not in KINDS:
        raise OutlineRefused("kind", lazy_gettext("Type: choose lesson or quiz."))
    if not ID_PATTERN.fullmatch(new_id):
        raise OutlineRefused("item_id", lazy_gettext("Item id: use 2 to 64 lowercase letters, digits and "
                                                     "hyphens, starting with a letter or digit."))
    if new_id in _all_ids(modules):
        raise OutlineRefused("item_id", lazy_gettext("Item id: the course already lists %(id)s.", id=new_id))
    path = new_id + EXTENSIONS[kind]
    existing = workspaces.current(workspace, path) is not None \
        or workspaces.current(workspace, f"{new_id}.{current.languages[0]}{EXTENSIONS[kind]}") is not None
    if not existing:
        workspaces.save_text(workspace, path, new_file(kind, title.strip() or new_id), user, create=True)
    entry: dict = {kind: new_id}
    if kind == "quiz" and title.strip():
        entry["title"] = {current.languages[0]: title.strip()}
    if not isinstance(module.get("items"), list):
        module["items"] = []  # `items:` left empty
    module["items"].append(entry)
    return _save(workspace, current, modules, user)


def update_quiz(workspace: CourseWorkspace, module_id: str, quiz: str, form: Mapping[str, str], user: User) -> bool:
    """A quiz item's own settings from the form: `title-LANG` per course language, `pass_mark` and
    `max_attempts` (empty: left out, so the course's pass mark and unlimited attempts), `shuffle` ("y" or
    absent) and `show_answers` (empty: left out, so after_pass). Other keys (rubrics) are kept."""
    current = outline(workspace)
    modules = _usable(current)
    entry = next((e for e in _module(modules, module_id).get("items") or [] if e.get("quiz") == quiz), None)
    if entry is None:
        raise LookupError(quiz)
    updated = dict(entry)
    titles = {lang: form.get(f"title-{lang}", "").strip() for lang in current.languages}
    _set(updated, "title", {lang: text for lang, text in titles.items() if text} or None)
    mark = form.get("pass_mark", "").strip()
    if mark and (not re.fullmatch(r"\d+(\.\d+)?", mark) or float(mark) > 100):
        raise OutlineRefused(f"{quiz}-pass_mark", lazy_gettext("Pass mark: enter a number from 0 to 100, or "
                                                               "leave it empty."))
    _set(updated, "pass_mark", (int(float(mark)) if float(mark).is_integer() else float(mark)) if mark else None)
    attempts = form.get("max_attempts", "").strip()
    if attempts and (not attempts.isdigit() or int(attempts) < 1):
        raise OutlineRefused(f"{quiz}-max_attempts", lazy_gettext("Attempts allowed: enter a whole number of at "
                                                                  "least 1, or leave it empty for no limit."))
    _set(updated, "max_attempts", int(attempts) if attempts else None)
    _set(updated, "shuffle", True if form.get("shuffle") == "y" else (False if "shuffle" in entry else None))
    show = form.get("show_answers", "")
    if show and show not in SHOW_ANSWERS:
        raise OutlineRefused(f"{quiz}-show_answers", lazy_gettext("Right answers shown in the review: choose "
                                                                  "one of the options."))
    _set(updated, "show_answers", show or None)
    if updated == entry:
        return False
    entry.clear()
    entry.update(updated)
    return _save(workspace, current, modules, user)


def _set(entry: dict, key: str, value) -> None:
    """Set a key of an item, or leave it out for None."""
    if value is None:
        entry.pop(key, None)
    else:
        entry[key] = value


def move(workspace: CourseWorkspace, module_id: str, item: str | None, step: int, user: User) -> bool:
    """Move the module (or, with `item`, the item within its module) one place up (-1) or down (+1); False
    when it is already first or last."""
    current = outline(workspace)
    modules = _usable(current)
    module = _module(modules, module_id)
    siblings = modules if item is None else module.get("items") or []
    index = next((i for i, entry in enumerate(siblings)
                  if (entry is module if item is None else item_id(entry) == item)), None)
    if index is None:
        raise LookupError(item)
    target = index + step
    if not 0 <= target < len(siblings):
        return False
    siblings[index], siblings[target] = siblings[target], siblings[index]
    return _save(workspace, current, modules, user)


def remove(workspace: CourseWorkspace, module_id: str, item: str | None, user: User) -> bool:
    """Remove the module (with its list of items) or one item from course.yaml; files are kept."""
    current = outline(workspace)
    modules = _usable(current)
    module = _module(modules, module_id)
    if item is None:
        modules.remove(module)
    else:
        items = module.get("items") or []
        entry = next((e for e in items if item_id(e) == item), None)
        if entry is None:
            raise LookupError(item)
        items.remove(entry)
    return _save(workspace, current, modules, user)


def unlisted_files(current: Outline, paths: list[str]) -> list[str]:
    """Lesson and quiz files of the default language that no item lists: what "add an item" can pick."""
    listed = _all_ids(current.modules or [])
    found = []
    for path in paths:
        if "/" in path or not path.endswith((".md", ".gift")):
            continue
        stem = path.rsplit(".", 1)[0]
        if "." not in stem and stem not in listed:
            found.append(path)
    return found
