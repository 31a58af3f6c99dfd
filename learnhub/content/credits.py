"""Image credits: `media/CREDITS.yaml` names the source and licence (and optionally the author) of every
media file, so that a course can be shared under its own licence knowing what each picture may be used for.

    purdue-zones.png:
      source: Drawn for LearnHub
      licence: CC BY 4.0
      author: LearnHub contributors

A media file without a credit is a warning (the course still loads); a credit for a file that is not
there is an error (a typo, or a file removed and its credit forgotten).
"""

from __future__ import annotations

from learnhub.content.fields import Report, check_keys, duplicates, show
from learnhub.content.files import CourseFolder
from learnhub.content.model import Credit
from learnhub.content.yaml_lines import LineMap, parse_yaml

MEDIA_FOLDER = "media"
CREDITS_FILE = f"{MEDIA_FOLDER}/CREDITS.yaml"
CREDIT_KEYS = ("source", "licence", "author")
CREDIT_REQUIRED = ("source", "licence")


def media_files(files: CourseFolder) -> list[str]:
    """Every file under media/ (hidden ones and CREDITS.yaml left out), relative to media/, sorted."""
    folder = files.folder / MEDIA_FOLDER
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in relative.split("/")) or not path.is_file():
            continue
        if relative != "CREDITS.yaml":
            found.append(relative)
    return found


def read_credits(files: CourseFolder) -> dict[str, Credit]:
    """The credits of the course's media files, by file name under media/; problems go to the folder's list."""
    present = media_files(files)
    credits: dict[str, Credit] = {}
    shown = files.shown(CREDITS_FILE)
    report = Report(files.problems, shown)
    if (files.folder / CREDITS_FILE).is_file():
        credits = _parse(files, report, set(present))
    for name in present:
        if name not in credits:
            files.add(files.shown(f"{MEDIA_FOLDER}/{name}"), 0, "warning",
                      f"no credit for this file in {CREDITS_FILE}: add its source and licence")
    return credits


def _parse(files: CourseFolder, report: Report, present: set[str]) -> dict[str, Credit]:
    text = files.read(CREDITS_FILE)
    if text is None:
        return {}
    data, failure = parse_yaml(text)
    if failure is not None:
        report.error(*failure)
        return {}
    if data is None:
        return {}
    if not isinstance(data, LineMap):
        report.error(1, "CREDITS.yaml must map each media file name to its credit, such as "
                     "'diagram.png: {source: ..., licence: ...}'")
        return {}
    duplicates(report, data)
    credits: dict[str, Credit] = {}
    for name, entry in data.items():
        line = data.key_line(name)
        if not isinstance(name, str) or name not in present:
            hint = ""
            if isinstance(name, str) and name.startswith(f"{MEDIA_FOLDER}/"):
                hint = f"; write the name without '{MEDIA_FOLDER}/'"
            report.error(line, f"credit for {show(name)}, which is not a file in {MEDIA_FOLDER}/{hint}")
            continue
        if not isinstance(entry, LineMap):
            report.error(line, f"the credit for '{name}' must be a mapping with source and licence, got {show(entry)}")
            continue
        before = len(report.problems)
        check_keys(report, entry, CREDIT_KEYS)
        for key in CREDIT_REQUIRED:
            if key not in entry:
                report.error(line, f"missing required key '{key}' in the credit for '{name}'")
        values = {}
        for key in CREDIT_KEYS:
            value = entry.get(key)
            if key in entry and (not isinstance(value, str) or not value.strip()):
                report.error(entry.key_line(key), f"{key} of '{name}' must be text, got {show(value)}")
            elif isinstance(value, str):
                values[key] = " ".join(value.split())
        if len(report.problems) == before:
            credits[name] = Credit(**values)
        else:
            credits[name] = Credit(source=values.get("source", ""), licence=values.get("licence", ""))
    return credits
