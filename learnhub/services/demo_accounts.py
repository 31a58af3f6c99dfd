"""Plain demo accounts in bulk: people with a name, a country and an organisation but no activity, for
trying the administration's user list (search, filters, keyset pages) at the scale of a national
programme, in seconds rather than the minutes `learnhub demo --learners` needs for the same number.

Like the demo learners they are marked as demo data: the e-mail `person<n>@demo.learnhub.test` (n in seven digits), an
organisation ending in " (demo)" and no usable password. Account n is the same person on every run, so
running again adds only those missing. Never in production.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from flask import current_app
from sqlalchemy import insert, select, text

from learnhub.extensions import db
from learnhub.models import User, UserSearchWord
from learnhub.models.base import utcnow
from learnhub.models.users import new_session_token, search_word_rows
from learnhub.services.demo_learners import DEMO_DOMAIN, DEMO_PASSWORD_HASH
from learnhub.text import name_key

MAX_ACCOUNTS = 5_000_000
FIRST = ("María", "José", "Ana", "Luis", "Carmen", "Juan", "Lucía", "Pedro", "Sofía", "Andrés", "Camila", "Diego",
         "Valentina", "Jorge", "Isabel", "Martín", "Beatriz", "João", "Inês", "François", "Hélène", "Élodie",
         "Søren", "Zoë", "Ángel", "Raúl", "Mónica", "Tomás", "Verónica", "Óscar", "Noémie", "Gonçalo", "Anaïs",
         "Jürgen", "Łukasz", "Agnieszka", "Giulia", "Matteo", "Sinéad", "Pádraig")
LAST = ("García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez",
        "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Reyes", "Gutiérrez", "Ortiz", "Chávez",
        "Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Araújo", "Conceição", "Dubois", "Lefèvre",
        "Müller", "Schäfer", "Nowak", "Kowalski", "Rossi", "Esposito", "Núñez", "Peña", "Ibáñez", "Muñoz",
        "Castañeda", "Ó Briain", "Dvořák", "Novák", "Jönsson", "Virtanen", "Papadopoulos", "Horváth", "Popescu",
        "Ionescu")
ORGANISATIONS = ("Ministerio de Salud", "Ministério da Economia", "Agence nationale de la sécurité",
                 "Hospital Central", "Compañía Eléctrica", "Universidad Nacional", "Banco Central",
                 "Autoridad del Agua", "Instituto de Tecnología", "Câmara Municipal")
COUNTRIES = ("BR", "MX", "CO", "AR", "PE", "DO", "CL", "ES", "FR", "DE", "PT", "IT", "PL")


class DemoAccountsError(Exception):
    """Demo accounts must not or cannot be made; the message says why."""


def account_email(number: int) -> str:
    return f"person{number:07d}@{DEMO_DOMAIN}"


def account_row(number: int, now) -> dict:
    """Account `number`'s user row: the same person whenever it is made. About one in a hundred is a trainer,
    one in a thousand an analyst, one in two hundred disabled."""
    rng = random.Random(number)  # noqa: S311  (synthetic data, reproducible by design; no secrets)
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}"
    role = "analyst" if number % 997 == 0 else "trainer" if number % 101 == 0 else "trainee"
    return {"email": account_email(number), "name": name, "name_key": name_key(name),
            "password_hash": DEMO_PASSWORD_HASH, "role": role, "language": rng.choice(("es", "pt", "fr", "en")),
            "country": rng.choice(COUNTRIES),
            "sector": "health", "organisation": f"{rng.choice(ORGANISATIONS)} (demo)",
            "organisation_type": "government", "session_token": new_session_token(),
            "active": number % 211 != 0, "created_at": now}


def add(accounts: int, *, batch: int = 20_000, on_batch: Callable[[int], object] | None = None) -> int:
    """Make demo accounts 1..`accounts` that do not exist yet, in transactions of `batch`; how many were made.

    Core inserts bypass the model's listeners, so the folded name and the search words are written here, with
    the functions the listeners use. Ends with fresh planner statistics, as after any bulk load.
    """
    if current_app.config["LEARNHUB_ENV"] == "production":
        raise DemoAccountsError("demo data is never created in production (LEARNHUB_ENV=production)")
    if not 1 <= accounts <= MAX_ACCOUNTS:
        raise DemoAccountsError(f"--accounts must be between 1 and {MAX_ACCOUNTS:,}")
    made = 0
    now = utcnow()
    for low in range(1, accounts + 1, batch):
        emails = [account_email(number) for number in range(low, min(low + batch, accounts + 1))]
        existing = set(db.session.scalars(select(User.email).where(User.email.in_(emails))))
        rows = [account_row(number, now) for number in range(low, min(low + batch, accounts + 1))
                if account_email(number) not in existing]
        if rows:
            db.session.execute(insert(User.__table__), rows)
            ids = dict(db.session.execute(select(User.email, User.id).where(
                User.email.in_([row["email"] for row in rows]))).all())
            db.session.execute(insert(UserSearchWord.__table__), [
                word for row in rows
                for word in search_word_rows(ids[row["email"]], row["name"], row["email"], row["organisation"])])
        db.session.commit()
        made += len(rows)
        if on_batch is not None:
            on_batch(len(emails))
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return made
