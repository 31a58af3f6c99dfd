"""Benchmark: the admin user list at 1,000,000 accounts (issue 17: under 200 ms with a search, on SQLite and
PostgreSQL).

Accounts are made as `learnhub demo --accounts N` makes them (learnhub/services/demo_accounts.py: in bulk,
with the search words and folded names the model's listeners would write, names drawn from common Latin
American and European first names and surnames, with accents). Then each page is asked for through the
Flask test client as a logged-in admin: the median wall time of several requests and the SQL statements it
ran. The pages cover the first page, a deep keyset page,
each filter, and searches from a rare surname to the most common first name.

    .venv/bin/python bench/user_list.py [--accounts 1000000] [--database-url URL] [--explain]

Building a million accounts takes minutes and some 1.5 GB of disk on SQLite; try `--accounts 20000` first.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGES = (
    ("first page, no search", ""),
    ("rare surname: \"dvorak\"", "?q=dvorak"),
    ("surname with accent typed without: \"nunez\"", "?q=nunez"),
    ("two words: \"maria garc\"", "?q=maria+garc"),
    ("common first name: \"maria\"", "?q=maria"),
    ("e-mail prefix: \"person0012345\"", "?q=person0012345"),
    ("one role: analysts", "?role=analyst"),
    ("one country: DO", "?country=DO"),
    ("disabled accounts", "?status=disabled"),
    ("search in one country: \"garcia\" in MX", "?q=garcia&country=MX"),
)
BATCH = 20_000


def build(app, accounts: int) -> None:
    """An admin, then `accounts` demo accounts as `learnhub demo --accounts` makes them."""
    from sqlalchemy import text

    from learnhub.extensions import db
    from learnhub.services import accounts as account_service
    from learnhub.services import demo_accounts

    with app.app_context():
        account_service.create("admin@example.org", "benchmark pass phrase", account_service.Profile(
            "Bench Admin", "en", "DO", "health", "MSP", "government"), role="admin", verified=True)
        db.session.commit()
        demo_accounts.add(accounts, batch=BATCH, on_batch=lambda done: print(f"  +{done:,} accounts", file=sys.stderr))
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

                deep = db.session.scalar(select(func.min(User.id)).where(User.email >= "person0500000"))


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
