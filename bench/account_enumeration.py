"""Do /register and /password/forgot take as long for a known address as for an unknown one? (issue 11)

Times N requests of each kind through the Flask test client on a fresh SQLite database (or
--database-url), alternating known and unknown addresses so that drift hits both alike, and prints
the mean and standard deviation per case as a Markdown table for bench/RESULTS.md. Mail is written
to a temporary folder. Throttling is lifted for the run (the limits would refuse most requests).

    .venv/bin/python bench/account_enumeration.py [-n 50] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import PROFILE, csrf_token, make_app, upgrade_database

PASSWORD = "pan de agua con café"  # noqa: S105 (a benchmark account)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="requests per case (default 50)")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="lh-enum-"))
    app = make_app(args.database_url or f"sqlite:///{folder / 'bench.db'}", folder,
                   REGISTER_LIMIT="100000 per hour", PASSWORD_RESET_LIMIT="100000 per hour")  # noqa: S106
    upgrade_database(app)
    with app.app_context():
        from learnhub.extensions import db
        from learnhub.services import accounts

        accounts.create("known@example.org", PASSWORD, accounts.Profile(**PROFILE), verified=True)
        db.session.commit()

    client = app.test_client()
    token = csrf_token(client.get("/register").get_data(as_text=True))

    def register(address: str) -> None:
        data = {**PROFILE, "email": address, "password": PASSWORD, "confirm": PASSWORD, "csrf_token": token}
        assert client.post("/register", data=data).status_code == 303

    def forgot(address: str) -> None:
        assert client.post("/password/forgot", data={"email": address, "csrf_token": token}).status_code == 303

    cases = {("register", "known"): [], ("register", "unknown"): [], ("forgot", "known"): [],
             ("forgot", "unknown"): []}
    for i in range(args.n):
        for kind, action in (("register", register), ("forgot", forgot)):
            for which, address in (("known", "known@example.org"), ("unknown", f"new{i}-{kind}@example.org")):
                began = time.perf_counter()
                action(address)
                cases[(kind, which)].append((time.perf_counter() - began) * 1000)

    print("| request | address | mean | standard deviation | N |\n|---|---|---|---|---|")
    for (kind, which), times in cases.items():
        print(f"| /{'register' if kind == 'register' else 'password/forgot'} | {which} | "
              f"{statistics.mean(times):.1f} ms | {statistics.stdev(times):.1f} ms | {len(times)} |")


if __name__ == "__main__":
    main()
