"""Course, module and item assembly: the `modules` of course.yaml -> ModuleSpecs, each lesson and quiz
read from its files (every language version), rendered, and checked against the default language.

`assemble_modules` returns, besides the modules, what the file checks need next: the files the
course claims, the items it lists by kind, and the media its texts use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from learnhub.content.fields import (
    DEFAULT_SHOW_ANSWERS,
    SHOW_ANSWERS,
    Report,
    boolean,
    check_keys,
    choice,
    duplicates,
    local_text,
    show,
    shown_instead,
    suggest,
    whole_number,
)
from learnhub.content.fields import pass_mark as read_pass_mark
from learnhub.content.files import CourseFolder, MediaUse, split_variant
from learnhub.content.gift import GiftSyntaxError, parse_gift
from learnhub.content.gift_checks import hash_in_answer_problems
from learnhub.content.markdown import Rendered, render_markdown, render_text
from learnhub.content.model import (
    Item,
    LessonSpec,
    LessonVariant,
    LocalText,
    ModuleSpec,
    QuizSpec,
    QuizVariant,
)
from learnhub.content.questions import Question
from learnhub.content.sanitiser import MediaUrl
from learnhub.content.yaml_lines import LineMap, LineSeq, parse_yaml

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
ID_RULE = "use 2 to 63 lowercase letters, digits and hyphens, starting with a letter or digit"
DEFAULT_QUIZ_TITLE = "Quiz"
MODULE_KEYS = ("id", "title", "items")
LESSON_KEYS = ("lesson",)
QUIZ_KEYS = ("quiz", "title", "pass_mark", "max_attempts", "shuffle", "show_answers", "rubrics")
FRONT_MATTER_KEYS = ("title", "minutes")


@dataclass(frozen=True)
class Assembled:
    """The modules of a course, and what the file checks need from reading them."""

    modules: tuple[ModuleSpec, ...]
    claimed: frozenset[str]  # file names (top level) the course uses
    listed: dict[str, set[str]]  # kind -> item ids listed in course.yaml
    media_uses: tuple[MediaUse, ...]


def assemble_modules(course: LineMap, pass_mark: float, *, files: CourseFolder, report: Report,
                     languages: tuple[str, ...], course_id: str, media_url: MediaUrl,
                     fallback: dict[str, tuple[str, ...]] | None = None) -> Assembled:
    """The modules of a course.yaml mapping; problems go to `report`."""
    assembler = _Assembler(files=files, report=report, languages=languages, course_id=course_id,
                           media_url=media_url, fallback=fallback or {})
    modules = assembler.modules(course, pass_mark)
    return Assembled(modules=modules, claimed=frozenset(assembler.claimed), listed=assembler.listed,
                     media_uses=tuple(assembler.media_uses))


def front_matter_end(lines: list[str]) -> int | None:
    """The index of the line closing the front matter that opens a lesson's `lines`; None when it has none
    (or it is never closed)."""
    if not lines or lines[0].rstrip() != "---":
        return None
    return next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)


@dataclass
class _Assembler:
    files: CourseFolder
    report: Report
    languages: tuple[str, ...]
    course_id: str
    media_url: MediaUrl
    fallback: dict[str, tuple[str, ...]] = field(default_factory=dict)
    claimed: set[str] = field(default_factory=set)
    listed: dict[str, set[str]] = field(default_factory=lambda: {"lesson": set(), "quiz": set()})
    media_uses: list[MediaUse] = field(default_factory=list)

    def modules(self, course: LineMap, pass_mark: float) -> tuple[ModuleSpec, ...]:
        value = course.get("modules")
        if value is None and "modules" not in course:
            return ()
        line = course.key_line("modules")
        if not isinstance(value, LineSeq):
            self.report.error(line, f"modules must be a list of modules, got {show(value)}")
            return ()
        if not value:
            self.report.error(line, "modules is empty: a course needs at least one lesson or quiz")
            return ()
        module_lines: dict[str, int] = {}
        item_lines: dict[str, int] = {}
        modules: list[ModuleSpec] = []
        for index, module in enumerate(value):
            module_line = value.item_line(index)
            if not isinstance(module, LineMap):
                self.report.error(module_line,
                                  f"a module must be a mapping with id, title and items, got {show(module)}")
                continue
            check_keys(self.report, module, MODULE_KEYS, MODULE_KEYS)
            module_id = module.get("id")
            if "id" in module:
                if not isinstance(module_id, str) or not ID_PATTERN.match(module_id):
                    self.report.error(module.key_line("id"), f"module id {show(module_id)} is not valid: {ID_RULE}")
                elif module_id in module_lines:
                    self.report.error(module.key_line("id"), f"duplicate module id '{module_id}' "
                                      f"(first at line {module_lines[module_id]})")
                else:
                    module_lines[module_id] = module.key_line("id")
            title = local_text(self.report, module, "title", self.languages, fallback=self.fallback)
            items = self.items(module, item_lines, pass_mark)
            if isinstance(module_id, str) and title is not None:
                modules.append(ModuleSpec(id=module_id, title=title, items=items))
        if not item_lines and not any(p.is_error for p in self.report.problems):
            self.report.error(line, "the course has no lessons or quizzes")
        return tuple(modules)

    def items(self, module: LineMap, item_lines: dict[str, int], pass_mark: float) -> tuple[Item, ...]:
        value = module.get("items")
        if value is None:
            if "items" in module:
                self.report.warn(module.key_line("items"), "module has no items")
            return ()
        if not isinstance(value, LineSeq):
            self.report.error(module.key_line("items"),
                              f"items must be a list of lessons and quizzes, got {show(value)}")
            return ()
        if not value:
            self.report.warn(module.key_line("items"), "module has no items")
        items: list[Item] = []
        for index, entry in enumerate(value):
            line = value.item_line(index)
            if not isinstance(entry, LineMap):
                self.report.error(line, f"an item must be a mapping such as 'lesson: red-flags' or 'quiz: check', "
                                  f"got {show(entry)}")
                continue
            item = self.item(entry, line, item_lines, pass_mark)
            if item is not None:
                items.append(item)
        return tuple(items)

    def item(self, entry: LineMap, line: int, item_lines: dict[str, int], pass_mark: float) -> Item | None:
        if "lesson" in entry and "quiz" in entry:
            self.report.error(line, "an item is a lesson or a quiz, not both; split it into two items")
            return None
        if "lesson" not in entry and "quiz" not in entry:
            before = len(self.report.problems)
            check_keys(self.report, entry, (*LESSON_KEYS, *QUIZ_KEYS))
            if len(self.report.problems) == before:
                self.report.error(line, "an item needs 'lesson: ID' or 'quiz: ID'")
            return None
        kind = "lesson" if "lesson" in entry else "quiz"
        if kind == "lesson":
            for key, key_line in entry.key_lines.items():
                if key in QUIZ_KEYS and key != "quiz":
                    self.report.error(key_line, f"'{key}' applies to quizzes, not lessons")
            check_keys(self.report, entry, (*LESSON_KEYS, *QUIZ_KEYS[1:]))
        else:
            check_keys(self.report, entry, QUIZ_KEYS)
        item_id = entry.get(kind)
        id_line = entry.key_line(kind)
        if not isinstance(item_id, str) or not ID_PATTERN.match(item_id):
            hint = ""
            if isinstance(item_id, str) and item_id.endswith((".md", ".gift")):
                hint = f"; write the id without the file extension: '{item_id.rsplit('.', 1)[0]}'"
            self.report.error(id_line, f"{kind} id {show(item_id)} is not valid: {ID_RULE}{hint}")
            return None
        if item_id in item_lines:
            self.report.error(id_line, f"duplicate item id '{item_id}' (first at line {item_lines[item_id]})")
            return None
        item_lines[item_id] = id_line
        self.listed[kind].add(item_id)
        if kind == "lesson":
            return self.lesson(item_id, id_line)
        title = local_text(self.report, entry, "title", self.languages, default=DEFAULT_QUIZ_TITLE,
                           fallback=self.fallback)
        quiz_pass_mark = read_pass_mark(self.report, entry, pass_mark)
        max_attempts = whole_number(self.report, entry, "max_attempts", hint=" (leave it out for unlimited attempts)")
        shuffle = boolean(self.report, entry, "shuffle", False)
        show_answers = choice(self.report, entry, "show_answers", SHOW_ANSWERS) or DEFAULT_SHOW_ANSWERS
        variants = self.quiz_variants(item_id, id_line)
        rubrics = self.rubrics(entry, variants)
        if title is None or not variants:
            return None
        return QuizSpec(
            id=item_id, title=title, pass_mark=quiz_pass_mark, max_attempts=max_attempts, shuffle=shuffle,
            variants=variants, rubrics=rubrics, show_answers=show_answers,
        )

    def rubrics(self, entry: LineMap, variants: tuple[QuizVariant, ...]) -> dict[str, LocalText]:
        """`rubrics`: essay question name -> what a trainer marking it should look for (Markdown, per
        language). Trainers see it beside the learner's answer; learners never do."""
        value = entry.get("rubrics")
        if value is None:
            if "rubrics" in entry:
                self.report.error(entry.key_line("rubrics"), "rubrics is empty; leave it out or give one per essay")
            return {}
        if not isinstance(value, LineMap):
            self.report.error(entry.key_line("rubrics"), "rubrics must map each essay question's name to its "
                              f"rubric, such as 'essay-name: {{en: ..., es: ...}}', got {show(value)}")
            return {}
        duplicates(self.report, value)
        questions = {q.id: q for q in variants[0].questions} if variants else {}
        source = variants[0].source if variants else "the quiz"
        rubrics: dict[str, LocalText] = {}
        for name in value:
            line = value.key_line(name)
            question = questions.get(name) if isinstance(name, str) else None
            if variants and question is None:
                hint = suggest(name, [q for q in questions if questions[q].kind.awaits_marking])
                self.report.error(line, f"rubric for {show(name)}, which is not a question name in {source}{hint}")
            elif question is not None and not question.kind.awaits_marking:
                self.report.error(line, f"rubric for '{name}', a {question.type} question; rubrics are for "
                                  "essays, which a trainer marks")
            text = local_text(self.report, value, name, self.languages, fallback=self.fallback,
                              label=f"rubric for {show(name)}")
            if text is not None and question is not None and question.kind.awaits_marking:
                shown = self.files.shown("course.yaml")
                rubrics[name] = LocalText(tuple(
                    (lang, self.render_rubric(body, shown, line)) for lang, body in text.texts))
        return rubrics

    def render_rubric(self, text: str, shown: str, line: int) -> str:
        rendered = render_text(text, "markdown", course_id=self.course_id, path=shown, line=line,
                               media_url=self.media_url)
        self.note_media(shown, rendered)
        return rendered.html

    def variant_files(self, item_id: str, kind: str, line: int) -> dict[str, str]:
        """language -> file name of each version of an item; missing ones reported."""
        extension = ".md" if kind == "lesson" else ".gift"
        files: dict[str, str] = {}
        for name in (f"{item_id}{extension}", f"{item_id}.{self.languages[0]}{extension}"):
            if (self.files.folder / name).is_file():
                files[self.languages[0]] = name
                break
        else:
            other = ".gift" if kind == "lesson" else ".md"
            other_kind = "quiz" if kind == "lesson" else "lesson"
            hint = ""
            if (self.files.folder / f"{item_id}{other}").is_file():
                hint = f"; {item_id}{other} is a {other_kind}: write '{other_kind}: {item_id}'"
            else:
                names = [split_variant(p.name, extension)[0] for p in self.files.listing(extension)]
                hint = suggest(item_id, names)
            self.report.error(line, f"{kind} file '{item_id}{extension}' not found{hint}")
            return {}
        missing = []
        for lang in self.languages[1:]:
            name = f"{item_id}.{lang}{extension}"
            if (self.files.folder / name).is_file():
                files[lang] = name
            else:
                missing.append((lang, name))
        for lang, name in missing:
            instead = shown_instead(lang, files, self.languages, self.fallback)
            self.report.warn(line, f"{kind} '{item_id}' has no '{lang}' version ({name}); "
                             f"learners see the '{instead}' one")
        self.claimed.update(files.values())
        return files

    def note_media(self, path: str, rendered: Rendered) -> None:
        self.report.problems.extend(rendered.problems)
        self.media_uses.extend(MediaUse(path, line, media) for line, media in rendered.media)

    def lesson(self, item_id: str, line: int) -> LessonSpec | None:
        variants: list[LessonVariant] = []
        for lang, name in self.variant_files(item_id, "lesson", line).items():
            variant = self.lesson_variant(lang, name)
            if variant is not None:
                variants.append(variant)
        if not variants or variants[0].language != self.languages[0]:
            return None
        return LessonSpec(id=item_id, variants=tuple(variants))

    def lesson_variant(self, lang: str, name: str) -> LessonVariant | None:
        shown = self.files.shown(name)
        text = self.files.read(name)
        if text is None:
            return None
        front, body = self.front_matter(text, shown)
        if front is None:
            return None
        title = front.get("title")
        if title is not None and (not isinstance(title, str) or not title.strip()):
            message = f"title must be text, got {show(title)}"
            if isinstance(title, str):
                message = "title is empty"
            self.report.add(shown, front.key_line("title"), "error", message)
            return None
        minutes = whole_number(self.report, front, "minutes", path=shown)
        if "minutes" in front and minutes is None:
            return None
        rendered = render_markdown(body, course_id=self.course_id, path=shown, media_url=self.media_url,
                                   drop_title=title is None)
        self.note_media(shown, rendered)
        title = title.strip() if isinstance(title, str) else rendered.title
        if not title:
            self.report.add(shown, 1, "error", "lesson has no title: add 'title: ...' to the front matter "
                            "or start with a '# heading'")
            return None
        return LessonVariant(language=lang, title=title, html=rendered.html, minutes=minutes, source=name)

    def front_matter(self, text: str, shown: str) -> tuple[LineMap | None, str]:
        """(front matter, body with the front matter's lines blanked, so Markdown lines stay file lines)."""
        lines = text.split("\n")
        if lines[0].rstrip() != "---":
            return LineMap(), text
        end = front_matter_end(lines)
        if end is None:
            self.report.add(shown, 1, "error", "front matter has no closing '---' line")
            return None, text
        data, failure = parse_yaml("\n" + "\n".join(lines[1:end]))
        if failure is not None:
            line, message = failure
            self.report.add(shown, line, "error", f"{message} (in the front matter)")
            return None, text
        if data is None:
            data = LineMap()
        if not isinstance(data, LineMap):
            self.report.add(shown, 2, "error",
                            "front matter must be a mapping of keys to values, such as 'title: ...'")
            return None, text
        duplicates(self.report, data, shown)
        for key in data:
            if key not in FRONT_MATTER_KEYS:
                hint = suggest(key, FRONT_MATTER_KEYS)
                self.report.add(shown, data.key_line(key), "warning",
                                f"unknown key '{key}' in the front matter is ignored{hint}")
        return data, "\n" * (end + 1) + "\n".join(lines[end + 1:])

    def quiz_variants(self, item_id: str, line: int) -> tuple[QuizVariant, ...]:
        variants: list[QuizVariant] = []
        for lang, name in self.variant_files(item_id, "quiz", line).items():
            variant = self.quiz_variant(lang, name)
            if variant is not None:
                variants.append(variant)
        if not variants or variants[0].language != self.languages[0]:
            return ()
        default = variants[0]
        default_name = default.source
        default_ids = {q.id: q for q in default.questions}
        for variant in variants[1:]:
            shown = self.files.shown(variant.source)
            ids = {q.id: q for q in variant.questions}
            for question_id in default_ids.keys() - ids.keys():
                self.report.add(shown, 0, "error", f"question '{question_id}' of {default_name} "
                                "is missing here; every translation needs the same question names")
            for question_id, question in ids.items():
                original = default_ids.get(question_id)
                if original is None:
                    self.report.add(shown, question.line, "error", f"question '{question_id}' is not in "
                                    f"{default_name}; every translation needs the same question names")
                elif original.type != question.type:
                    self.report.add(shown, question.line, "error", f"question '{question_id}' is a "
                                    f"{question.type} question here but a {original.type} question in "
                                    f"{default_name}")
        return tuple(variants)

    def quiz_variant(self, lang: str, name: str) -> QuizVariant | None:
        shown = self.files.shown(name)
        text = self.files.read(name)
        if text is None:
            return None
        try:
            questions, problems = parse_gift(text, shown)
        except GiftSyntaxError as err:
            self.report.add(shown, err.line, "error", err.message)
            return None
        self.report.problems.extend(problems)
        self.report.problems.extend(hash_in_answer_problems(questions, text, shown))
        if not questions:
            self.report.add(shown, 0, "error", "quiz has no questions")
            return None
        if not any(q.kind.answered for q in questions):
            self.report.add(shown, 0, "error", "quiz has only descriptions: add a question to answer")
            return None
        return QuizVariant(language=lang, questions=tuple(self.render_question(q, shown) for q in questions),
                           source=name)

    def render_question(self, question: Question, shown: str) -> Question:
        """Every text of the question as sanitised HTML, each rendered in its own format; what rendering a
        part finds is reported at that part's own line."""
        def render(text: str, text_format: str, part: str) -> str:
            rendered = render_text(text, text_format, course_id=self.course_id, path=shown,
                                   line=question.part_line(part) or 1, media_url=self.media_url)
            self.note_media(shown, rendered)
            return rendered.html

        return question.map_texts(render, to_format="html")
