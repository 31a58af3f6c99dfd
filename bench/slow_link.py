"""Benchmark (issue 14): pages on a slow link, in Chromium with its network emulation (400 kbit/s each way,
400 ms round trip), served as in production: deploy/up.sh (nginx compressing and serving the fingerprinted
static files, one gunicorn instance, PostgreSQL, Redis).

For each page: a cold visit (a new browser context: empty cache, no connection) and a warm one (the same
page again in that context), with first contentful paint, the load event and the bytes that crossed the
network (transfer sizes from the Resource Timing API, compressed). Logged-in pages use a learner's session
cookie signed as load_test.py signs them.

    .venv/bin/python bench/slow_link.py [--server-url postgresql://root@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_test import SECRET_KEY, create_database, create_learners  # noqa: E402

LATENCY_MS = 400
BYTES_PER_SECOND = 400_000 // 8
PAGES = [  # (name, path, logged in)
    ("home", "/", False),
    ("catalogue", "/courses", False),
    ("course page", "/courses/passwords-mfa", False),
    ("login", "/login", False),
    ("lesson", "/courses/passwords-mfa/lessons/mfa-methods", True),
    ("quiz form", "/courses/passwords-mfa/quizzes/check-passwords-mfa", True),
    ("my learning", "/learning", True),
]
MEASURE = """() => {
  const navigation = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByType("paint").find(entry => entry.name === "first-contentful-paint");
  const bytes = [navigation, ...performance.getEntriesByType("resource")].reduce((sum, e) => sum + e.transferSize, 0);
  return {fcp: paint ? paint.startTime : null, load: navigation.loadEventEnd, bytes: bytes,
          html: navigation.transferSize};
}"""


def visit(context, url: str) -> dict:
    page = context.new_page()
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", {"offline": False, "latency": LATENCY_MS,
                                                      "downloadThroughput": BYTES_PER_SECOND,
                                                      "uploadThroughput": BYTES_PER_SECOND})
    response = page.goto(url, wait_until="load")
    assert response.ok and response.url == url, (url, response.status, response.url)  # not a login redirect
    figures = page.evaluate(MEASURE)
    for _ in range(50):  # the paint entry may come a moment after the load event
        if figures["fcp"] is not None:
            break
        page.wait_for_timeout(100)
        figures = page.evaluate(MEASURE)
    page.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", default="postgresql://root@127.0.0.1:5432/postgres")
    parser.add_argument("--port", type=int, default=5300)
    parser.add_argument("--run-dir", default=str(ROOT / "bench" / "run" / "slow-link"))
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    run = Path(args.run_dir)
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    database_url = create_database(args.server_url)
    env = {**os.environ, "LEARNHUB_DATABASE_URL": database_url, "DEPLOY_PORT": str(args.port),
           "DEPLOY_INSTANCE_PORTS": str(args.port + 1), "DEPLOY_RUN_DIR": str(run), "DEPLOY_REDIS_DB": "12",
           "DEPLOY_BIN": str(Path(sys.executable).parent), "LEARNHUB_SECRET_KEY": SECRET_KEY}
    subprocess.run([str(ROOT / "deploy" / "up.sh")], env=env, check=True, timeout=300)
    rows = []
    try:
        _items, cookies = create_learners(database_url, 1, run)
        base = f"http://127.0.0.1:{args.port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            for name, path, logged_in in PAGES:
                context = browser.new_context()
                if logged_in:
                    context.add_cookies([{"name": "learnhub", "value": cookies[0], "url": base}])
                cold = visit(context, base + path)
                warm = visit(context, base + path)
                context.close()
                rows.append((name, cold, warm))
                print(name, cold, warm, flush=True)
            browser.close()
    finally:
        subprocess.run([str(ROOT / "deploy" / "down.sh")], env=env, check=False, timeout=120)
    print(f"\nChromium, {BYTES_PER_SECOND * 8 // 1000} kbit/s each way, {LATENCY_MS} ms latency; nginx (gzip) + 1 "
          "gunicorn instance, PostgreSQL\n")
    print("| page | HTML bytes (compressed) | cold: bytes | cold: first paint ms | cold: load ms | warm: bytes | "
          "warm: first paint ms | warm: load ms |")
    print("|---|---|---|---|---|---|---|---|")
    for name, cold, warm in rows:
        print(f"| {name} | {cold['html']:,} | {cold['bytes']:,} | {cold['fcp']:.0f} | {cold['load']:.0f} | "
              f"{warm['bytes']:,} | {warm['fcp']:.0f} | {warm['load']:.0f} |")


if __name__ == "__main__":
    main()
