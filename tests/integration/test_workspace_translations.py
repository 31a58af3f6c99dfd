"""Translations in the browser (issue 16, decision 0077): the table of a workspace's lessons and quizzes by
language, what is older than its source, and the side-by-side editor, through the Flask client and a real
database."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from learnhub.models import WorkspaceFileVersion
from learnhub.services.workspace_translations import is_stale, source_when_translated
from tests.conftest import log_in, post_form
from tests.integration.test_authoring import create_from_template, save, text
from tests.integration.test_learning import count_queries


def cells(page: str) -> dict[tuple[str, str], str]:
    """{(item key, language): what the cell says} from the translations table."""
    found = {}
    languages = re.findall(r'<th scope="col" lang="(\w\w)">', page)
    for key, row in re.findall(r"<code>([a-z0-9-]+)</code></span></th>(.*?)</tr>", page, re.S):
        states = re.findall(r'<td class="translation-([a-z-]+)">', row)
        found.update({(key, language): state for language, state in zip(languages, states, strict=True)})
    return found


def copy_of(client, course_id: str) -> int:
    response = post_form(client, "/author/new/copy", {"copy-course_id": course_id}, page="/author/")
    assert response.status_code == 303
    return int(response.location.rsplit("/", 1)[1])


def test_stale_means_the_source_changed_after_the_translation_was_saved():
    source = [(1, "a"), (5, "b")]
    assert not is_stale(source, [(6, "t")])  # translated after the source's last change
    assert is_stale(source, [(3, "t")])  # translated against "a", the source is now "b"
    assert source_when_translated(source, [(3, "t")]) == (1, "a")
    assert not is_stale([(4, "a")], [(2, "t")])  # uploaded together, translation first: against the first version
    assert not is_stale([(1, "a"), (5, "b"), (7, "a")], [(3, "t")])  # the source restored: current again


def test_a_copied_course_is_translated_everywhere_and_an_edited_source_makes_its_translations_older(
        client, db, trainer):
    workspace_id = copy_of(client, "passwords-mfa")
    page = text(client.get(f"/author/{workspace_id}/translations"))
    table = cells(page)
    lesson = re.search(r"lesson: ([a-z0-9-]+)", db.session.scalar(select(WorkspaceFileVersion.content).where(
        WorkspaceFileVersion.path == "course.yaml")).decode()).group(1)
    assert table[(lesson, "en")] == "source" and table[(lesson, "es")] == "current"
    assert set(table.values()) == {"source", "current"}
    source = db.session.scalar(select(WorkspaceFileVersion.content).where(
        WorkspaceFileVersion.path == f"{lesson}.md")).decode()
    assert save(client, workspace_id, f"{lesson}.md", source + "\nA new closing paragraph.\n").status_code == 303
    table = cells(text(client.get(f"/author/{workspace_id}/translations")))
    assert [table[(lesson, code)] for code in ("en", "es", "pt", "fr")] == ["source", "stale", "stale", "stale"]
    assert {state for (key, _), state in table.items() if key != lesson} == {"source", "current"}
    # The Spanish translation's page shows what changed in the source, then saving it makes it current.
    page = text(client.get(f"/author/{workspace_id}/translations/{lesson}/es"))
    assert "The source changed since this translation was last saved" in page
    assert "A new closing paragraph." in page.split("Source in English")[0]  # in the changes, above the editor
    spanish = db.session.scalar(select(WorkspaceFileVersion.content).where(
        WorkspaceFileVersion.path == f"{lesson}.es.md")).decode()
    response = post_form(client, f"/author/{workspace_id}/translations/{lesson}/es",
                         {"text": spanish + "\nUn párrafo final nuevo.\n"})
    assert response.status_code == 303
    table = cells(text(client.get(f"/author/{workspace_id}/translations")))
    assert [table[(lesson, code)] for code in ("en", "es", "pt", "fr")] == ["source", "current", "stale", "stale"]


def test_a_new_translation_starts_from_the_source_and_is_saved_as_a_new_file(client, db, trainer):
    workspace_id = create_from_template(client)
    course_yaml = db.session.scalar(select(WorkspaceFileVersion.content).where(
        WorkspaceFileVersion.path == "course.yaml")).decode()
    assert save(client, workspace_id, "course.yaml",
                course_yaml.replace("languages: [en]", "languages: [en, pt]")).status_code == 303
    table = cells(text(client.get(f"/author/{workspace_id}/translations")))
    assert table == {("introduction", "en"): "source", ("introduction", "es"): "not-listed",
                     ("introduction", "pt"): "missing", ("introduction", "fr"): "not-listed"}
    assert client.get(f"/author/{workspace_id}/translations/introduction/es").status_code == 404
    assert client.get(f"/author/{workspace_id}/translations/introduction/en").status_code == 404
    assert client.get(f"/author/{workspace_id}/translations/nothing-here/pt").status_code == 404
    page = text(client.get(f"/author/{workspace_id}/translations/introduction/pt"))
    assert "Introduction in Portuguese" in page and "starts as a copy of the source" in page
    assert re.search(r'<textarea[^>]*lang="pt"[^>]*>\s*---\ntitle: Introduction', page)
    lesson = "---\ntitle: Introdução\nminutes: 5\n---\nEscreva a lição aqui.\n"
    response = post_form(client, f"/author/{workspace_id}/translations/introduction/pt", {"text": lesson})
    assert response.status_code == 303
    stored = db.session.scalar(select(WorkspaceFileVersion.content).where(
        WorkspaceFileVersion.path == "introduction.pt.md"))
    assert stored == lesson.encode()
    assert cells(text(client.get(f"/author/{workspace_id}/translations")))[("introduction", "pt")] == "current"
    assert "No problems" in text(client.get(f"/author/{workspace_id}")) or "Warning" in text(
        client.get(f"/author/{workspace_id}"))


def test_a_quiz_translation_that_renames_a_question_is_shown_its_problem_by_line(client, db, trainer):
    workspace_id = copy_of(client, "passwords-mfa")
    quiz = "check-passwords-mfa"
    spanish = db.session.scalar(select(WorkspaceFileVersion.content).where(
        WorkspaceFileVersion.path == f"{quiz}.es.gift")).decode()
    name = re.search(r"::([^:]+)::", spanish).group(1)
    renamed = spanish.replace(f"::{name}::", "::otro-nombre::", 1)
    line = spanish[:spanish.index(f"::{name}::")].count("\n") + 1
    assert post_form(client, f"/author/{workspace_id}/translations/{quiz}/es", {"text": renamed}).status_code == 303
    page = text(client.get(f"/author/{workspace_id}/translations/{quiz}/es"))
    assert "Keep every question's name (::name::) and type as in the source" in page
    problems = page.split("Problems in this file")[1]
    assert f"line {line}" in problems and "otro-nombre" in problems


def test_only_members_and_admins_see_translations(app, client, db, trainer, make_user):
    workspace_id = create_from_template(client)
    make_user(role="trainer", email="other@example.org")
    make_user(role="trainee", email="learner-t@example.org")
    for email in ("other@example.org", "learner-t@example.org"):
        client.get("/logout")
        log_in(client, email)
        for url in (f"/author/{workspace_id}/translations", f"/author/{workspace_id}/translations/introduction/es"):
            assert client.get(url).status_code == 404, (email, url)


def test_the_table_costs_the_same_statements_whatever_the_course(client, db, trainer):
    counted = []
    for course_id in ("reporting-incidents", "passwords-mfa"):  # the test wraps each in savepoints
        workspace_id = copy_of(client, course_id)
        statements, stop = count_queries(db)
        try:
            page = client.get(f"/author/{workspace_id}/translations")
        finally:
            stop()
        assert page.status_code == 200 and len(cells(unescape(page.get_data(as_text=True)))) >= 8
        counted.append(len(statements))
    assert counted[0] == counted[1] <= 7, counted
