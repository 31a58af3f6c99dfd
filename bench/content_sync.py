"""Benchmark: validate and sync a catalogue of 1,000 lessons and 200 quizzes (issue 3).

Goals: cold sync (empty database) under 5 s; a second sync with nothing changed under 0.5 s.
Also measured in the same run, as the floor any sync must pay: reading every byte of the tree.

    .venv/bin/python bench/content_sync.py [--courses 50] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LESSON = """---
title: Lesson {n} of {course}
minutes: 5
---
Phishing messages imitate organisations people trust: a tax authority, a bank, a parcel service.

## What to check

| Sign | Example |
|---|---|
| Urgency | "Your account closes today" |
| Odd sender | `dian-notificaciones@mail-example.net` |

1. Read the sender's domain from right to left.
2. Hover over the link before you click.
3. When in doubt, report it to your security team.

![A fake login page](media/figure.png)

Sources: [ENISA Threat Landscape](https://www.enisa.europa.eu/topics/cyber-threats/threat-landscape).
"""

QUIZ = "\n\n".join([
    "::q{i}-choice:: Which domain sends this message? "
    "{{=example.org#Right. ~mail-example.net#No: read it right to left. ~example.org.evil.net}}",
    "::q{i}-tf:: Multi-factor authentication stops every phishing attack. "
    "{{F#It helps, but codes can be phished.#Right.}}",
    "::q{i}-short:: What number do you call in Spain for cybersecurity help? {{=017}}",
    "::q{i}-num:: How many hours does NIS2 give for an early warning? {{#24:0}}",
    "::q{i}-match:: Match the term. {{=Phishing -> e-mail =Smishing -> SMS =Vishing -> voice}}",
    "::q{i}-multi:: Which are red flags? {{~%50%Urgency ~%50%Unknown sender ~%-100%Your usual colleague}}",
    "::q{i}-missing:: Report phishing to your {{=security team ~friends ~family}} as soon as you can.",
    "::q{i}-choice2:: Which is strongest? {{=A passkey ~An SMS code ~A security question}}",
    "::q{i}-tf2:: Password managers help you use a different password everywhere. {{T}}",
    "::q{i}-essay:: Describe how you would report a suspicious message. {{}}",
])

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100"
    "05fe02fea7d6a60000000049454e44ae426082")


def build_tree(root: Path, courses: int, lessons_per_course: int, quizzes_per_course: int) -> None:
    for c in range(courses):
        course_id = f"course-{c:03d}"
        folder = root / course_id
        (folder / "media").mkdir(parents=True)
        (folder / "media" / "figure.png").write_bytes(PNG)
        items = []
        for n in range(lessons_per_course):
            (folder / f"lesson-{n:02d}.md").write_text(LESSON.format(n=n, course=course_id))
            items.append(f"      - lesson: lesson-{n:02d}")
        for q in range(quizzes_per_course):
            (folder / f"quiz-{q:02d}.gift").write_text(QUIZ.format(i=q) + "\n")
            items.append(f"      - quiz: quiz-{q:02d}")
        (folder / "course.yaml").write_text(
            f"format: 1\nid: {course_id}\ntitle: Course {c}\nsummary: A benchmark course.\nlanguages: [en]\n"
            "kind: awareness\nlevel: beginner\nminutes: 60\nroles: []\nsectors: []\ncertificate: true\n"
            "pass_mark: 70\nmodules:\n  - id: main\n    title: Main\n    items:\n" + "\n".join(items) + "\n")


def add_pair_course(courses: Path) -> None:
    """The course `bench-course` of page_speed.py's and page_calls.py's quiz pairs: one lesson and one quiz
    without an attempt limit, beside the catalogue in `courses`."""
    build_tree(courses / "bench", 1, 1, 1)
    (courses / "bench" / "course-000").rename(courses / "bench-course")
    (courses / "bench").rmdir()
    yaml = courses / "bench-course" / "course.yaml"
    yaml.write_text(yaml.read_text().replace("id: course-000", "id: bench-course"))


def run_sync(app, root: Path) -> None:
    from learnhub.services import course_sync

    with app.app_context():
        assert not course_sync.sync_tree(root).failed


def read_every_file(root: Path) -> int:
    return sum(len(path.read_bytes()) for path in root.rglob("*") if path.is_file())


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=50)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    lessons_per_course, quizzes_per_course = 1000 // args.courses, 200 // args.courses

    from bench.app_setup import bench_app
    from learnhub.content.loader import load_tree

    results: dict[str, list[float]] = {"read bytes": [], "validate": [], "cold sync": [], "unchanged sync": []}
    for run in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            root = tmp_path / "courses"
            build_tree(root, args.courses, lessons_per_course, quizzes_per_course)
            app = bench_app(args.database_url, tmp_path, COURSES_DIR=str(root))
            sync = partial(run_sync, app, root)
            results["read bytes"].append(timed(partial(read_every_file, root)))
            results["validate"].append(timed(partial(load_tree, root)))
            results["cold sync"].append(timed(sync))
            results["unchanged sync"].append(timed(sync))
            print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in results.items()), flush=True)

    floor = statistics.median(results["read bytes"])
    print(f"\n{args.courses} courses, {lessons_per_course * args.courses} lessons, "
          f"{quizzes_per_course * args.courses} quizzes (10 questions each); database: "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}; median of {args.repeat} runs")
    print("| step | median | ratio to reading the bytes | goal |")
    print("|---|---|---|---|")
    goals = {"cold sync": "< 5 s", "unchanged sync": "< 0.5 s"}
    for step, values in results.items():
        median = statistics.median(values)
        print(f"| {step} | {median:.3f} s | {median / floor:.1f}x | {goals.get(step, '')} |")


if __name__ == "__main__":
    main()
