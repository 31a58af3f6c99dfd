"""Cohort invitations through the Flask client: consent, decline, link acceptance, idempotent and resumable
sending, resends, enumeration and mail injection (issue 11, decision 0020)."""

from __future__ import annotations

import email
import email.policy
import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from learnhub.jobs import queue, tasks
from learnhub.models import AuditEvent, Cohort, CohortMember, OutboundMail, PasswordResetToken, User
from learnhub.models.base import utcnow
from learnhub.services import cohorts, invitations, mail
from tests.conftest import DEFAULT_PASSWORD, csrf_token, log_in, post_form
from tests.integration import test_trainer as trainer_tests
from tests.integration.learning_helpers import accept_invitation


def create_cohort(client, name="Hospital San Juan, cohort 1") -> int:
    """A cohort whose mails are in English, so the tests can read them."""
    return trainer_tests.create_cohort(client, name, language="en")


def add(client, cohort_id, address, name="Ana as typed"):
    response = post_form(client, f"/trainer/cohorts/{cohort_id}/people", {"email": address, "name": name},
                         page=f"/trainer/cohorts/{cohort_id}")
    assert response.status_code == 303
    return response


def flashes(client, response) -> list[str]:
    return re.findall(r'class="flash[^"]*">([^<]+)<', client.get(response.location).get_data(as_text=True))


def import_status(client, response) -> list[str]:
    """What the cohort page's import status region says, a line per import."""
    page = client.get(response.location).get_data(as_text=True)
    region = re.search(r'<div class="imports" role="status">(.*?)</div>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", line).split())
            for line in re.findall(r"<p>(.*?)</p>", region.group(1), re.S)] if region else []


def upload(client, cohort_id: int, addresses):
    data = ("name,email\n" + "".join(f"Person {i},{a}\n" for i, a in enumerate(addresses))).encode()
    page = client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)
    response = client.post(f"/trainer/cohorts/{cohort_id}/import", content_type="multipart/form-data",
                           data={"csrf_token": csrf_token(page), "file": (io.BytesIO(data), "people.csv")})
    assert response.status_code == 303
    return response


def mails(mail_dir):
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(mail_dir.glob("*.eml"))]


def member(db, cohort_id, address) -> CohortMember:
    db.session.expire_all()
    return db.session.scalar(select(CohortMember).join(User, User.id == CohortMember.learner_id)
                             .where(CohortMember.cohort_id == cohort_id, User.email == address))


def test_an_existing_trainee_is_only_invited_until_they_accept(app, db, client, trainer, make_user, mail_dir):
    ana = make_user(email="ana@example.org", language="en", name="Ana Real-Name", verified=False)
    cohort_id = create_cohort(client)
    post_form(client, f"/trainer/cohorts/{cohort_id}/assignments", {"course": "passwords-mfa", "due_on": ""},
              page=f"/trainer/cohorts/{cohort_id}")
    add(client, cohort_id, "ana@example.org")
    assert member(db, cohort_id, "ana@example.org").accepted_at is None
    page = client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)
    assert "0 members · 1 invited, not joined yet" in page
    assert "Ana as typed" in page and "Ana Real-Name" not in page  # what the trainer typed, not the account
    assert f"/learners/{ana.id}" not in page
    [invitation] = mails(mail_dir)
    assert invitation["To"] == "ana@example.org"
    assert 'Cohort: "Hospital San Juan, cohort 1"' in invitation.get_content()
    assert 'Trainer: "Tomás Trainer"' in invitation.get_content()

    learner = app.test_client()
    log_in(learner, "ana@example.org")
    dashboard = learner.get("/learning").get_data(as_text=True)
    assert "Cohort invitations" in dashboard and "“Hospital San Juan, cohort 1”" in dashboard
    assert 'href="/courses/passwords-mfa"' not in dashboard  # the cohort's courses come with joining
    assert "“Hospital San Juan, cohort 1”" in learner.get("/invitations").get_data(as_text=True)
    accept_invitation(learner, cohort_id)
    joined = member(db, cohort_id, "ana@example.org")
    assert joined.accepted_at is not None and utcnow() - joined.accepted_at < timedelta(minutes=1)
    assert db.session.get(User, ana.id).email_verified_at is None  # only the mailed link proves the address
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.event == "cohort.invitation_accepted",
                                                             AuditEvent.actor_id == ana.id)) == {"cohort_id": cohort_id}
    dashboard = learner.get("/learning").get_data(as_text=True)
    assert 'href="/courses/passwords-mfa"' in dashboard and "Cohort invitations" not in dashboard
    page = client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)
    assert "1 member · 0 invited, not joined yet" in page and f"/learners/{ana.id}" in page
    # Accepting twice, or a cohort one was never invited to, answers 404.
    token = csrf_token(learner.get("/invitations").get_data(as_text=True))
    assert learner.post(f"/invitations/{cohort_id}/accept", data={"csrf_token": token}).status_code == 404
    other = create_cohort(client, "Another cohort")
    assert learner.post(f"/invitations/{other}/accept", data={"csrf_token": token}).status_code == 404
    assert learner.post(f"/invitations/{cohort_id}/accept").status_code == 400  # no CSRF token


def test_declining_deletes_the_invitation(app, db, client, trainer, make_user):
    ana = make_user(email="ana@example.org", language="en")
    cohort_id = create_cohort(client)
    add(client, cohort_id, "ana@example.org")
    learner = app.test_client()
    log_in(learner, "ana@example.org")
    token = csrf_token(learner.get("/learning").get_data(as_text=True))
    response = learner.post(f"/invitations/{cohort_id}/decline", data={"csrf_token": token})
    assert response.status_code == 303
    assert "You declined the invitation." in learner.get(response.location).get_data(as_text=True)
    assert member(db, cohort_id, "ana@example.org") is None
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.event == "cohort.invitation_declined",
                                                             AuditEvent.actor_id == ana.id)) == {"cohort_id": cohort_id}
    assert learner.post(f"/invitations/{cohort_id}/accept", data={"csrf_token": token}).status_code == 404
    assert "0 invited, not joined yet" in client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)


def test_another_learner_cannot_answer_someone_elses_invitation(app, db, client, trainer, make_user):
    make_user(email="ana@example.org", language="en")
    make_user(email="eve@example.org", language="en")
    cohort_id = create_cohort(client)
    add(client, cohort_id, "ana@example.org")
    eve = app.test_client()
    log_in(eve, "eve@example.org")
    token = csrf_token(eve.get("/password/forgot").get_data(as_text=True))
    for action in ("accept", "decline"):
        assert eve.post(f"/invitations/{cohort_id}/{action}", data={"csrf_token": token}).status_code == 404
    assert member(db, cohort_id, "ana@example.org").accepted_at is None


def test_following_the_invitation_link_accepts_and_verifies_the_address(app, db, client, trainer, mail_dir):
    cohort_id = create_cohort(client)
    add(client, cohort_id, "new.person@example.org", name="New Person")
    [invitation] = mails(mail_dir)
    assert invitation["Subject"] == "You are invited to LearnHub"
    assert 'Your name, as the trainer typed it: "New Person"' in invitation.get_content()
    link = re.search(r"http://\S+(/password/reset/\S+)", invitation.get_content()).group(1)
    person = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert person.email_verified_at is None and member(db, cohort_id, person.email).accepted_at is None
    visitor = app.test_client()
    page = visitor.get(link).get_data(as_text=True)
    assert "Choosing your password accepts the invitation" in page and "“Hospital San Juan, cohort 1”" in page
    # Issue 20: a welcome, not "Choose a new password", and logged in once the password is saved.
    assert "<title>Welcome to LearnHub" in page and "<h1>Welcome to LearnHub</h1>" in page
    assert "Choose a new password" not in page
    response = post_form(visitor, link, {"password": DEFAULT_PASSWORD, "confirm": DEFAULT_PASSWORD})
    assert response.status_code == 303 and response.location == "/learning"
    welcomed = visitor.get("/learning")
    assert welcomed.status_code == 200
    assert "Welcome to LearnHub. You joined the cohort" in welcomed.get_data(as_text=True)
    logins = select(AuditEvent.detail).where(AuditEvent.event == "auth.login", AuditEvent.actor_id == person.id)
    assert db.session.scalar(logins) == {"by": "invitation-link"}
    db.session.expire_all()
    assert db.session.get(User, person.id).email_verified_at is not None
    assert member(db, cohort_id, person.email).accepted_at is not None
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.event == "cohort.invitation_accepted")) == {
        "cohort_id": cohort_id, "by": "link"}
    assert log_in(visitor, "new.person@example.org").status_code == 303
    # A plain password reset (not an invitation link) accepts nothing.
    other = create_cohort(client, "Second cohort")
    add(client, other, "new.person@example.org")
    assert member(db, other, "new.person@example.org").accepted_at is None


def test_an_expired_invitation_cannot_be_accepted_and_the_trainer_sees_it_expired(app, db, client, trainer,
                                                                                   make_user):
    make_user(email="ana@example.org", language="en")
    cohort_id = create_cohort(client)
    add(client, cohort_id, "ana@example.org")
    late = member(db, cohort_id, "ana@example.org")
    late.invitation_sent_at = utcnow() - timedelta(days=15)
    db.session.commit()
    learner = app.test_client()
    log_in(learner, "ana@example.org")
    assert "Cohort invitations" not in learner.get("/learning").get_data(as_text=True)
    token = csrf_token(learner.get("/password/forgot").get_data(as_text=True))
    assert learner.post(f"/invitations/{cohort_id}/accept", data={"csrf_token": token}).status_code == 404
    assert "Expired (sent on" in client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)


def test_adding_answers_the_same_for_unknown_trainee_and_staff_addresses(app, db, client, trainer, make_user,
                                                                         mail_dir):
    make_user(role="analyst", email="analyst@example.org", countries=("DO",), language="en")
    make_user(email="ana@example.org", language="en", name="Ana Real-Name")
    cohort_id = create_cohort(client)
    answers = []
    for address in ("analyst@example.org", "ana@example.org", "nobody@example.org"):
        answers.append([m.replace(address, "EMAIL") for m in flashes(client, add(client, cohort_id, address,
                                                                                  name="Typed"))])
    assert answers[0] == answers[1] == answers[2]
    page = client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)
    rows = re.findall(r"<tr><td>(Typed)</td><td>([^<]+)</td><td>([^<]+)</td>", page)
    assert sorted(rows) == sorted(("Typed", a, rows[0][2]) for a in (
        "analyst@example.org", "ana@example.org", "nobody@example.org"))
    assert "3 invited, not joined yet" in page and "Ana Real-Name" not in page and "staff" not in page.lower()
    notice = next(m for m in mails(mail_dir) if m["To"] == "analyst@example.org")
    assert notice["Subject"] == "Someone tried to add you to a LearnHub cohort"
    assert "Staff accounts (trainers, analysts and administrators) cannot join cohorts" in notice.get_content()
    # The staff account never sees an invitation and can never accept one.
    analyst = app.test_client()
    log_in(analyst, "analyst@example.org")
    page = analyst.get("/invitations").get_data(as_text=True)
    assert "You have no open invitation to a cohort." in page
    assert analyst.post(f"/invitations/{cohort_id}/accept", data={"csrf_token": csrf_token(page)}).status_code == 404
    assert member(db, cohort_id, "analyst@example.org").accepted_at is None


def test_a_mail_server_outage_loses_no_invitation_and_the_retries_send_each_once(app, db, client, trainer,
                                                                                 mail_dir, monkeypatch):
    cohort_id = create_cohort(client)
    addresses = [f"p{i}@example.org" for i in range(10)]
    real_transmit, delivered = mail.transmit, []

    def failing_after_four(message):
        if len(delivered) == 4:
            raise OSError("connection lost")
        delivered.append(message["To"])
        real_transmit(message)

    monkeypatch.setattr(mail, "transmit", failing_after_four)
    assert import_status(client, upload(client, cohort_id, addresses)) == [
        "Imported 10 rows: 10 invited, 0 already invited or in the cohort; 0 rows with errors were skipped."]
    # Every invitation was claimed once and its mail written; four left, six wait for their retry.
    assert [m["To"] for m in mails(mail_dir)] == delivered == addresses[:4]
    assert db.session.scalars(select(CohortMember.invitations_sent)).all() == [1] * 10
    statuses = db.session.execute(select(OutboundMail.status, func.count()).group_by(OutboundMail.status)).all()
    assert dict(statuses) == {"sent": 4, "queued": 6}
    assert queue.huey.scheduled_count() == 6
    monkeypatch.setattr(mail, "transmit", real_transmit)  # the server is back: the retries come due
    for retry in queue.huey.scheduled():
        retry.eta = None
        queue.huey.execute(retry)
    sent = [m["To"] for m in mails(mail_dir)]
    assert sorted(sent) == sorted(addresses) and len(sent) == 10
    # Every person holds exactly one live link.
    live = db.session.scalar(select(func.count()).select_from(PasswordResetToken)
                             .where(PasswordResetToken.used_at.is_(None)))
    assert live == 10
    # Adding the same people again owes nothing new.
    assert import_status(client, upload(client, cohort_id, addresses)) == [
        "Imported 10 rows: 0 invited, 10 already invited or in the cohort; 0 rows with errors were skipped."]
    assert len(list(mail_dir.glob("*.eml"))) == 10


def test_a_large_import_is_sent_in_runs_and_each_invitation_once(app, db, client, trainer, mail_dir, monkeypatch):
    monkeypatch.setattr(tasks, "INVITATIONS_PER_RUN", 3)
    cohort_id = create_cohort(client)
    response = upload(client, cohort_id, [f"p{i}@example.org" for i in range(7)])
    assert import_status(client, response) == [
        "Imported 7 rows: 7 invited, 0 already invited or in the cohort; 0 rows with errors were skipped."]
    assert sorted(m["To"] for m in mails(mail_dir)) == [f"p{i}@example.org" for i in range(7)]
    page = client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)
    assert "Send the remaining invitations" not in page and "Waiting to be sent" not in page
    assert page.count("Sent on") == 7


def test_the_page_shows_invitations_waiting_for_a_consumer_and_queues_them_again(app, db, client, trainer,
                                                                                 mail_dir, monkeypatch):
    """With no consumer running (here: the queue's message dropped), the trainer sees what waits and can queue
    it again; nothing is sent twice."""
    monkeypatch.setattr(tasks, "send_invitations", lambda cohort_id=None: None)
    cohort_id = create_cohort(client)
    upload(client, cohort_id, [f"p{i}@example.org" for i in range(3)])
    page = client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)
    assert "3 invitations are still to send." in page and page.count("Waiting to be sent") == 3
    monkeypatch.undo()
    response = post_form(client, f"/trainer/cohorts/{cohort_id}/invitations/send", {},
                         page=f"/trainer/cohorts/{cohort_id}")
    assert response.status_code == 303 and flashes(client, response) == ["3 invitations are on their way."]
    assert len(mails(mail_dir)) == 3
    assert "still to send" not in client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True)


def test_sending_stops_at_its_time_budget(app, db, trainer, mail_dir):
    cohort = cohorts.create(trainer, "Timed", "Ministerio", "CO", "es")
    cohorts.add_people(cohort, [cohorts.Person(f"p{i}@example.org", f"P {i}") for i in range(5)])
    db.session.commit()
    ticks = iter(range(100))
    with app.test_request_context():
        first = invitations.send_owed(cohort, max_seconds=2.5, clock=lambda: next(ticks))
        assert (first.sent, first.remaining) == (2, 3)
        rest = invitations.send_owed(cohort)
    assert (rest.sent, rest.remaining) == (3, 0)
    queue.drain()
    assert len(list(mail_dir.glob("*.eml"))) == 5


def test_the_cli_sends_every_owed_invitation_once(app, db, trainer, mail_dir):
    cohort = cohorts.create(trainer, "Operators", "Ministerio", "CO", "es")
    cohorts.add_people(cohort, [cohorts.Person(f"p{i}@example.org", f"P {i}") for i in range(4)])
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["cohorts", "send-invitations", "--cohort", str(cohort.id)])
    assert result.exit_code == 0, result.output
    assert "queued 4 invitation mail(s); 0 still owed" in result.output
    again = runner.invoke(args=["cohorts", "send-invitations"])
    assert "queued 0 invitation mail(s); 0 still owed" in again.output
    assert queue.drain() == 4
    assert len(list(mail_dir.glob("*.eml"))) == 4
    message = mails(mail_dir)[0]
    assert message["Subject"] == "Está invitado a LearnHub"  # the cohort's language, from the command line too
    assert re.search(r"http://127\.0\.0\.1:5000/password/reset/\S+", message.get_content())
    missing = runner.invoke(args=["cohorts", "send-invitations", "--cohort", "999999"])
    assert missing.exit_code == 1 and "no cohort with id 999999" in missing.output


def test_a_resend_issues_a_new_link_and_the_old_one_stops_working(app, db, client, trainer, make_user, mail_dir):
    cohort_id = create_cohort(client)
    add(client, cohort_id, "new.person@example.org")
    [first] = mails(mail_dir)
    old_link = re.search(r"http://\S+(/password/reset/\S+)", first.get_content()).group(1)
    person = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    response = post_form(client, f"/trainer/cohorts/{cohort_id}/invitations/resend", {"learner": str(person.id)},
                         page=f"/trainer/cohorts/{cohort_id}")
    assert flashes(client, response) == ["1 invitation is on its way."]
    second = mails(mail_dir)[-1]
    new_link = re.search(r"http://\S+(/password/reset/\S+)", second.get_content()).group(1)
    assert new_link != old_link
    assert client.get(old_link).status_code == 404 and client.get(new_link).status_code == 200
    assert member(db, cohort_id, "new.person@example.org").invitations_sent == 2
    # Resending to everyone pending reaches each pending person once more, and nobody who joined.
    make_user(email="ana@example.org", language="en")
    add(client, cohort_id, "ana@example.org")
    learner = app.test_client()
    log_in(learner, "ana@example.org")
    accept_invitation(learner, cohort_id)
    before = len(mails(mail_dir))
    response = post_form(client, f"/trainer/cohorts/{cohort_id}/invitations/resend", {"learner": "all"},
                         page=f"/trainer/cohorts/{cohort_id}")
    assert flashes(client, response) == ["1 invitation is on its way."]
    assert [m["To"] for m in mails(mail_dir)[before:]] == ["new.person@example.org"]
    ana = db.session.scalar(select(User.id).where(User.email == "ana@example.org"))
    token = csrf_token(client.get(f"/trainer/cohorts/{cohort_id}").get_data(as_text=True))
    assert client.post(f"/trainer/cohorts/{cohort_id}/invitations/resend",
                       data={"csrf_token": token, "learner": str(ana)}).status_code == 404  # joined already
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.event == "cohort.invitations_resent")
                             .order_by(AuditEvent.id)) == {"cohort_id": cohort_id, "learner_id": person.id, "queued": 1}


def test_trainer_text_in_an_invitation_stays_one_quoted_line(app, db, client, trainer, make_user, mail_dir):
    cohort_name = "CSIRT 2026\r\n\r\nURGENT: your account expires today. Log in at https://learnhub.evil.example/login"
    cohort_id = create_cohort(client, cohort_name)
    # A one-line field keeps no line breaks (the forms' control-character filter, decision 0026); the mail
    # must stay safe for whatever text got in before or by another way, so the rest of the test still holds.
    assert db.session.get(Cohort, cohort_id).name == cohort_name.replace("\r", " ").replace("\n", " ")
    add(client, cohort_id, "new.person@example.org",
        name="Ana\nDear user, your mailbox is full: visit www.evil.example now")
    [invitation] = mails(mail_dir)
    body = invitation.get_content()
    assert invitation["Subject"] == "You are invited to LearnHub" and "\n" not in invitation["Subject"]
    lines = body.splitlines()
    cohort_line = next(line for line in lines if line.startswith("Cohort: "))
    assert cohort_line == ('Cohort: "CSIRT 2026 URGENT: your account expires today. Log in at '
                           'https[:]//learnhub[.]evil.…"')  # 80 characters at most
    assert 'Your name, as the trainer typed it: "Ana Dear user, your mailbox is full: visit www[.]evil[.]example ' \
           'now"' in lines
    assert not any(line.startswith(("URGENT", "Dear user")) for line in lines)
    assert "https://learnhub.evil" not in body and "www.evil" not in body
    links = re.findall(r"https?://\S+", body)
    assert len(links) == 1 and links[0].startswith("http://127.0.0.1:5000/password/reset/")
