"""Who the demo learners are and what they do: a synthetic population drawn learner by learner.

Learner n is drawn from a random generator seeded with n alone: a country (weighted by population), a
sector, an organisation, a role, a name typical of the country, then a timeline of enrolments, lessons,
quiz attempts (failed ones too) and certificates, placed at random inside the time window. Nothing here
touches the database: learnhub.services.demo stores what this draws. Everything drawn is marked as demo
data: the e-mail `demo-<n>@demo.learnhub.test`, an organisation name ending in " (demo)", and the
password hash "!demo", which no password verifies.
"""

from __future__ import annotations

import bisect
import math
import random
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from learnhub import reference
from learnhub.services import certificates

DEMO_DOMAIN = "demo.learnhub.test"
DEMO_PASSWORD_HASH = "!demo"  # noqa: S105  (a marker, never a password: verify_password refuses it)
ORGANISATION_SUFFIX = " (demo)"

# --- Who the learners are ------------------------------------------------------------------------------

# Learners per country, roughly proportional to population (millions, 2024) with a floor of 0.2 so the
# smallest Caribbean states still get a few learners in a large run. The 33 CELAC states, then the 27 EU.
COUNTRY_WEIGHTS = {
    "BR": 216, "MX": 129, "CO": 52, "AR": 46, "PE": 34, "VE": 28, "CL": 19.6, "EC": 18, "GT": 18,
    "BO": 12.4, "HT": 11.7, "DO": 11.3, "CU": 11, "HN": 10.6, "NI": 7, "PY": 6.9, "SV": 6.3, "CR": 5.2,
    "PA": 4.5, "UY": 3.4, "JM": 2.8, "TT": 1.5, "GY": 0.8, "SR": 0.6, "BS": 0.4, "BZ": 0.4, "BB": 0.28,
    "LC": 0.2, "GD": 0.2, "VC": 0.2, "AG": 0.2, "DM": 0.2, "KN": 0.2,
    "DE": 84.5, "FR": 68.4, "IT": 59, "ES": 48.6, "PL": 36.6, "RO": 19, "NL": 17.9, "BE": 11.8, "CZ": 10.9,
    "PT": 10.6, "SE": 10.5, "GR": 10.4, "HU": 9.6, "AT": 9.1, "BG": 6.4, "DK": 5.9, "FI": 5.6, "SK": 5.4,
    "IE": 5.3, "HR": 3.9, "LT": 2.9, "SI": 2.1, "LV": 1.9, "EE": 1.4, "CY": 0.9, "LU": 0.7, "MT": 0.5,
}

# Sectors (percent): the programme trains the public sector and essential services first, so public
# administration, health, energy and education lead; NIS2 Annex II sectors trail.
SECTOR_WEIGHTS = {
    "public-administration": 28, "health": 12, "energy": 9, "education": 9, "banking": 5, "transport": 5,
    "digital-infrastructure": 4, "ict-service-management": 4, "manufacturing": 4, "digital-providers": 3,
    "research": 2.5, "drinking-water": 2, "food": 2, "financial-market-infrastructures": 1, "waste-water": 1,
    "postal-courier": 1, "waste-management": 1, "chemicals": 1, "space": 0.5, "other": 5,
}

# Type of organisation (percent) given the sector: about two learners in three work for government.
ORGANISATION_TYPE_WEIGHTS = {
    "public-administration": {"government": 96, "private": 1, "academia": 1, "civil-society": 2},
    "health": {"government": 70, "private": 22, "academia": 4, "civil-society": 4},
    "education": {"government": 45, "private": 5, "academia": 45, "civil-society": 5},
    "research": {"government": 25, "private": 10, "academia": 60, "civil-society": 5},
    None: {"government": 50, "private": 38, "academia": 6, "civil-society": 6},  # every other sector
}

# About a third of learners work in a cybersecurity role (ECSF profile); the rest are the workforce at
# large that takes awareness courses. Among roles (percent), operational ones are the most common.
ECSF_SHARE = 0.35
ECSF_ROLE_WEIGHTS = {
    "cybersecurity-implementer": 16, "cyber-incident-responder": 14, "ciso": 12, "cybersecurity-risk-manager": 10,
    "cyber-legal-policy-compliance-officer": 9, "cybersecurity-educator": 8, "cybersecurity-architect": 7,
    "cybersecurity-auditor": 7, "cyber-threat-intelligence-specialist": 6, "digital-forensics-investigator": 4,
    "penetration-tester": 4, "cybersecurity-researcher": 3,
}

# Gender (percent); None is a learner who left the question out.
GENDER_WEIGHTS = {"woman": 36, "man": 52, "another": 1, "prefer-not-to-say": 5, None: 6}

# Interface language by country; every other country uses English.
COUNTRY_LANGUAGES = {
    **dict.fromkeys(("AR", "BO", "CL", "CO", "CR", "CU", "DO", "EC", "SV", "GT", "HN", "MX", "NI", "PA", "PY",
                     "PE", "UY", "VE", "ES"), "es"),
    "BR": "pt", "PT": "pt", "FR": "fr", "HT": "fr", "LU": "fr",
}

# Names: a few common given names and surnames per naming tradition (given names by gender).
NAMES = {
    "es": (("María", "Lucía", "Ana", "Carmen", "Valentina", "Camila", "Sofía", "Isabel", "Daniela", "Gabriela"),
           ("José", "Juan", "Carlos", "Luis", "Miguel", "Javier", "Diego", "Andrés", "Jorge", "Mateo"),
           ("García", "Rodríguez", "Martínez", "López", "Hernández", "González", "Pérez", "Sánchez", "Ramírez",
            "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Vargas", "Castro", "Morales", "Quispe")),
    "pt": (("Ana", "Maria", "Juliana", "Mariana", "Beatriz", "Fernanda", "Larissa", "Camila", "Inês", "Rita"),
           ("João", "Pedro", "Lucas", "Gabriel", "Rafael", "Tiago", "Miguel", "Bruno", "Felipe", "Rodrigo"),
           ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Ferreira", "Almeida", "Carvalho",
            "Gomes", "Ribeiro", "Martins", "Rocha", "Lima")),
    "fr": (("Marie", "Camille", "Léa", "Chloé", "Manon", "Sarah", "Claire", "Nadia", "Fabienne", "Rose"),
           ("Jean", "Pierre", "Lucas", "Hugo", "Louis", "Thomas", "Nicolas", "Marc", "Wilson", "Antoine"),
           ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Joseph",
            "Pierre", "Charles", "Schmit", "Jean-Louis")),
    "en": (("Sarah", "Emma", "Aisha", "Grace", "Olivia", "Keisha", "Niamh", "Hannah", "Shanice", "Joanne"),
           ("James", "Michael", "David", "Andre", "Kevin", "Daniel", "Sean", "Marlon", "Christopher", "Ryan"),
           ("Smith", "Williams", "Brown", "Campbell", "Thompson", "Murphy", "Kelly", "Walker", "Grant",
            "Clarke", "Borg", "Camilleri", "Ramdial", "Charles")),
    "eu": (("Anna", "Laura", "Katarzyna", "Eva", "Julia", "Elena", "Sofia", "Ioana", "Petra", "Giulia"),
           ("Thomas", "Jan", "Piotr", "Luca", "Andreas", "Marco", "Lukas", "Tomas", "Mihai", "Nikolaos"),
           ("Müller", "Schmidt", "Nowak", "Kowalski", "Rossi", "Bianchi", "Novák", "Popescu", "Papadopoulos",
            "Horvat", "Nagy", "Jansen", "De Vries", "Peeters", "Andersson", "Nielsen", "Virtanen", "Tamm",
            "Kazlauskas", "Ivanov", "Kovač", "Wagner")),
}
ENGLISH_NAMED = ("AG", "BS", "BB", "BZ", "DM", "GD", "GY", "JM", "KN", "LC", "VC", "TT", "IE", "MT")
ORGANISATION_WORDS = {"government": "agency", "private": "company", "academia": "institute",
                      "civil-society": "association"}
MOST_ORGANISATIONS = 40
"""Organisations per country, sector and type; how many learners each gets follows a Pareto law."""

# --- What they do ----------------------------------------------------------------------------------------

# Courses per learner (percent): most take one or two, few take four. About 2.15 on average, which with
# the starter catalogue (4 lessons and a quiz per course) gives about 10 progress rows and attempts each.
COURSE_COUNT_WEIGHTS = {1: 35, 2: 30, 3: 20, 4: 15}
# How likely a course of each kind is picked: awareness far more often than skills, less so for learners
# who hold a cybersecurity role. A kind's weight is shared among its courses, so adding skills courses to
# the catalogue does not shift the learners towards skills.
KIND_WEIGHTS = {"awareness": 5.0, "skills": 1.0}
KIND_WEIGHTS_ECSF = {"awareness": 3.0, "skills": 2.0}
COMPLETION_SHARE = 0.55
"""Enrolments that reach the end: every lesson done and every quiz passed."""
FAILS_BEFORE_PASS_WEIGHTS = {0: 70, 1: 22, 2: 8}
"""Failed attempts before the passing one (never reaching the quiz's max_attempts)."""
STUCK_AT_QUIZ_SHARE = 0.6
"""A learner who stops at a quiz has failed it (1-3 times) this often; the others never tried it."""
STUCK_FAILS_WEIGHTS = {1: 60, 2: 25, 3: 15}
LOWEST_FAILING_SCORE = 20

# Timing, in seconds: a learner's activity is one timeline placed at random inside the year.
MINUTE, HOUR, DAY = 60, 3600, 86400
FIRST_ENROLMENT_DELAY = 15 * MINUTE
"""Uniform 0..this after the account is created."""
NEXT_COURSE_GAP = 21 * DAY
"""Mean (exponential) between finishing with one course and enrolling in the next."""
ITEM_GAP = 2 * DAY
"""Mean (exponential, plus 5 minutes) between two lessons or quiz attempts."""
QUIZ_MINUTES = (3, 25)


def demo_email(number: int) -> str:
    return f"demo-{number}@{DEMO_DOMAIN}"


# --- The catalogue as the generator sees it ---------------------------------------------------------------


@dataclass(frozen=True)
class ItemOutline:
    """A live lesson or quiz as the generator needs it (the pass mark already the course's when unset)."""

    id: int
    is_quiz: bool
    pass_mark: float
    max_attempts: int | None


@dataclass(frozen=True)
class CourseOutline:
    """A published course as the generator needs it: plain values, items in course order."""

    id: str
    kind: str
    title: dict
    minutes: int
    revision: str
    languages: tuple[str, ...]
    certificate: bool
    items: tuple[ItemOutline, ...]


# --- Drawing one learner -------------------------------------------------------------------------------


class _Weighted:
    """Draws values with the given weights from a uniform number in [0, 1): one bisect, no allocation."""

    def __init__(self, weights: dict):
        self.values = tuple(weights)
        total = float(sum(weights.values()))
        running, cumulative = 0.0, []
        for weight in weights.values():
            running += weight
            cumulative.append(running / total)
        self.cumulative = cumulative

    def __call__(self, uniform: float):
        return self.values[min(bisect.bisect_right(self.cumulative, uniform), len(self.values) - 1)]


def _code(bits: int) -> str:
    """A certificate code from 64 random bits (enough for every code: 31 letters ^ 12 < 2^60)."""
    alphabet, base, letters = certificates.CODE_ALPHABET, len(certificates.CODE_ALPHABET), []
    for _ in range(certificates.CODE_LENGTH):
        bits, digit = divmod(bits, base)
        letters.append(alphabet[digit])
    return "".join(letters)


@dataclass
class Learner:
    """One drawn learner: the account's row and the rows of what they did, learner ids not yet known."""

    user: dict
    enrolments: list = field(default_factory=list)
    progress: list = field(default_factory=list)
    attempts: list = field(default_factory=list)
    certificates: list = field(default_factory=list)


class Generator:
    """Draws learner `number` from a random generator seeded with `number` alone, so a learner is the same
    whatever the run's size or batches; times fall inside [start, end]."""

    def __init__(self, courses: Sequence[CourseOutline], start: datetime, end: datetime):
        self.courses = tuple(courses)
        self.start = start
        self.span = max((end - start).total_seconds(), 0.0)
        self.country = _Weighted(COUNTRY_WEIGHTS)
        self.sector = _Weighted(SECTOR_WEIGHTS)
        self.organisation_type = {sector: _Weighted(ORGANISATION_TYPE_WEIGHTS.get(
            sector, ORGANISATION_TYPE_WEIGHTS[None])) for sector in SECTOR_WEIGHTS}
        self.ecsf_role = _Weighted(ECSF_ROLE_WEIGHTS)
        self.gender = _Weighted(GENDER_WEIGHTS)
        self.course_count = _Weighted(COURSE_COUNT_WEIGHTS)
        per_kind = Counter(course.kind for course in self.courses)
        self.course_pick = {holder: _Weighted({index: (KIND_WEIGHTS_ECSF if holder else KIND_WEIGHTS).get(
            course.kind, 1.0) / per_kind[course.kind] for index, course in enumerate(self.courses)})
            for holder in (False, True)}
        self.fails_before_pass = _Weighted(FAILS_BEFORE_PASS_WEIGHTS)
        self.stuck_fails = _Weighted(STUCK_FAILS_WEIGHTS)
        # "Education (outside NIS2)" -> "Education": organisation names carry the short sector name.
        self.sector_names = {entry.id: entry.name.split(" (")[0] for entry in reference.sectors()}

    def _names(self, country: str) -> tuple:
        language = COUNTRY_LANGUAGES.get(country)
        if language is None:
            language = "en" if country in ENGLISH_NAMED else "eu"
        return NAMES[language]

    def _pick_courses(self, rng: random.Random, holder: bool) -> list[CourseOutline]:
        wanted = min(self.course_count(rng.random()), len(self.courses))
        pick, chosen = self.course_pick[holder], []
        for _ in range(50 * wanted):  # weighted draws without replacement, by rejection
            index = pick(rng.random())
            if index not in chosen:
                chosen.append(index)
                if len(chosen) == wanted:
                    break
        for index in range(len(self.courses)):  # only if the weights are extreme: fill up in order
            if len(chosen) >= wanted:
                break
            if index not in chosen:
                chosen.append(index)
        return [self.courses[index] for index in chosen]

    def learner(self, number: int) -> Learner:
        rng = random.Random(number)  # noqa: S311  (synthetic data, reproducible by design; no secrets)
        r = rng.random
        country = self.country(r())
        sector = self.sector(r())
        organisation_type = self.organisation_type[sector](r())
        ecsf_role = self.ecsf_role(r()) if r() < ECSF_SHARE else None
        gender = self.gender(r())
        women, men, surnames = self._names(country)
        given = women if gender == "woman" else men if gender == "man" else (women + men)
        name = f"{rng.choice(given)} {rng.choice(surnames)}"
        organisation_number = min(int(rng.paretovariate(1.0)), MOST_ORGANISATIONS)
        organisation = (f"{self.sector_names.get(sector, sector)} {ORGANISATION_WORDS[organisation_type]} "
                        f"{organisation_number:02d}, {country}{ORGANISATION_SUFFIX}")
        language = COUNTRY_LANGUAGES.get(country, "en")
        learner = Learner({
            "email": demo_email(number), "name": name, "password_hash": DEMO_PASSWORD_HASH, "role": "trainee",
            "language": language, "country": country, "sector": sector, "organisation": organisation,
            "organisation_type": organisation_type, "ecsf_role": ecsf_role, "gender": gender,
            "session_token": secrets.token_urlsafe(24), "active": True, "created_at": 0.0, "last_login_at": 0.0,
            "email_verified_at": 0.0,  # vouched for by the operator who runs the generator (decision 0019)
        })

        # The timeline in seconds from the account's creation; placed inside the year at the end.
        clock = 0.0
        for position, course in enumerate(self._pick_courses(rng, ecsf_role is not None)):
            clock += r() * FIRST_ENROLMENT_DELAY if position == 0 else rng.expovariate(1 / NEXT_COURSE_GAP)
            enrolled_at = clock
            attempt_language = language if language in course.languages else course.languages[0]
            completed = r() < COMPLETION_SHARE
            items = course.items
            finished = len(items) if completed else int(r() * len(items))
            last_item = None
            for index, item in enumerate(items[:finished + 1]):
                if index == finished:  # the item a learner who did not complete stopped at
                    if not (item.is_quiz and r() < STUCK_AT_QUIZ_SHARE):
                        break
                    fails, passes = self.stuck_fails(r()), False
                    if item.max_attempts is not None:
                        fails = min(fails, item.max_attempts)
                    if fails < 1 or item.pass_mark <= 0:  # nobody can fail a quiz with pass mark 0
                        break
                else:
                    fails, passes = 0, True
                    if item.is_quiz:
                        fails = self.fails_before_pass(r())
                        if item.max_attempts is not None:
                            fails = max(min(fails, item.max_attempts - 1), 0)
                        if item.pass_mark <= 0:
                            fails = 0
                clock += 5 * MINUTE + rng.expovariate(1 / ITEM_GAP)
                last_item = item.id
                if not item.is_quiz:
                    learner.progress.append({
                        "learner_id": None, "course_id": course.id, "item_id": item.id, "state": "done",
                        "best_score": None, "attempts": 0, "updated_at": clock})
                    continue
                pass_mark = item.pass_mark
                lowest_pass = max(math.ceil(pass_mark), 0)
                best = None
                tries = fails + (1 if passes else 0)
                for attempt_number in range(1, tries + 1):
                    if attempt_number > 1:
                        clock += 5 * MINUTE + rng.expovariate(1 / ITEM_GAP)
                    passed = passes and attempt_number == tries
                    if passed:
                        score = float(rng.randint(min(lowest_pass, 100), 100))
                    else:
                        score = float(rng.randint(min(LOWEST_FAILING_SCORE, lowest_pass - 1), lowest_pass - 1))
                    best = score if best is None else max(best, score)
                    started = clock
                    clock += rng.uniform(*QUIZ_MINUTES) * MINUTE
                    learner.attempts.append({
                        "token_hash": f"{rng.getrandbits(256):064x}", "learner_id": None, "course_id": course.id,
                        "item_id": item.id, "number": attempt_number, "language": attempt_language,
                        "course_revision": course.revision, "score": score, "pass_mark": pass_mark,
                        "passed": passed, "started_at": started, "submitted_at": clock})
                learner.progress.append({
                    "learner_id": None, "course_id": course.id, "item_id": item.id,
                    "state": "passed" if passes else "failed", "best_score": best, "attempts": tries,
                    "updated_at": clock})
            learner.enrolments.append({
                "learner_id": None, "course_id": course.id, "enrolled_at": enrolled_at, "last_item_id": last_item,
                "last_activity_at": clock if last_item is not None else enrolled_at,
                "completed_at": clock if completed else None})
            if completed and course.certificate:
                learner.certificates.append({
                    "code": _code(rng.getrandbits(64)), "learner_id": None, "course_id": course.id,
                    "learner_name": name, "course_title": course.title, "minutes": course.minutes,
                    "issued_at": clock})
        learner.user["last_login_at"] = clock
        self._place(learner, clock, r())
        return learner

    def _place(self, learner: Learner, length: float, uniform: float) -> None:
        """Turn the timeline's offsets into timestamps: the whole timeline lies inside the window."""
        scale = 1.0 if length <= self.span else (self.span / length if length else 0.0)
        offset = uniform * max(self.span - length, 0.0)
        start = self.start

        def at(seconds: float) -> datetime:
            return start + timedelta(seconds=offset + seconds * scale)

        user = learner.user
        user["created_at"], user["last_login_at"] = at(0.0), at(user["last_login_at"])
        user["email_verified_at"] = user["created_at"]
        for row in learner.enrolments:
            row["enrolled_at"], row["last_activity_at"] = at(row["enrolled_at"]), at(row["last_activity_at"])
            if row["completed_at"] is not None:
                row["completed_at"] = at(row["completed_at"])
        for row in learner.progress:
            row["updated_at"] = at(row["updated_at"])
        for row in learner.attempts:
            row["started_at"], row["submitted_at"] = at(row["started_at"]), at(row["submitted_at"])
        for row in learner.certificates:
            row["issued_at"] = at(row["issued_at"])
