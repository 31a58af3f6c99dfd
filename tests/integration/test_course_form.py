"""course.yaml as forms (issue 16, decision 0080): "Course settings" and "Modules and items" through the Flask
client on a real database: each field saved and read back, modules and items added, moved and removed, errors
naming the field, the round trip over the starter courses, reviewers read-only, non-members 404."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import func, select

from learnhub.models import CourseWorkspace, WorkspaceFileVersion
from learnhub.services import course_yaml, workspace_members, workspaces
from learnhub.services.workspaces import folder_files
from tests.conftest import csrf_token, form_token, log_in, post_form
from tests.integration.test_authoring import create_from_template, save, text
from tests.integration.test_learning import count_queries

COURSES = Path(__file__).resolve().parents[2] / "courses"
STARTERS = sorted(p.name for p in COURSES.iterdir() if (p / "course.yaml").is_file())


def course_file(db, path="course.yaml") -> str | None:
    content = db.session.scalar(select(WorkspaceFileVersion.content).where(WorkspaceFileVersion.path == path)
                                .order_by(WorkspaceFileVersion.id.desc()).limit(1))
    return content.decode() if content is not None else None


def versions(db, path="course.yaml") -> int:
    return db.session.scalar(select(func.count()).select_from(WorkspaceFileVersion)
                             .where(WorkspaceFileVersion.path == path))


def shown_values(page: str) -> dict:
    """The settings form as a browser would post it: text inputs, text areas, selected options, checked boxes."""
    values: dict = form_token(page)
    page = page.split('<form method="post" novalidate>')[1].split("</form>")[0]
    for name, value in re.findall(r'<input type="(?:text|hidden)" (?:id="[^"]*" )?name="([^"]+)" value="([^"]*)"',
                                  page):
        values[name] = value
    for name, value in re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        values[name] = value
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        values[name] = re.search(r'<option value="([^"]*)" selected>', body).group(1)
    checked = r'<input type="checkbox" id="[^"]+" name="([^"]+)" value="([^"]+)" checked'
    for name, value in re.findall(checked, page):
        values.setdefault(name, []).append(value)
    return values


def settings(client, workspace_id: int) -> dict:
    page = client.get(f"/author/{workspace_id}/settings").get_data(as_text=True)
    return {name: [unescape(v) for v in value] if isinstance(value, list) else unescape(value)
            for name, value in shown_values(page).items()}


def post_settings(client, workspace_id: int, values: dict):
    return client.post(f"/author/{workspace_id}/settings", data=values)


def step(client, workspace_id: int, name: str, data: dict):
    return post_form(client, f"/author/{workspace_id}/modules/{name}", data, page=f"/author/{workspace_id}/modules")


def test_each_setting_is_saved_and_read_back(client, db, trainer):
    workspace_id = create_from_template(client)
    values = settings(client, workspace_id)
    assert values["title-en"] == "Phishing: the basics" and values["languages"] == "en"
    assert values["kind"] == "awareness" and values["level"] == "beginner" and values["minutes"] == "30"
    values.update({"languages": "en, es", "title-es": "Phishing: lo básico", "summary-en": "Spot it.",
                   "objectives-en": "Spot a phish\nReport it", "kind": "skills", "level": "advanced",
                   "minutes": "45", "pass_mark": "80", "certificate": "y", "valid_for": "12 months",
                   "reviewed": "2026-11-30", "roles": ["cyber-incident-responder"],
                   "sectors": ["health", "public-administration"], "fallback-pt": "es, en", "renews": ""})
    response = post_settings(client, workspace_id, values)
    assert response.status_code == 303, text(response)[:3000]
    data = course_yaml.read(course_file(db))
    assert data["languages"] == ["en", "es"] and data["title"] == {"en": "Phishing: the basics",
                                                                   "es": "Phishing: lo básico"}
    assert data["summary"] == {"en": "Spot it."} and data["objectives"] == {"en": ["Spot a phish", "Report it"]}
    assert (data["kind"], data["level"], data["minutes"], data["pass_mark"]) == ("skills", "advanced", 45, 80)
    assert data["certificate"] is True and data["valid_for"] == "12 months"
    assert str(data["reviewed"]) == "2026-11-30" and data["fallback"] == {"pt": ["es", "en"]}
    assert data["roles"] == ["cyber-incident-responder"] and data["sectors"] == ["health", "public-administration"]
    assert data["modules"][0]["items"] == [{"lesson": "introduction"}] and "renews" not in data
    assert "Saved as a new version of course.yaml." in text(client.get(response.location))
    again = settings(client, workspace_id)
    assert again["title-es"] == "Phishing: lo básico" and again["sectors"] == ["health", "public-administration"]
    assert again["certificate"] == ["y"] and again["fallback-pt"] == "es, en" and again["reviewed"] == "2026-11-30"
    # Clearing optional fields leaves their keys out again.
    again.update({"valid_for": "", "reviewed": "", "minutes": "", "fallback-pt": "", "objectives-en": ""})
    again.pop("certificate")
    assert post_settings(client, workspace_id, again).status_code == 303
    data = course_yaml.read(course_file(db))
    assert not {"valid_for", "reviewed", "minutes", "fallback", "objectives"} & set(data)
    assert data["certificate"] is False


def test_texts_in_a_language_taken_off_the_list_stay_until_emptied(client, db, trainer):
    workspace_id = create_from_template(client)
    values = settings(client, workspace_id)
    values.update({"languages": "en, es", "title-es": "Lo básico"})
    assert post_settings(client, workspace_id, values).status_code == 303
    values = settings(client, workspace_id)
    values["languages"] = "en"
    assert post_settings(client, workspace_id, values).status_code == 303
    data = course_yaml.read(course_file(db))
    assert data["languages"] == ["en"] and data["title"] == {"en": "Phishing: the basics", "es": "Lo básico"}
    page = text(client.get(f"/author/{workspace_id}/settings"))
    assert "not a course language: empty the fields to remove its texts" in page
    values = settings(client, workspace_id)
    values["title-es"] = ""
    assert post_settings(client, workspace_id, values).status_code == 303
    assert course_yaml.read(course_file(db))["title"] == {"en": "Phishing: the basics"}


def test_a_setting_saved_by_someone_else_meanwhile_is_kept_when_this_form_did_not_change_it(client, db, trainer):
    workspace_id = create_from_template(client)
    values = settings(client, workspace_id)  # the form as shown now
    meanwhile = course_file(db).replace("level: beginner", "level: advanced")
    assert save(client, workspace_id, "course.yaml", meanwhile).status_code == 303
    values["title-en"] = "Phishing: spot it"
    assert post_settings(client, workspace_id, values).status_code == 303
    data = course_yaml.read(course_file(db))
    assert data["level"] == "advanced" and data["title"] == {"en": "Phishing: spot it"}


def test_unknown_keys_and_comments_outside_the_changed_settings_are_kept(client, db, trainer):
    workspace_id = create_from_template(client)
    original = course_file(db).replace("kind: awareness\n", "# who owns it\nx-owner: unit 3  # internal\n"
                                      "kind: awareness  # for everyone\n")
    assert save(client, workspace_id, "course.yaml", original).status_code == 303
    values = settings(client, workspace_id)
    values["level"] = "intermediate"
    assert post_settings(client, workspace_id, values).status_code == 303
    assert course_file(db) == original.replace("level: beginner", "level: intermediate")
    page = text(client.get(f"/author/{workspace_id}/settings"))
    assert "Comments inside a changed setting are lost" in page
    assert "Error</strong>" in page  # the unknown key, reported by line as the validator does
    assert "line 7" in page and "x-owner" in page


def test_bad_input_names_the_field_keeps_what_was_typed_and_saves_nothing(client, db, trainer):
    workspace_id = create_from_template(client)
    before = versions(db)
    values = settings(client, workspace_id)
    values.update({"minutes": "ten", "pass_mark": "150", "valid_for": "12 weeks", "reviewed": "2026-02-30",
                   "summary-en": "Typed and kept", "title-en": ""})
    response = post_settings(client, workspace_id, values)
    page = text(response)
    assert response.status_code == 400
    for message in ("Minutes: enter a whole number", "Pass mark: enter a number from 0 to 100",
                    "Certificate valid for: write a number of months", "Reviewed on: write a real date",
                    "Title: enter the title in the default language"):
        assert message in page
    assert 'value="ten"' in page and ">Typed and kept</textarea>" in page and 'value="12 weeks"' in page
    assert 'aria-invalid="true"' in page and versions(db) == before


def test_a_kind_the_form_does_not_offer_must_be_chosen_rather_than_replaced_silently(client, db, trainer):
    workspace_id = create_from_template(client)
    assert save(client, workspace_id, "course.yaml", course_file(db).replace("kind: awareness", "kind: awarenes")
                ).status_code == 303
    values = settings(client, workspace_id)
    assert values["kind"] == ""  # "Choose…", selected
    response = post_settings(client, workspace_id, values)
    assert response.status_code == 400 and "Kind: choose awareness or skills." in text(response)
    assert "kind: awarenes\n" in course_file(db)


def test_messages_are_in_the_users_language(client, db, trainer):
    workspace_id = create_from_template(client)
    values = settings(client, workspace_id)
    assert post_form(client, "/language", {"language": "es", "next": "/author/"}, page="/author/").status_code == 303
    values["minutes"] = "diez"
    response = client.post(f"/author/{workspace_id}/settings", data=values)
    page = text(response)
    assert response.status_code == 400 and "Minutos:" in page


def test_modules_and_items_are_added_renamed_moved_and_removed(client, db, trainer):
    workspace_id = create_from_template(client)
    assert step(client, workspace_id, "add-module", {"module_id": "respond", "module_title": "Respond"}
                ).status_code == 303
    assert step(client, workspace_id, "add-item", {"module": "respond", "kind": "quiz", "item_id": "check",
                                                   "item_title": "Check yourself"}).status_code == 303
    assert step(client, workspace_id, "add-item", {"module": "respond", "kind": "lesson", "item_id": "report",
                                                   "item_title": "How to report"}).status_code == 303
    data = course_yaml.read(course_file(db))
    assert [m["id"] for m in data["modules"]] == ["module-1", "respond"]
    assert data["modules"][1] == {"id": "respond", "title": {"en": "Respond"},
                                  "items": [{"quiz": "check", "title": {"en": "Check yourself"}},
                                            {"lesson": "report"}]}
    assert course_file(db, "check.gift").startswith("::question-1::")
    assert "title: \"How to report\"" in course_file(db, "report.md")
    page = text(client.get(f"/author/{workspace_id}"))
    assert "No problems" in page  # the templates are valid format v1
    # The quiz's own settings; what is not in the form (rubrics) stays.
    response = step(client, workspace_id, "quiz", {"module": "respond", "item": "check", "title-en": "Check",
                                                   "pass_mark": "80", "max_attempts": "3", "shuffle": "y",
                                                   "show_answers": "never"})
    assert response.status_code == 303
    quiz = course_yaml.read(course_file(db))["modules"][1]["items"][0]
    assert quiz == {"quiz": "check", "title": {"en": "Check"}, "pass_mark": 80, "max_attempts": 3, "shuffle": True,
                    "show_answers": "never"}
    response = step(client, workspace_id, "quiz", {"module": "respond", "item": "check", "title-en": "Check",
                                                   "max_attempts": "0", "pass_mark": "75"})
    assert response.status_code == 400 and "Attempts allowed: enter a whole number of at least 1" in text(response)
    assert 'id="check-pass_mark" name="pass_mark" value="75"' in text(response)  # what was typed stays
    assert step(client, workspace_id, "quiz", {"module": "respond", "item": "check", "title-en": "Check"}
                ).status_code == 303
    quiz = course_yaml.read(course_file(db))["modules"][1]["items"][0]
    assert quiz == {"quiz": "check", "title": {"en": "Check"}, "shuffle": False}
    # Move the quiz down, the module up, rename it.
    assert step(client, workspace_id, "down", {"module": "respond", "item": "check"}).status_code == 303
    assert step(client, workspace_id, "up", {"module": "respond"}).status_code == 303
    assert step(client, workspace_id, "rename", {"module": "respond", "title-en": "Respond and report"}
                ).status_code == 303
    data = course_yaml.read(course_file(db))
    assert [m["id"] for m in data["modules"]] == ["respond", "module-1"]
    assert [next(iter(i.values())) for i in data["modules"][0]["items"]] == ["report", "check"]
    assert data["modules"][0]["title"] == {"en": "Respond and report"}
    # Removing asks first, then removes the item from course.yaml and keeps its file.
    confirm = step(client, workspace_id, "remove", {"module": "module-1", "item": "introduction"})
    assert confirm.status_code == 200 and "the lesson and quiz files stay in the workspace" in text(confirm)
    assert step(client, workspace_id, "remove", {"module": "module-1", "item": "introduction", "confirmed": "yes"}
                ).status_code == 303
    data = course_yaml.read(course_file(db))
    assert data["modules"][1]["items"] == [] and course_file(db, "introduction.md") is not None
    page = text(client.get(f"/author/{workspace_id}/modules"))
    assert "introduction.md" in page.split("Files in the course that no module lists yet:")[1][:300]
    # An existing file is picked rather than replaced.
    before = versions(db, "introduction.md")
    assert step(client, workspace_id, "add-item", {"module": "module-1", "kind": "lesson", "item_id": "introduction"}
                ).status_code == 303
    assert versions(db, "introduction.md") == before
    assert step(client, workspace_id, "remove", {"module": "module-1", "confirmed": "yes"}).status_code == 303
    assert [m["id"] for m in course_yaml.read(course_file(db))["modules"]] == ["respond"]


def test_module_steps_refuse_bad_input_naming_the_field(client, db, trainer):
    workspace_id = create_from_template(client)
    before = versions(db)
    response = step(client, workspace_id, "add-module", {"module_id": "Bad Id", "module_title": "Kept title"})
    assert response.status_code == 400 and "Module id: use 2 to 64 lowercase letters" in text(response)
    assert 'value="Kept title"' in text(response)
    response = step(client, workspace_id, "add-item", {"module": "module-1", "kind": "lesson",
                                                       "item_id": "introduction"})
    assert response.status_code == 400 and "Item id: the course already lists introduction." in text(response)
    response = step(client, workspace_id, "rename", {"module": "module-1", "title-en": ""})
    assert response.status_code == 400 and "Title: enter the title in the default language." in text(response)
    assert '<details open>' in text(response) and 'href="#title-module-1-en"' in text(response)
    assert step(client, workspace_id, "up", {"module": "nothing"}).status_code == 404
    assert step(client, workspace_id, "jump", {"module": "module-1"}).status_code == 404
    assert versions(db) == before


def test_an_unreadable_course_yaml_sends_the_author_to_the_text_editor(client, db, trainer):
    workspace_id = create_from_template(client)
    assert save(client, workspace_id, "course.yaml", "format: 1\ntitle: [unclosed\n").status_code == 303
    page = text(client.get(f"/author/{workspace_id}/settings"))
    assert "course.yaml cannot be read: fix it in the file editor first." in page and "Save the settings" not in page
    assert "invalid YAML" in page  # the validator's message, by line
    page = text(client.get(f"/author/{workspace_id}/modules"))
    assert "does not read as a list of modules" in page and "Add the module" not in page
    response = step(client, workspace_id, "add-module", {"module_id": "two", "module_title": "Two"})
    assert response.status_code == 400 and versions(db) == 2


@pytest.mark.parametrize("course_id", STARTERS)
def test_saving_a_starter_course_unchanged_keeps_its_bytes_and_validation(client, db, trainer, course_id):
    response = post_form(client, "/author/new/copy", {"copy-course_id": course_id}, page="/author/")
    workspace_id = int(response.location.rsplit("/", 1)[1])
    original = (COURSES / course_id / "course.yaml").read_text(encoding="utf-8")
    workspace = db.session.get(CourseWorkspace, workspace_id)
    before = [(p.path, p.level, p.message) for p in workspaces.validate(workspace)]
    response = post_settings(client, workspace_id, settings(client, workspace_id))
    assert response.status_code == 303, text(response)[:3000]
    assert "No changes to save." in text(client.get(response.location))
    assert course_file(db) == original and versions(db) == 1
    # A module moved down and back up: the same bytes again (a moved module keeps its lines).
    data = course_yaml.read(original)
    if len(data["modules"]) > 1:
        first = data["modules"][0]["id"]
        assert step(client, workspace_id, "down", {"module": first}).status_code == 303
        assert course_file(db) != original and course_yaml.read(course_file(db))["modules"][1]["id"] == first
        assert step(client, workspace_id, "up", {"module": first}).status_code == 303
        assert course_file(db) == original
        assert [(p.path, p.level, p.message) for p in workspaces.validate(workspace)] == before
    assert folder_files(COURSES / course_id)["course.yaml"].decode() == original


def test_reviewers_read_and_cannot_change_others_get_404(app, client, db, trainer, make_user):
    workspace_id = create_from_template(client)
    make_user(role="trainer", email="reviewer@example.org", language="en")
    workspace_members.add(db.session.get(CourseWorkspace, workspace_id), "reviewer@example.org", "reviewer")
    db.session.commit()
    make_user(role="trainer", email="other@example.org")
    before = versions(db)
    reviewer = app.test_client()
    log_in(reviewer, "reviewer@example.org")
    page = text(reviewer.get(f"/author/{workspace_id}/settings"))
    assert "you can read its settings but not change them" in page and "Save the settings" not in page
    assert 'value="Phishing: the basics" lang="en" readonly' in page
    modules = text(reviewer.get(f"/author/{workspace_id}/modules"))
    assert "you can read its modules but not change them" in modules and "Add the module" not in modules
    token = csrf_token(reviewer.get("/account/profile").get_data(as_text=True))
    values = {**settings(reviewer, workspace_id), "csrf_token": token, "level": "advanced"}
    assert reviewer.post(f"/author/{workspace_id}/settings", data=values).status_code == 403
    assert reviewer.post(f"/author/{workspace_id}/modules/add-module",
                         data={"csrf_token": token, "module_id": "two", "module_title": "Two"}).status_code == 403
    other = app.test_client()
    log_in(other, "other@example.org")
    token = csrf_token(other.get("/account/profile").get_data(as_text=True))
    for url in (f"/author/{workspace_id}/settings", f"/author/{workspace_id}/modules"):
        assert other.get(url).status_code == 404
    assert other.post(f"/author/{workspace_id}/settings", data={"csrf_token": token}).status_code == 404
    assert other.post(f"/author/{workspace_id}/modules/up", data={"csrf_token": token, "module": "module-1"}
                      ).status_code == 404
    assert versions(db) == before


def test_the_pages_read_a_fixed_number_of_queries(client, db, trainer):
    small = create_from_template(client, course_id="small-course")
    response = post_form(client, "/author/new/copy", {"copy-course_id": "reporting-incidents"}, page="/author/")
    large = int(response.location.rsplit("/", 1)[1])
    for page in ("settings", "modules"):
        found = []
        for workspace_id in (small, large):
            statements, stop = count_queries(db)
            try:
                assert client.get(f"/author/{workspace_id}/{page}").status_code == 200
            finally:
                stop()
            found.append(len(statements))
        assert found[0] == found[1] and found[0] <= 8, (page, found)
