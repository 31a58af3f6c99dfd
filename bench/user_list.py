"""Benchmark: the admin user list at 1,000,000 accounts (issue 17: under 200 ms with a search, on SQLite and
PostgreSQL).

Accounts are inserted in bulk with the search words and folded names the model's listeners would write (the
same functions), names drawn from common Latin American and European first names and surnames, with
accents. Then each page is asked for through the Flask test client as a logged-in admin: the median wall
time of several requests and the SQL statements it ran. The pages cover the first page, a deep keyset page,
each filter, and searches from a rare surname to the most common first name.

    .venv/bin/python bench/user_list.py [--accounts 1000000] [--database-url URL] [--explain]

Building a million accounts takes minutes and some 1.5 GB of disk on SQLite; try `--accounts 20000` first.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
PAGES = (
    ("first page, no search", ""),
    ("rare surname: \"dvorak\"", "?q=dvorak"),
    ("surname with accent typed without: \"nunez\"", "?q=nunez"),
    ("two words: \"maria garc\"", "?q=maria+garc"),
    ("common first name: \"maria\"", "?q=maria"),
    ("e-mail prefix: \"user012345\"", "?q=user012345"),
    ("one role: analysts", "?role=analyst"),
    ("one country: DO", "?country=DO"),
    ("disabled accounts", "?status=disabled"),
    ("search in one country: \"garcia\" in MX", "?q=garcia&country=MX"),
)
BATCH = 20_000


def build(app, accounts: int) -> None:
    from sqlalchemy import insert, select, text

    from learnhub.extensions import db
    from learnhub.models import User, UserSearchWord
    from learnhub.models.base import utcnow
    from learnhub.models.users import search_word_rows
    from learnhub.services import accounts as account_service
    from learnhub.text import name_key

    rng = random.Random(17)
    now = utcnow()
    with app.app_context():
        account_service.create("admin@example.org", "benchmark pass phrase", account_service.Profile(
            "Bench Admin", "en", "DO", "health", "MSP", "government"), role="admin", verified=True)
        db.session.commit()
        for start in range(0, accounts, BATCH):
            rows = []
            for number in range(start, min(start + BATCH, accounts)):
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}"
                role = "analyst" if number % 997 == 0 else "trainer" if number % 101 == 0 else "trainee"
                rows.append({"email": f"user{number:07d}@example.org", "name": name, "name_key": name_key(name),
                             "password_hash": "!bench", "role": role, "language": "es",
                             "country": rng.choice(COUNTRIES), "sector": "health",
                             "organisation": rng.choice(ORGANISATIONS), "organisation_type": "government",
                             "session_token": f"t{number}", "active": number % 211 != 0, "created_at": now})
            db.session.execute(insert(User.__table__), rows)
            ids = dict(db.session.execute(select(User.email, User.id).where(
                User.email.in_([row["email"] for row in rows]))).all())
            db.session.execute(insert(UserSearchWord.__table__), [
                word for row in rows
                for word in search_word_rows(ids[row["email"]], row["name"], row["email"], row["organisation"])])
            db.session.commit()
            print(f"  {min(start + BATCH, accounts):,} accounts", file=sys.stderr)
        db.session.commit()
        # As autovacuum leaves a table that stopped changing: statistics, and a visibility map for index-only scans.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"))


def measure(app, explain: bool) -> None:
    from sqlalchemy import event

    from learnhub.extensions import db

    client = app.test_client()
    login = client.post("/login", data={"email": "admin@example.org", "password": "benchmark pass phrase"})
    assert login.status_code == 303, login.status_code
    deep = None
    print(f"{'page':48} {'median ms':>10} {'statements':>10} {'rows':>5}")
    for label, query in (*PAGES, ("deep keyset page (after the 500,000th id)", None)):
        if query is None:
            query = f"?after={deep}"
        url = "/admin/users/" + query
        statements: list[str] = []
        with app.app_context():
            engine = db.engine
        listener = lambda conn, cursor, statement, *rest, seen=statements: seen.append(statement)  # noqa: E731
        times = []
        for run in range(7):
            if run == 0:
                event.listen(engine, "before_cursor_execute", listener)
            began = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - began)
            if run == 0:
                event.remove(engine, "before_cursor_execute", listener)
            assert response.status_code == 200, (url, response.status_code)
        rows = response.get_data(as_text=True).count('<th scope="row">')
        print(f"{label:48} {statistics.median(times[1:]) * 1000:10.1f} {len(statements):10d} {rows:5d}")
        if explain:
            for statement in statements:
                print("    " + " ".join(statement.split())[:300])
        if deep is None:
            with app.app_context():
                from sqlalchemy import func, select

                from learnhub.models import User

                deep = db.session.scalar(select(func.min(User.id)).where(User.email >= "user0500000"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite in a temporary folder)")
    parser.add_argument("--explain", action="store_true", help="print each page's SQL statements")
    options = parser.parse_args()
    logging.disable(logging.WARNING)
    from bench.app_setup import bench_app

    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(options.database_url, Path(folder))
        began = time.perf_counter()
        build(app, options.accounts)
        print(f"built {options.accounts:,} accounts in {time.perf_counter() - began:.0f} s "
              f"on {app.config['SQLALCHEMY_DATABASE_URI'].partition(':')[0]}", file=sys.stderr)
        measure(app, options.explain)


if __name__ == "__main__":
    main()
