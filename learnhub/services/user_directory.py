"""The admin list of accounts: search, filters and pages that stay fast at a million accounts (decision 0056).

A search is one or more word prefixes ("garc ana", "lopez@"), case and accents folded, each of which must
start a word of the name, the e-mail address or the organisation. Each prefix is a range of the primary key
of `user_search_words` (binary order on both databases), so no search reads the whole users table. Pages are
keyset pages in name order (folded name, then id): the next page starts after the last account shown, the
previous one ends before the first, so page 20,000 costs what page 1 costs and an account added meanwhile
never shifts a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, select, tuple_
from sqlalchemy.orm import aliased

from learnhub.extensions import db
from learnhub.models import User, UserSearchWord
from learnhub.models.users import ROLES
from learnhub.text import SEARCH_WORD_LENGTH, fold, search_words

PAGE_SIZE = 50
MAX_SEARCH_WORDS = 5
STATUSES = ("active", "disabled")


@dataclass(frozen=True)
class Filters:
    """What the admin asked for; unknown values are dropped by `clean` rather than refused."""

    search: str = ""
    role: str = ""
    country: str = ""
    status: str = ""

    def clean(self, countries) -> Filters:
        return Filters(search=" ".join(self.search.split())[:200], role=self.role if self.role in ROLES else "",
                       country=self.country if self.country in countries else "",
                       status=self.status if self.status in STATUSES else "")

    @property
    def any(self) -> bool:
        return bool(self.search or self.role or self.country or self.status)


@dataclass(frozen=True)
class Page:
    """One page of accounts in name order; `after`/`before` are the ids to page on from (None: no such page)."""

    users: list[User]
    after: int | None
    before: int | None


def search_terms(search: str) -> list[str]:
    """The folded prefixes a search looks for, longest first (the longest is likely the rarest)."""
    terms = {word for word in search_words(search) if "@" not in word}
    if "@" in search:  # "lopez@exa": the address as typed is a prefix of the whole address too
        terms = {fold(search.strip())[:SEARCH_WORD_LENGTH]} | {term for term in terms if len(term) > 2}
    return sorted(terms, key=lambda term: (-len(term), term))[:MAX_SEARCH_WORDS]


def _prefix(column, term: str):
    """`column` starts with `term`, as an index range: term <= column < term with its last character + 1."""
    upper = term[:-1] + chr(ord(term[-1]) + 1)
    return and_(column >= term, column < upper)


def _user_filters(query, filters: Filters):
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.country:
        query = query.where(User.country == filters.country)
    if filters.status:
        query = query.where(User.active.is_(filters.status == "active"))
    return query


def _fetch(filters: Filters, anchor: tuple[str, int] | None, forward: bool, limit: int) -> list[User]:
    """Up to `limit` accounts matching `filters`, in name order after `anchor` (or in reverse order before it).

    Without a search, one of the users indexes gives the order. With one, the first (longest) prefix is a
    range of user_search_words' primary key, which holds the folded name: the matching (name, id) pairs come
    from the index alone, in order, and only the page's accounts are read from users. Filters on the account
    (role, country, status) are then checked on the joined rows."""
    terms = search_terms(filters.search)
    if not terms:
        key = tuple_(User.name_key, User.id)
        query = _user_filters(select(User), filters)
        if anchor is not None:
            query = query.where(key > tuple_(*anchor) if forward else key < tuple_(*anchor))
        order = (User.name_key, User.id) if forward else (User.name_key.desc(), User.id.desc())
        return list(db.session.scalars(query.order_by(*order).limit(limit)))
    word = aliased(UserSearchWord)
    matches = select(word.name_key, word.user_id).where(_prefix(word.word, terms[0])).distinct()
    for term in terms[1:]:
        matches = matches.where(exists().where(UserSearchWord.user_id == word.user_id,
                                               _prefix(UserSearchWord.word, term)))
    key = tuple_(word.name_key, word.user_id)
    if anchor is not None:
        matches = matches.where(key > tuple_(*anchor) if forward else key < tuple_(*anchor))
    if not (filters.role or filters.country or filters.status):
        inner_order = (word.name_key, word.user_id) if forward else (word.name_key.desc(), word.user_id.desc())
        matches = matches.order_by(*inner_order).limit(limit)
    found = matches.subquery()
    order = (found.c.name_key, found.c.user_id) if forward else (found.c.name_key.desc(), found.c.user_id.desc())
    query = _user_filters(select(User).join(found, found.c.user_id == User.id), filters)
    return list(db.session.scalars(query.order_by(*order).limit(limit)))


def page(filters: Filters, *, after: int | None = None, before: int | None = None,
         size: int = PAGE_SIZE) -> Page:
    """The page of accounts matching `filters` that follows account `after` (or precedes `before`; neither: the
    first page). At most three statements whatever the page: the anchor's key, the page, and whether there
    is a page on the other side."""
    anchor_id = after if after is not None else before
    anchor = db.session.execute(select(User.name_key, User.id).where(User.id == anchor_id)).first() \
        if anchor_id is not None else None
    if anchor is None:
        rows = _fetch(filters, None, True, size + 1)
        users = rows[:size]
        return Page(users, users[-1].id if len(rows) > size else None, None)
    forward = after is not None
    rows = _fetch(filters, tuple(anchor), forward, size + 1)
    more, users = len(rows) > size, rows[:size]
    if not forward:
        users.reverse()
    if not users:
        return Page([], None, None)
    edge = users[0] if forward else users[-1]
    behind = bool(_fetch(filters, (edge.name_key, edge.id), not forward, 1))
    if forward:
        return Page(users, users[-1].id if more else None, users[0].id if behind else None)
    return Page(users, users[-1].id if behind else None, users[0].id if more else None)
