"""Small course folders for the language-fallback tests (integration and browser): the real catalogue will
gain Portuguese and French, so these tests bring courses that lack them on purpose.

- `bilingual` (en, es): a Portuguese learner reads it in Spanish, a French learner in English.
- `own-order` (en, es) with `fallback: {pt: [en]}`: a Portuguese learner reads it in English.
- `trilingual` (en, es, pt) whose lesson `extra` has no Portuguese file: only that lesson falls back.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def _png() -> bytes:
    """A valid one-pixel PNG (so that a browser shows it)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x20\x40\x80")) + \
        chunk(b"IEND", b"")


PNG = _png()

BILINGUAL = """\
format: 1
id: bilingual
title: {en: Spotting fake invoices, es: Detectar facturas falsas}
summary: {en: Check an invoice before anyone pays it., es: Verifique una factura antes de pagarla.}
languages: [en, es]
kind: awareness
level: beginner
reviewed: 2026-01-15
objectives:
  en:
    - Check a supplier's bank details by a known channel
    - Report a suspicious invoice
  es:
    - Verificar los datos bancarios de un proveedor por un canal conocido
    - Reportar una factura sospechosa
certificate: true
modules:
  - id: basics
    title: {en: Basics, es: Lo básico}
    items:
      - lesson: intro
      - quiz: check
        title: {en: Check yourself, es: Compruebe lo aprendido}
        rubrics:
          explain:
            en: "Full marks: names **a call to a known number** and the finance team."
            es: "Nota completa: menciona **una llamada a un número conocido** y al equipo de finanzas."
"""

FILES: dict[str, dict[str, str | bytes]] = {
    "bilingual": {
        "course.yaml": BILINGUAL,
        "intro.md": "---\ntitle: Fake invoices\nminutes: 5\n---\nA fake invoice asks you to pay a new account."
                    "\n\n![An invoice with a changed account number](media/invoice.png)\n",
        "intro.es.md": "---\ntitle: Facturas falsas\nminutes: 5\n---\nUna factura falsa pide pagar a una "
                       "cuenta nueva.\n\n![Una factura con la cuenta cambiada](media/invoice.png)\n",
        "check.gift": "::new-account::A supplier e-mails new bank details. What do you do first?{\n"
                      "~Pay, since the e-mail comes from the supplier's address#Addresses can be spoofed.\n"
                      "=Call the supplier on a number you already had#Right.\n"
                      "~Reply to the e-mail to confirm#The reply goes to the fraudster.\n}\n\n"
                      "::explain::Explain how you would check an invoice.{}\n",
        "check.es.gift": "::new-account::Un proveedor envía por correo datos bancarios nuevos. ¿Qué hace "
                         "primero?{\n~Pagar, porque el correo viene de la dirección del proveedor#Las "
                         "direcciones se falsifican.\n=Llamar al proveedor a un número que ya tenía#Correcto.\n"
                         "~Responder el correo para confirmar#La respuesta llega al estafador.\n}\n\n"
                         "::explain::Explique cómo verificaría una factura.{}\n",
        "media/invoice.png": PNG,
        "media/CREDITS.yaml": "invoice.png: {source: Drawn for the LearnHub tests, licence: CC BY 4.0, "
                              "author: LearnHub contributors}\n",
    },
    "own-order": {
        "course.yaml": BILINGUAL.replace("id: bilingual", "id: own-order").replace(
            "languages: [en, es]", "languages: [en, es]\nfallback:\n  pt: [en]").replace(
            "Spotting fake invoices", "Spotting fake parcels").replace(
            "Detectar facturas falsas", "Detectar paquetes falsos"),
    },
    "trilingual": {
        "course.yaml": """\
format: 1
id: trilingual
title: {en: Locking your screen, es: Bloquear la pantalla, pt: Bloquear a tela}
summary: {en: Lock it when you leave., es: Bloquéela al salir., pt: Bloqueie-a ao sair.}
languages: [en, es, pt]
kind: awareness
level: beginner
modules:
  - id: basics
    title: {en: Basics, es: Lo básico, pt: O básico}
    items:
      - lesson: intro
      - lesson: extra
""",
        "intro.md": "# Lock your screen\n\nPress Windows+L.\n",
        "intro.es.md": "# Bloquee la pantalla\n\nPulse Windows+L.\n",
        "intro.pt.md": "# Bloqueie a tela\n\nPressione Windows+L.\n",
        "extra.md": "# Shared offices\n\nColleagues walk past.\n",
        "extra.es.md": "# Oficinas compartidas\n\nLos colegas pasan por detrás.\n",
    },
}
FILES["own-order"].update({name: content for name, content in FILES["bilingual"].items() if name != "course.yaml"})


def write_fallback_courses(root: Path) -> Path:
    """The three courses under `root`/courses; returns that folder."""
    folder = root / "courses"
    for course_id, files in FILES.items():
        for name, content in files.items():
            path = folder / course_id / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
    return folder
