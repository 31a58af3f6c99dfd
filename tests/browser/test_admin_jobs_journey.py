"""An admin, in Spanish on a phone, finds a mail that failed for good on the failed-jobs page and retries it."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_admin_retries_a_dead_mail_in_spanish_at_phone_width(page: Page, live_server, live_app, check_page,
                                                             log_in_as, mail_folder):
    from learnhub.extensions import db
    from learnhub.models import FailedJob, OutboundMail

    page.set_viewport_size({"width": 390, "height": 844})
    log_in_as("es", role="admin")
    with live_app.app_context():
        dead = OutboundMail(recipient="ana.perez@minsalud.gob.do", subject="Restablezca su contraseña de LearnHub",
                            body="Hola", status="dead", attempts=7, last_error="SMTPServerDisconnected: down")
        db.session.add(dead)
        db.session.flush()
        db.session.add(FailedJob(task="tasks.deliver_mail", arguments=[dead.id],
                                 error="SMTPServerDisconnected: Connection unexpectedly closed"))
        db.session.commit()
        mail_id = dead.id
        db.session.remove()
    page.get_by_role("link", name="Administración", exact=True).click()  # the admin pages, then their sub-menu
    check_page()
    page.get_by_role("link", name="Tareas fallidas").click()
    check_page()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tareas fallidas")
    row = page.get_by_role("row", name="Correo a ana.perez@minsalud.gob.do")
    expect(row).to_contain_text("Connection unexpectedly closed")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    before = len(list(mail_folder.glob("*.eml")))
    row.get_by_role("button", name="Reintentar").click()
    check_page()
    expect(page.locator(".flashes")).to_contain_text("La tarea vuelve a estar en cola.")
    expect(page.locator("main")).to_contain_text("Ninguna tarea fallida")
    with live_app.app_context():
        assert db.session.get(OutboundMail, mail_id).status == "sent"
        db.session.remove()
    assert len(list(mail_folder.glob("*.eml"))) == before + 1
