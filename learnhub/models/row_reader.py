"""Reading one row of a model on the hottest paths (every logged-in request, every course page) with one Core
statement instead of the ORM's load machinery, which costs more than the query itself on a page served from
the page cache (issue 14). What comes back is an ordinary ORM object, attached to the session: it lazy-loads
its relationships and any column left out, and changes to it are saved as usual.

On a page marked `reads_only` (GET only, no transaction, no writes) the object is attached to no session
(decision 0092): such a page needs no ORM session at all for it, and the statement runs outside the ORM
(models/direct_reads). It holds every column read; a column left out or a relationship is not loaded there
(DetachedInstanceError): such a page reads what it needs by a query of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import configure_mappers, make_transient_to_detached

from learnhub.database import in_read_only_page
from learnhub.extensions import db
from learnhub.models.direct_reads import PreparedSelect

Model = TypeVar("Model")


class RowReader(Generic[Model]):
    """`read(**params)`: the `model` whose row matches `where(table columns)`, or None. Columns named in
    `leave_out` are not read (a password hash): they load lazily if something asks for them. Columns in `also`
    (another table's, as a scalar subquery) are read in the same statement, after the model's: `read_row` gives
    them."""

    def __init__(self, model: type[Model], where: Callable[[Table], ColumnElement[bool]],
                 leave_out: Iterable[str] = (), also: Iterable[ColumnElement] = ()):
        mapper = sa_inspect(model)
        table = mapper.local_table
        skipped = set(leave_out)
        columns = [column for column in table.columns if column.key not in skipped]
        self._names = [mapper.get_property_by_column(column).key for column in columns]
        self.width = len(columns)
        self._select = PreparedSelect(select(*columns, *also).where(where(table.c)))
        self._mapper = mapper
        self._manager = mapper.class_manager
        self.model = model

    def read(self, **params) -> Model | None:
        row = self.read_row(**params)
        return None if row is None else self.load(row)

    def read_row(self, **params) -> tuple | None:
        """The matching row (the model's columns, then those of `also`, by position or name) or None, attached to
        nothing: a row may be kept between requests and loaded into each one."""
        return self._select.first(params)

    def load(self, row: tuple) -> Model:
        """A new object of the model from a row read_row gave, as if a query had loaded it: in this request's
        session, or in none on a page that only reads. (Values are shared with the row: a JSON column's dict is
        replaced, never changed in place.)"""
        if not self._mapper.configured:
            # SQLAlchemy sets up the mappers' attributes at a worker's first query or first new object; an object
            # built by hand may come first (a fresh worker's first page), and would find them missing.
            configure_mappers()
        instance = self._manager.new_instance()  # not through __init__: nothing is "set", nothing to flush
        instance.__dict__.update(zip(self._names, row[:self.width], strict=True))
        make_transient_to_detached(instance)  # as if loaded by a query: clean, what was left out expired (lazy)
        if not in_read_only_page():
            db.session.add(instance)
        return instance

    def in_session(self, primary_key) -> Model | None:
        """The object if this request's session already holds it (no statement at all); a request that has no
        session yet holds nothing, and is not given one by asking."""
        if not db.session.registry.has():
            return None
        return db.session.identity_map.get(db.session.identity_key(self.model, primary_key))
