"""What a Spanish-speaking trainer and their learners hit (issue 20, "Trainers"): the cohort CSV in the words
the interface shows, question analysis in the trainer's language, export headers, the result page while an
essay awaits marking, and the welcome page of an invited person."""

from __future__ import annotations

import csv
import html
import io
import re

from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from learnhub.content.questions import Question
from learnhub.extensions import db as database
from learnhub.models import QuizQuestion, User
from learnhub.services import catalogue
from learnhub.services.certificates import hours_text
from tests.conftest import DEFAULT_PASSWORD, log_in, post_form
from tests.integration.learning_helpers import submit_quiz
from tests.integration.test_invitations import mails
from tests.integration.test_learning import count_queries
from tests.integration.test_trainer import assign, create_cohort, enrol_learner, upload

SPANISH_CSV = "\n".join([
    "Correo;Nombre;País;Sector;Tipo de organización",
    "ana@minsa.gob.pe;Ana Quispe;Perú;Salud;Gobierno u organismo público",
    "luis@ute.com.uy;Luis Pérez;Uruguay;Energía;Sector privado",
    "eva@mef.gob.do;Eva Núñez;República Dominicana;Administración pública;GOBIERNO U ORGANISMO PUBLICO",
]).encode("cp1252")


def spanish_trainer(make_user, client):
    user = make_user(role="trainer", email="instructora@example.org", language="es", name="Inés Instructora")
    log_in(client, "instructora@example.org")
    return user


def test_a_cohort_csv_in_spanish_words_imports_every_row(db, client, make_user):
    spanish_trainer(make_user, client)
    cohort_id = create_cohort(client)
    response = upload(client, cohort_id, SPANISH_CSV)
    assert response.status_code == 303  # no row refused: the import started at once
    people = {user.email: (user.sector, user.organisation_type) for user in db.session.scalars(
        select(User).where(User.email.in_(["ana@minsa.gob.pe", "luis@ute.com.uy", "eva@mef.gob.do"])))}
    assert people == {"ana@minsa.gob.pe": ("health", "government"), "luis@ute.com.uy": ("energy", "private"),
                      "eva@mef.gob.do": ("public-administration", "government")}
    page = client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)
    assert "Se importaron 3 filas: 3 personas invitadas, 0 ya invitadas o en la cohorte; se omitieron 0" in page


def test_an_unknown_sector_is_explained_with_the_accepted_values_in_spanish(db, client, make_user):
    spanish_trainer(make_user, client)
    cohort_id = create_cohort(client)
    response = upload(client, cohort_id, "correo;nombre;sector\nana@minsa.gob.pe;Ana;Minería\n".encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Línea 2: “Minería” en la columna de sector no es un sector. Use uno de estos:" in page
    assert "Salud (health)" in page and "Energía (energy)" in page and "Administración pública" in page


def test_question_analysis_reads_in_the_trainers_language_whatever_the_learners_answered_in(
        app, db, client, make_user):
    spanish_trainer(make_user, client)
    cohort_id = create_cohort(client)
    assign(client, cohort_id, "passwords-mfa")
    for index, language in enumerate(("en", "es", "en")):
        learner, learner_client = enrol_learner(app, db, client, make_user, cohort_id, f"l{index}@example.org",
                                                language=language)
        submit_quiz(learner_client, app, learner, "passwords-mfa", "check-passwords-mfa", right=True)
    url = "/trainer/quizzes/passwords-mfa/check-passwords-mfa/analysis"
    queries, stop = count_queries(db)
    try:
        page = client.get(url).get_data(as_text=True)
    finally:
        stop()
    assert len(queries) <= 15, len(queries)  # a constant few, whatever the number of attempts
    assert "Primeros intentos de 3 participantes de sus cohortes." in page
    item = catalogue.syllabus(catalogue.course_or_none("passwords-mfa")).item("check-passwords-mfa")
    rows: dict[str, dict[str, Question]] = {}
    for row in database.session.scalars(select(QuizQuestion).where(QuizQuestion.item_id == item.id)):
        rows.setdefault(row.language, {})[row.key] = Question.from_dict(row.data)
    spanish, english = rows["es"], rows["en"]
    body = html.unescape(page.split("<tbody>", 1)[1])
    for key, question in spanish.items():
        if question.type == "description":
            continue
        start = re.sub(r"<[^>]+>", "", question.text)[:30]
        assert html.unescape(start) in body, key  # the text, not the id
        for choice in question.choices:
            assert re.sub(r"<[^>]+>", "", choice.text)[:25] in body, (key, choice.text)
        if question.type == "matching":
            # Every learner matched right: each prompt's row counts all three, in Spanish on both sides.
            for pair in question.pairs:
                assert f"{pair.prompt} → {pair.answer}: 3" in body, pair
            for pair in english[key].pairs:
                assert pair.answer not in body
    for key, question in english.items():
        same = {choice.text for choice in spanish[key].choices}  # a password reads alike in both languages
        for choice in question.choices:
            if choice.text not in same:
                assert f"<li>{re.sub(r'<[^>]+>', '', choice.text)}: " not in body, (key, choice.text)


def test_progress_exports_have_spanish_headers(app, db, client, make_user):
    spanish_trainer(make_user, client)
    cohort_id = create_cohort(client)
    assign(client, cohort_id, "passwords-mfa")
    enrol_learner(app, db, client, make_user, cohort_id)
    exported = client.get(f"/trainer/cohorts/{cohort_id}/progress.csv")
    header = next(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert header[:2] == ["Nombre", "Correo electrónico"]
    assert [column.split(": ", 1)[1] for column in header[2:]] == [
        "Estado", "Elementos completados", "Puntuación", "Fecha"]
    workbook = load_workbook(io.BytesIO(client.get(f"/trainer/cohorts/{cohort_id}/progress.xlsx").data))
    assert [cell.value for cell in next(workbook.active.iter_rows(max_row=1))] == header
    assert not any("Items done" in column or "Score" in column for column in header)


def test_while_an_essay_awaits_marking_the_result_invites_no_retry(app, db, client, trainer, make_user):
    cohort_id = create_cohort(client)
    assign(client, cohort_id, "ics-critical-infrastructure")
    learner, learner_client = enrol_learner(app, db, client, make_user, cohort_id, language="es")
    response, _, _ = submit_quiz(learner_client, app, learner, "ics-critical-infrastructure", "check-ot-security",
                                 right=False)
    page = learner_client.get(response.location).get_data(as_text=True)
    result = re.search(r'<div class="result ([^"]+)" role="status">(.*?)</div>', page, re.S)
    assert result.group(1) == "result-pending"  # not the red box of a failed attempt
    text = " ".join(re.sub(r"<[^>]+>", " ", result.group(2)).split())
    assert text.startswith("Resultado: pendiente de corrección")
    assert "Puntuación" not in text and "%" not in text.split("·")[0]
    assert "Intentar de nuevo" not in page and "/quizzes/check-ot-security\" class" not in page
    assert 'class="button primary"' not in page


def test_an_invited_person_is_welcomed_in_their_language_and_logged_in(app, db, client, make_user, mail_dir):
    spanish_trainer(make_user, client)
    cohort_id = create_cohort(client)
    post_form(client, f"/trainer/cohorts/{cohort_id}/people", {"email": "nueva@example.org", "name": "Nueva"},
              page=f"/trainer/cohorts/{cohort_id}")
    [invitation] = mails(mail_dir)
    link = re.search(r"http://\S+(/password/reset/\S+)", invitation.get_content()).group(1)
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-PE,es;q=0.9"
    page = visitor.get(link).get_data(as_text=True)
    assert "<h1>Le damos la bienvenida a LearnHub</h1>" in page and "Elija una nueva contraseña" not in page
    response = post_form(visitor, link, {"password": DEFAULT_PASSWORD, "confirm": DEFAULT_PASSWORD})
    assert response.location == "/learning"
    assert "Le damos la bienvenida a LearnHub. Se unió a la cohorte" in visitor.get("/learning").get_data(
        as_text=True)


def test_counts_of_one_read_in_the_singular(app, db, client, make_user):
    """"Se importaron 1 filas" was the issue's first plural: one row, one person, one skipped line."""
    spanish_trainer(make_user, client)
    cohort_id = create_cohort(client)
    upload(client, cohort_id, b"correo;nombre\nana@minsa.gob.pe;Ana\n")
    page = client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)
    assert "Se importó 1 fila: 1 persona invitada, 0 ya invitadas o en la cohorte; se omitieron 0 filas" in page
    assert "1 filas" not in page
    with app.test_request_context(), force_locale("es"):
        assert hours_text(60, "es") == "Esfuerzo estimado: 1 hora"
        assert hours_text(90, "es").endswith(" horas") and hours_text(120, "es") == "Esfuerzo estimado: 2 horas"
