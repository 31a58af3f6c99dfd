"""Benchmark (issue 16): authoring a 200-lesson course in the browser.

Goals: saving a lesson, with the validation the editor shows after it, under 200 ms; publishing the course under 2 s.
The course is bench/content_sync.py's (200 lessons of about 1 KB with a table, a list, an image and a link, and
5 quizzes of 10 questions of every type), uploaded as a .zip into a workspace. Through the Flask test client,
in-process (no network), as a logged-in trainer:

- "save a lesson": the editor's POST (a new version) and the page it redirects to, which validates the whole
  draft with the CLI's loader and lists the file's problems by line: what the author waits for after "Save";
- "preview a lesson": the editor's Preview POST (decision 0079), which validates the draft with the typed text in
  place of the file and renders the lesson as learners will see it, saving nothing;
- "publish": the reviewer's POST of the publish step, which loads the draft through the sync service and stores
  a new revision (a small edit, a submit and an approval before each, not timed).

Median of --repeat runs after one warm-up.

    .venv/bin/python bench/authoring.py [--database-url postgresql://root@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.content_sync import build_tree
from bench.quiz_form import CSRF

PASSWORD = "Bench-password-123!"  # noqa: S105  (a benchmark account in a throwaway database)
COURSE = "course-000"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--lessons", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from bench.app_setup import bench_app
    from learnhub.extensions import db
    from learnhub.services import accounts, course_zip, workspaces

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        root = tmp_path / "courses"
        build_tree(root, 1, args.lessons, 5)
        app = bench_app(args.database_url, tmp_path, COURSES_DIR=str(tmp_path / "empty"), QUEUE_URL="inline")
        profile = accounts.Profile(name="Bench Author", language="en", country="DO", sector="health",
                                   organisation="Bench", organisation_type="government")
        with app.app_context():
            author = accounts.create("author@example.org", PASSWORD, profile, role="trainer", verified=True)
            accounts.create("reviewer@example.org", PASSWORD, profile, role="trainer", verified=True)
            data = course_zip.build(COURSE, workspaces.folder_files(root / COURSE))
            workspace_id = workspaces.create_from_zip(author, data).id
            db.session.commit()
            db.session.remove()
        writer, reviewer = app.test_client(), app.test_client()
        for client, email in ((writer, "author@example.org"), (reviewer, "reviewer@example.org")):
            assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 303
        base = f"/author/{workspace_id}"

        def post(client, url: str, data: dict, form_at: str | None = None):
            token = CSRF.search(client.get(form_at or url).get_data(as_text=True)).group(1)
            return client.post(url, data={"csrf_token": token, **data})

        assert post(writer, f"{base}/members", {"member-email": "reviewer@example.org", "member-role": "reviewer"},
                    form_at=base).status_code == 303
        lesson = f"{base}/files/lesson-100.md"
        original = (root / COURSE / "lesson-100.md").read_text()

        def save(n: int) -> float:
            token = CSRF.search(writer.get(lesson).get_data(as_text=True)).group(1)  # the editor, open
            start = time.perf_counter()
            answer = writer.post(lesson, data={"csrf_token": token, "text": original + f"\nEdit number {n}.\n"})
            assert answer.status_code == 303, answer.status_code
            page = writer.get(lesson).get_data(as_text=True)
            elapsed = time.perf_counter() - start
            assert f"Edit number {n}." in page and re.search(r"No problems|problem-", page)
            return elapsed

        def preview(n: int) -> float:
            token = CSRF.search(writer.get(lesson).get_data(as_text=True)).group(1)  # the editor, open
            start = time.perf_counter()
            answer = writer.post(f"{lesson}/preview", data={"csrf_token": token, "mode": "plain",
                                                             "text": original + f"\nPreview number {n}.\n"})
            elapsed = time.perf_counter() - start
            assert answer.status_code == 200 and f"Preview number {n}." in answer.get_data(as_text=True)
            return elapsed

        def publish(n: int) -> float:
            save(1000 + n)
            assert post(writer, f"{base}/submit", {"comment": ""}).status_code == 303
            assert post(reviewer, f"{base}/approve", {"comment": ""}).status_code == 303
            token = CSRF.search(reviewer.get(f"{base}/publish").get_data(as_text=True)).group(1)
            start = time.perf_counter()
            answer = reviewer.post(f"{base}/publish", data={"csrf_token": token, "comment": ""})
            elapsed = time.perf_counter() - start
            assert answer.status_code == 303, answer.get_data(as_text=True)[-2000:]
            return elapsed

        save(0)
        saves = [save(n) for n in range(1, args.repeat + 1)]
        preview(0)
        previews = [preview(n) for n in range(1, args.repeat + 1)]
        publishes = [publish(n) for n in range(args.repeat // 2 + 1)]  # the first is a first publication
        assert "Edit number" in writer.get(f"/courses/{COURSE}/lessons/lesson-100").get_data(as_text=True)

    print(f"\n{args.lessons} lessons and 5 quizzes; database: {'PostgreSQL' if args.database_url else 'SQLite'}")
    print("| step | median | all runs | goal |")
    print("|---|---|---|---|")
    print("| save a lesson (POST, then the editor with the draft's validation) | "
          f"{statistics.median(saves) * 1000:.0f} ms "
          f"| {', '.join(f'{s * 1000:.0f}' for s in saves)} | < 200 ms |")
    print("| preview a lesson (POST: the draft with the typed text validated, the lesson rendered) | "
          f"{statistics.median(previews) * 1000:.0f} ms "
          f"| {', '.join(f'{s * 1000:.0f}' for s in previews)} | < 200 ms |")
    print(f"| publish (first, then republications) | {statistics.median(publishes) * 1000:.0f} ms "
          f"| {', '.join(f'{s * 1000:.0f}' for s in publishes)} | < 2 s |")


if __name__ == "__main__":
    main()
