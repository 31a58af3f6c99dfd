"""The certificate PDF as the app issues it (decision 0065): the configured issuing body, signatory and logo, any
Latin name printed exactly, the expiry, and the effort in each language's plural."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime

import pytest
from flask_babel import force_locale
from PIL import Image

from learnhub.config import ConfigError, load
from learnhub.models import Certificate
from learnhub.services import certificates
from tests.conftest import log_in
from tests.integration.test_learning import COURSE, complete_course

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())


@pytest.mark.parametrize(("language", "minutes", "expected"), [
    ("en", 60, "Estimated effort: 1 hour"), ("en", 90, "Estimated effort: 1.5 hours"),
    ("en", 120, "Estimated effort: 2 hours"),
    ("es", 60, "Esfuerzo estimado: 1 hora"), ("es", 90, "Esfuerzo estimado: 1,5 horas"),
    ("pt", 60, "Esforço estimado: 1 hora"), ("pt", 90, "Esforço estimado: 1,5 hora"),
    ("pt", 150, "Esforço estimado: 2,5 horas"),
    ("fr", 90, "Effort estimé\u202f: 1,5\u00a0heure"), ("fr", 120, "Effort estimé\u202f: 2\u00a0heures"),
])
def test_the_effort_takes_the_plural_of_each_language(app, language, minutes, expected):
    with app.test_request_context(), force_locale(language):
        assert certificates.hours_text(minutes, language) == expected


@needs_poppler
@pytest.mark.parametrize("language", ["en", "es", "pt", "fr"])
def test_the_issued_pdf_names_the_issuer_and_prints_the_name_exactly(app, db, client, make_user, monkeypatch,
                                                                     tmp_path, language):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 80), (0, 51, 153)).save(logo)
    monkeypatch.setitem(app.config, "CERTIFICATE_ISSUER", "Centre national de cybersécurité – Ñuñoa")
    monkeypatch.setitem(app.config, "CERTIFICATE_SIGNATORY", "Őrs Ügyvéd")
    monkeypatch.setitem(app.config, "CERTIFICATE_SIGNATORY_ROLE", "Directeur, Académie Ștefan cel Mare")
    monkeypatch.setitem(app.config, "CERTIFICATE_LOGO", str(logo))
    learner = make_user(email="lucja@example.org", language=language, name="Łucja Dąbrowska-Wójcik")
    assert log_in(client, "lucja@example.org").status_code == 303
    complete_course(app, client, learner, COURSE)
    certificate = db.session.scalars(db.select(Certificate)).one()
    certificate.expires_at = datetime(2031, 3, 1, 12)
    db.session.commit()
    response = client.get(f"/certificates/{certificate.code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Łucja Dąbrowska-Wójcik" in text
    assert "Centre national de cybersécurité – Ñuñoa" in text
    assert "Őrs Ügyvéd" in text and "Directeur, Académie Ștefan cel Mare" in text
    assert b"/Subtype /Image" in response.data
    expected = {"en": ("Valid until March 1, 2031", "Estimated effort: 1 hour"),
                "es": ("Válido hasta el 1 de marzo de 2031", "Esfuerzo estimado: 1 hora"),
                "pt": ("Válido até 1 de março de 2031", "Esforço estimado: 1 hora"),
                "fr": ("Valable jusqu'au 1 mars 2031", "Effort estimé : 1 heure")}[language]
    for line in expected:
        assert line in text, (line, text)
    assert certificates.display_code(certificate.code) in text and f"/verify/{certificate.code}" in text


def test_the_issuer_is_configured_and_a_bad_logo_is_refused_at_start_up(tmp_path):
    env = {"LEARNHUB_INSTANCE_DIR": str(tmp_path)}
    assert certificates.Issuer.from_config(load(env)) == certificates.Issuer("LearnHub", "", "", None)
    (tmp_path / "logo.txt").write_text("not an image")
    for bad in (tmp_path / "missing.png", tmp_path / "logo.txt"):
        with pytest.raises(ConfigError, match="LEARNHUB_CERTIFICATE_LOGO"):
            load({**env, "LEARNHUB_CERTIFICATE_LOGO": str(bad)})
    configured = load({**env, "LEARNHUB_CERTIFICATE_ISSUER": " Ministerio TIC ", "LEARNHUB_CERTIFICATE_SIGNATORY":
                       "Ana Pérez", "LEARNHUB_CERTIFICATE_SIGNATORY_ROLE": "Directora"})
    assert certificates.Issuer.from_config(configured) == certificates.Issuer("Ministerio TIC", "Ana Pérez",
                                                                              "Directora", None)
