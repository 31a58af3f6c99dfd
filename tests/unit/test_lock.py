"""The locks in requirements/ hold what pyproject.toml asks for, each pinned and hashed (issue 13).

`make run` and `make test` install requirements/test.txt with `pip install --require-hashes` and then
LearnHub itself with `--no-deps`, so a dependency added to pyproject.toml but not to the locks would be
missing from every fresh venv, and an unhashed line would stop the install. `make lock` rewrites the
locks (docs/decisions/0029-locked-dependencies.md); these tests say when it was forgotten.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
BUILD_BACKEND = PYPROJECT["build-system"]["requires"]

# What each lock must satisfy: the build backend (LearnHub is installed with --no-build-isolation), the
# main dependencies, and the extra that lock is for.
LOCKS = {
    "app.txt": [*BUILD_BACKEND, *PROJECT["dependencies"]],
    "test.txt": [*BUILD_BACKEND, *PROJECT["dependencies"], *PROJECT["optional-dependencies"]["test"]],
    "bench.txt": [*BUILD_BACKEND, *PROJECT["dependencies"], *PROJECT["optional-dependencies"]["bench"]],
}

# The interpreter and platform the locks are resolved for (LOCK_FOR in the Makefile): a requirement's
# marker is judged for them, not for whatever machine runs this test.
LOCK_TARGET = {
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "python_version": "3.11",
    "python_full_version": "3.11.0",
    "os_name": "posix",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
}

HASH_PREFIX = "--hash=sha256:"


@dataclass(frozen=True)
class Pin:
    version: Version
    hashes: frozenset[str]


def read_lock(path: Path) -> tuple[dict[str, Pin], list[str]]:
    """The lock's pins by normalised name, and a problem for each entry that is not `name==version` with
    at least one sha256 hash (continuation lines joined, comments left out)."""
    pins: dict[str, Pin] = {}
    problems: list[str] = []
    entry, first_line = "", 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not entry and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if not entry:
            first_line = number
        entry += " " + line.removesuffix("\\").strip()
        if line.endswith("\\"):
            continue
        requirement_text, *hashes = entry.split(" --hash=")
        requirement_text, hashes, entry = requirement_text.strip(), [f"--hash={h.strip()}" for h in hashes], ""
        where = f"{path.name}:{first_line}: {requirement_text or '--hash'}"
        try:
            requirement = Requirement(requirement_text)
        except InvalidRequirement:
            problems.append(f"{where} is not a requirement")
            continue
        specifiers = list(requirement.specifier)
        if requirement.url or len(specifiers) != 1 or specifiers[0].operator != "==" or "*" in specifiers[0].version:
            problems.append(f"{where} is not pinned to one version")
            continue
        if not hashes or not all(h.startswith(HASH_PREFIX) and len(h) == len(HASH_PREFIX) + 64 for h in hashes):
            problems.append(f"{where} has no --hash (or one that is not sha256)")
        pins[canonicalize_name(requirement.name)] = Pin(Version(specifiers[0].version), frozenset(hashes))
    return pins, problems


def lock_problems(path: Path, wanted: Iterable[str]) -> list[str]:
    """What keeps the lock at `path` from installing `wanted` on the lock's target: unhashed or unpinned
    entries, and each wanted requirement that is missing or pinned outside its range."""
    pins, problems = read_lock(path)
    for text in wanted:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate(LOCK_TARGET):
            continue
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{text}: not in {path.name}")
        elif not requirement.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{text}: {path.name} has {requirement.name} {pin.version}")
    return problems


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_each_lock_is_hashed_and_holds_what_pyproject_asks_for(lock):
    problems = lock_problems(REQUIREMENTS / lock, LOCKS[lock])
    assert problems == [], "\n".join([*problems, "run `make lock` (README, Dependencies)"])


@pytest.mark.parametrize("lock", ["test.txt", "bench.txt"])
def test_the_app_is_tested_and_benchmarked_with_the_packages_it_is_deployed_with(lock):
    app, _ = read_lock(REQUIREMENTS / "app.txt")
    other, _ = read_lock(REQUIREMENTS / lock)
    assert {name: other.get(name) for name in app} == app


def test_the_bench_tools_install_beside_the_test_tools_without_changing_them():
    test, _ = read_lock(REQUIREMENTS / "test.txt")
    bench, _ = read_lock(REQUIREMENTS / "bench.txt")
    shared = test.keys() & bench.keys()
    assert {name: bench[name] for name in shared} == {name: test[name] for name in shared}


def test_the_locked_build_backend_is_the_one_pyproject_builds_with():
    build_in = [
        line for line in (REQUIREMENTS / "build.in").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert sorted(map(str, map(Requirement, build_in))) == sorted(map(str, map(Requirement, BUILD_BACKEND)))


def test_a_missing_dependency_a_pin_out_of_range_and_an_unhashed_line_are_each_reported(tmp_path):
    digest = "0123456789abcdef" * 4
    lock = tmp_path / "lock.txt"
    lock.write_text(
        "# generated\n"
        f"flask==3.1.3 \\\n    --hash=sha256:{digest} \\\n    --hash=sha256:{digest[::-1]}\n"
        "    # via learnhub\n"
        f"huey==2.4.0 --hash=sha256:{digest}\n"
        "pyyaml==6.0.4\n"
        f"redis>=5.0 --hash=sha256:{digest}\n"
        f"ruff==0.17.6 --hash=md5:{digest[:32]}\n"
        f"    --hash=sha256:{digest}\n",
        encoding="utf-8",
    )
    wanted = ["flask>=3.1", "huey>=2.5,<3", "pyyaml>=6.0", "gunicorn>=22", "pywin32>=306; sys_platform == 'win32'"]

    assert lock_problems(lock, wanted) == [
        "lock.txt:7: pyyaml==6.0.4 has no --hash (or one that is not sha256)",
        "lock.txt:8: redis>=5.0 is not pinned to one version",
        "lock.txt:9: ruff==0.17.6 has no --hash (or one that is not sha256)",
        "lock.txt:10: --hash is not a requirement",
        "huey>=2.5,<3: lock.txt has huey 2.4.0",
        "gunicorn>=22: not in lock.txt",
    ]
