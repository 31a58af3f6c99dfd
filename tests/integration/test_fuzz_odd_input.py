"""Fuzz every route and every form with odd values, as every role: nothing answers 500 (issue 11).

The audit found 500s for ids beyond the database's integers, NUL bytes, control characters, "sNaN" and huge
years. This test does not list routes or forms: it walks app.url_map and the forms found on the pages each
role can open, so a route or field added later is fuzzed too. On PostgreSQL (LEARNHUB_TEST_DATABASE_URL)
integer overflow and NUL bytes are real errors; SQLite is laxer, so run it on both.

- Paths: every rule, GET and POST, each variable in turn set to an odd value (the others valid), as
  anonymous, trainee, trainer, analyst and admin.
- Query strings: the parameters pages read (year, sort, show, next...) with odd values, on every GET page.
- Forms: each form on the GET pages a role can open, posted with valid values except one field at a time,
  which gets each odd value (files get a CSV holding it); GET forms get it in the query string.

About 25 s on SQLite and 20 s on PostgreSQL here (some 3,000 requests): values are sampled (every odd value
as the role that reaches the most, the other roles in turn; a form once, for the first role that sees it).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from sqlalchemy import select

from learnhub.extensions import limiter
from learnhub.models import Attempt
from learnhub.services import api_tokens
from tests.conftest import DEFAULT_PASSWORD, csrf_token, log_in, post_form
from tests.integration.learning_helpers import accept_invitation, submit_quiz

ROLES = ("anonymous", "trainee", "trainer", "analyst", "admin")
ODD_PATH_VALUES = ("2147483648", "9223372036854775808", "18446744073709551616", "-1", "0", "x", "%00", "a%00b",
                   "%C0%80", "%E2%80%AEx", "..%2F..%2Fetc", "x" * 3000)
# Every field gets the first three; numbers (and fields that hold ids or choices) the others too.
ODD_FIELD_VALUES = ("a\x00b", "Ana\x07\x0b\x1b\x85\u2028Bell", "x" * 10_000)
ODD_NUMBERS = ("sNaN", "inf", "1e309", "-0", "9" * 40, "2147483648", "-1")
ODD_CHOICES = ("9" * 40, "-1", " ")
NUMBER_NAMES = ("score", "year", "headcount", "valid_days")
QUERY_PARAMETERS = ("year", "sort", "show", "next", "text", "format")
ODD_QUERY_VALUES = ("9" * 40, "2147483648", "-1", "%00", "sNaN", "x" * 3000, "%C0%80")
SKIPPED_ACTIONS = ("/logout",)  # would end the role's session; covered by the route pass
FORM_ROLES = ("anonymous", "admin", "trainer", "analyst", "trainee")  # a form seen by an earlier role is done


@dataclass
class World:
    clients: dict
    values: dict  # path variable -> a valid value
    bearer: dict  # API header for the analyst
    failures: list = field(default_factory=list)
    requests: int = 0


@pytest.fixture
def world(app, db, make_user):
    clients = {"anonymous": app.test_client()}
    users = {}
    for role in ROLES[1:]:
        users[role] = make_user(role=role, email=f"{role}@example.org", language="en",
                                countries=("DO",) if role == "analyst" else ())
        clients[role] = app.test_client()
        assert log_in(clients[role], f"{role}@example.org").status_code == 303
    trainer, trainee = clients["trainer"], clients["trainee"]
    created = post_form(trainer, "/trainer/", {"name": "Fuzz cohort", "organisation": "MINSA", "country": "DO",
                                               "language": "en"})
    cohort_id = re.search(r"/trainer/cohorts/(\d+)", created.location).group(1)
    post_form(trainer, f"/trainer/cohorts/{cohort_id}/people", {"email": "trainee@example.org", "name": "T"},
              page=f"/trainer/cohorts/{cohort_id}")
    accept_invitation(trainee, cohort_id)  # the trainer sees the trainee's work only once they accept
    for course in ("passwords-mfa", "ics-critical-infrastructure"):
        post_form(trainer, f"/trainer/cohorts/{cohort_id}/assignments", {"course": course, "due_on": ""},
                  page=f"/trainer/cohorts/{cohort_id}")
    submit_quiz(trainee, app, users["trainee"], "ics-critical-infrastructure", "check-ot-security", right=True)
    attempt = db.session.scalar(select(Attempt))
    essay = re.search(rf'href="/trainer/marking/{attempt.id}/([^"]+)"',
                      trainer.get("/trainer/marking").get_data(as_text=True)).group(1)
    token, plaintext = api_tokens.create(users["analyst"], "fuzz")
    db.session.commit()
    values = {"course_id": "passwords-mfa", "filename": "mfa-ladder-en.png", "attempt_id": str(attempt.id),
              "question_id": essay, "cohort_id": cohort_id, "learner_id": str(users["trainee"].id),
              "token_id": str(token.id), "code": "NOSUCHCODE23", "token": "some-token", "country": "DO",
              "region": "lac"}
    return World(clients, values, {"Authorization": f"Bearer {plaintext}"})


def _valid(name: str, rule: str, world: World) -> str:
    if name == "item_key":
        return "check-passwords-mfa" if "/quizzes/" in rule else "passwords-passphrases"
    if name == "attempt_id" and rule.startswith("/attempts/"):
        return world.values["attempt_id"]
    return world.values.get(name, "x")


_VARIABLE = re.compile(r"<(?:([a-z_]+)(?:\([^)]*\))?:)?([a-z_]+)>")


def _path(rule, world: World, odd: tuple[str, str] | None = None) -> str:
    """The rule's path with valid values, or with `odd` = (variable, value already URL-encoded)."""
    def fill(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if odd and name == odd[0]:
            return odd[1]
        if converter == "any":
            return re.search(r"\(([a-z]+)", match.group(0)).group(1)
        return quote(_valid(name, rule.rule, world), safe="")
    return _VARIABLE.sub(fill, rule.rule)


def _send(world: World, role: str, method: str, url: str, what: str, **kwargs):
    client = world.clients[role]
    if url.startswith("/api/") and role == "analyst":
        kwargs.setdefault("headers", world.bearer)
    response = client.open(url, method=method, **kwargs)
    world.requests += 1
    if response.status_code >= 500:
        world.failures.append(f"{response.status_code} {role} {method} {url[:120]} {what}")
    return response


def _csrf(world: World, role: str) -> str | None:
    page = world.clients[role].get("/password/forgot").get_data(as_text=True)
    try:
        return csrf_token(page)
    except AssertionError:
        return None


def fuzz_paths(app, world: World) -> None:
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    for number, rule in enumerate(sorted(rules, key=lambda r: r.rule)):
        names = [match.group(2) for match in _VARIABLE.finditer(rule.rule)]
        for method in sorted(rule.methods & {"GET", "POST"}):
            for name in names:
                for index, value in enumerate(ODD_PATH_VALUES):
                    # Every odd value as admin (who reaches the most; the analyst for the API, which needs a
                    # token), and each other role in turn.
                    first = "analyst" if rule.rule.startswith("/api/") else "admin"
                    for role in (first, ROLES[(number + index) % 4]):
                        data = {"csrf_token": _csrf(world, role)} if method == "POST" else None
                        _send(world, role, method, _path(rule, world, (name, value)), f"<{name}>={value[:20]}",
                              data=data)


def fuzz_query_strings(app, world: World) -> None:
    """The parameters pages read from the query string (year, sort, show, next...), on every GET page."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        role = "analyst" if rule.rule.startswith("/api/") else "admin"
        for name in QUERY_PARAMETERS:
            for value in ODD_QUERY_VALUES:
                _send(world, role, "GET", f"{_path(rule, world)}?{name}={value}", f"?{name}={value[:20]}")


class _Forms(HTMLParser):
    """The forms of a page: method, action and fields (kind, name, value, options)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (attributes.get("method") or "get").lower(),
                               "action": attributes.get("action") or "", "fields": []})
        elif not self.forms:
            return
        elif tag in ("input", "textarea", "select", "button") and attributes.get("name"):
            kind = attributes.get("type", "text") if tag == "input" else tag
            entry = {"kind": kind, "name": attributes["name"], "value": attributes.get("value") or "",
                     "options": [], "checked": "checked" in attributes}
            self.forms[-1]["fields"].append(entry)
            self.select = entry if tag == "select" else None
        elif tag == "option" and self.select is not None:
            self.select["options"].append(attributes.get("value") or "")


def _baseline(fields: list[dict], counter: list[int]) -> dict:
    """A plausible valid value for each field, so that one odd field at a time reaches the view's work."""
    counter[0] += 1
    data: dict = {}
    for entry in fields:
        name, kind = entry["name"], entry["kind"]
        if kind in ("submit", "button") or name in data:
            continue
        if kind in ("radio", "checkbox"):
            data[name] = entry["value"]
        elif kind == "select":
            data[name] = next((option for option in entry["options"] if option), "")
        elif kind == "file":
            data[name] = b"email,name\nfuzz%d@example.org,Fuzz Person\n" % counter[0]
        elif kind == "hidden":
            data[name] = entry["value"]
        elif kind == "password":
            data[name] = "not the password at all" if name == "current" else DEFAULT_PASSWORD + " 2"
        elif kind == "email":
            data[name] = f"fuzz{counter[0]}@example.org"
        elif kind == "date":
            data[name] = "2030-01-31"
        elif kind == "number" or name in NUMBER_NAMES:
            data[name] = {"year": "2026", "score": "50", "valid_days": "90"}.get(name, "5")
        else:
            data[name] = "Fuzz text"
    if "email" in data and "password" in data and "confirm" not in data:  # a login form: the role's own account
        data["password"] = DEFAULT_PASSWORD
    return data


def _encode(data: dict, files: set[str]) -> dict:
    return {name: (io.BytesIO(value), "fuzz.csv") if name in files else value for name, value in data.items()}


def fuzz_forms(app, world: World) -> None:
    counter = [0]
    seen: set = set()
    pages = sorted({_path(rule, world) for rule in app.url_map.iter_rules()
                    if "GET" in rule.methods and rule.endpoint != "static" and not rule.rule.startswith("/api/")})
    for role in FORM_ROLES:
        for page in pages:
            response = world.clients[role].get(page)
            if response.status_code != 200 or "html" not in response.content_type:
                continue
            parser = _Forms()
            parser.feed(response.get_data(as_text=True))
            for form in parser.forms:
                action = urlsplit(form["action"]).path or page
                names = tuple(sorted(entry["name"] for entry in form["fields"]))
                if action in SKIPPED_ACTIONS or (action, names) in seen:
                    continue
                seen.add((action, names))
                files = {entry["name"] for entry in form["fields"] if entry["kind"] == "file"}
                kinds = {entry["name"]: entry["kind"] for entry in form["fields"]
                         if entry["kind"] not in ("submit", "button") and entry["name"] != "csrf_token"}
                for target, kind in sorted(kinds.items()):
                    token = _csrf(world, role) if form["method"] == "post" else None  # again: a login renews it
                    extra = ODD_NUMBERS if kind == "number" or target in NUMBER_NAMES else \
                        ODD_CHOICES if kind in ("select", "radio", "checkbox", "hidden") else ()
                    for value in ODD_FIELD_VALUES + extra:
                        data = _baseline(form["fields"], counter)
                        data[target] = b"email,name\nfuzz@example.org," + value.encode() + b"\n" \
                            if target in files else value
                        if token:
                            data["csrf_token"] = token
                        what = f"form on {page} [{target}]={value[:20]!r}"
                        if form["method"] == "post":
                            _send(world, role, "POST", action, what, data=_encode(data, files),
                                  content_type="multipart/form-data" if files else None)
                        else:
                            _send(world, role, "GET", f"{action}?{urlencode(data)}", what)


def test_no_route_or_form_answers_500_to_odd_input(app, world):
    limiter.enabled = False  # thousands of requests from one address: throttling is tested elsewhere
    try:
        fuzz_paths(app, world)
        fuzz_query_strings(app, world)
        fuzz_forms(app, world)
    finally:
        limiter.enabled = True
    assert world.requests > 2000, world.requests
    assert world.failures == [], "\n".join(world.failures[:60])
    for role, client in world.clients.items():  # the app still answers, and no role was logged out
        assert client.get("/health").status_code == 200
        assert role == "anonymous" or client.get("/learning").status_code == 200, role
