"""Reads that go around the ORM session on the hottest paths (issue 14, decisions 0091 to 0093).

A page marked `reads_only` (learnhub/database.py) runs without a transaction, so its first statement need not go
through the ORM session at all: the session's connection, its transaction object and the pool's checkout and
return cost several times what a one-row SELECT costs on SQLite. Such a read runs on the thread's own connection,
taken from the pool once and kept, in autocommit, on either database. Anywhere else (a page that writes, a request
whose session already holds a connection, the tests' transaction, to which the session is bound) it runs on the
session's connection, as before.

`PreparedSelect` is a Core select compiled once per dialect, whose rows come back through the columns' own result
processors (a date on SQLite is a `datetime`, a boolean a `bool`), as the ORM would give them, without the ORM's
per-statement cache-key walk, which on the lesson page's statement costs more than the query.
"""

from __future__ import annotations

import os
import threading
from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.engine import Dialect

from learnhub.database import in_read_only_page
from learnhub.extensions import db


def borrows_connections() -> bool:
    """Whether this request's ORM session has no connection yet and would borrow one from the pool (an anonymous
    page, or any page before its first statement), rather than hold one (the tests' transaction, to which the
    session is bound, or a page that has read through the session already)."""
    if not db.session.registry.has():  # no session yet: do not make one just to ask
        bind = db.session.session_factory.kw.get("bind")
        return bind is None or isinstance(bind, Engine)
    return isinstance(db.session.get_bind(), Engine) and not db.session().in_transaction()


def first_row(sql: str, params: dict) -> tuple | None:
    """The first row of a plain SELECT ({name} marks a parameter), for the keys of cached pages. On a connection of
    its own when the session holds none (`borrows_connections`), else on the session's. Values come back as the
    driver gives them (a date may be text on SQLite): compare them only with values read the same way."""
    engine = db.engine
    pyformat = engine.dialect.paramstyle == "pyformat"  # psycopg: %(name)s; sqlite3: :name
    statement = sql.format(**{name: f"%({name})s" if pyformat else f":{name}" for name in params})
    if not borrows_connections():
        return db.session.connection().exec_driver_sql(statement, params).first()
    return _outside_session(engine, statement, params, False)[0]  # (no description: driver values as they are)


class PreparedSelect:
    """`first(params)`: the first row of `statement` (a named tuple of its selected columns, processed as the ORM
    would), or None. On a page marked `reads_only`, compiled once per dialect and sent as it is, around the ORM when
    the session holds no connection; elsewhere executed by SQLAlchemy as usual. Parameters must be values the driver
    takes as they are (numbers, text): a parameter whose type needs converting is refused when it is compiled."""

    def __init__(self, statement: Select):
        self._statement = statement
        self._forms: dict[Dialect, _Form] = {}

    def first(self, params: Mapping[str, Any]) -> tuple | None:
        if not in_read_only_page():  # (a page that writes: SQLAlchemy's own cached execution, as any statement)
            return db.session.connection().execute(self._statement, params).first()
        if borrows_connections():
            engine = db.engine
            form = self._form(engine.dialect)
            row, description = _outside_session(engine, form.sql, form.arguments(params), form.processors is None)
        else:
            connection = db.session.connection()
            form = self._form(connection.dialect)
            result = connection.exec_driver_sql(form.sql, form.arguments(params))
            description = result.cursor.description if form.processors is None else None
            row = result.first()
        if row is None:
            return None
        processors = form.processors if form.processors is not None else form.processors_for(description)
        return form.row_class._make([value if process is None else process(value)
                                     for process, value in zip(processors, row, strict=True)])

    def _form(self, dialect: Dialect) -> _Form:
        return self._forms.get(dialect) or self._compile(dialect)

    def _compile(self, dialect: Dialect) -> _Form:
        compiled = self._statement.compile(dialect=dialect)
        for bind in compiled.binds.values():
            if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
                raise TypeError(f"PreparedSelect: parameter {bind.key!r} of type {bind.type!r} needs converting")
            if bind.expanding or bind.callable is not None:
                raise TypeError(f"PreparedSelect: parameter {bind.key!r} is a list or computed at execution")
        columns = list(self._statement.selected_columns)
        form = _Form(compiled, [column.type.dialect_impl(dialect) for column in columns],
                     namedtuple("PreparedRow", [column.key or f"column_{i}" for i, column in enumerate(columns)],
                                rename=True))
        self._forms[dialect] = form
        return form


class _Form:
    """A statement compiled for one dialect: its SQL, the order of its positional parameters (None when named), the
    class of its rows, and one result processor per column (None where the driver's value is kept), made from the
    first result's description (a driver may need each column's type code: psycopg's numbers do)."""

    __slots__ = ("_names", "_slots", "_types", "compiled", "positions", "processors", "row_class", "sql")

    def __init__(self, compiled, types: list, row_class: type):
        self.compiled = compiled
        self.sql = str(compiled)
        self.positions = tuple(compiled.positiontup) if compiled.positional else None
        self.row_class = row_class
        self.processors: tuple[Callable | None, ...] | None = None
        self._types = types
        # What `construct_params` would do for each parameter, worked out once: the caller's value by the
        # parameter's key, else the value written into the statement (a literal compared with, a LIMIT).
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        order = self.positions if self.positions is not None else tuple(by_name)
        self._names = tuple(compiled.escaped_bind_names.get(name, name) for name in order)
        self._slots = tuple((by_name[name].key, by_name[name].required, by_name[name].effective_value)
                            for name in order)

    def arguments(self, params: Mapping[str, Any]) -> Any:
        """The statement's parameters as its driver takes them: a tuple in order, or a dict by name."""
        values = []
        for key, required, written in self._slots:
            if key in params:
                values.append(params[key])
            elif required:
                return self.compiled.construct_params(params)  # raises SQLAlchemy's own error, naming it
            else:
                values.append(written)
        return tuple(values) if self.positions is not None else dict(zip(self._names, values, strict=True))

    def processors_for(self, description) -> tuple[Callable | None, ...]:
        dialect = self.compiled.dialect
        self.processors = tuple(kind.result_processor(dialect, column[1])
                                for kind, column in zip(self._types, description, strict=True))
        return self.processors


def _outside_session(engine: Engine, statement: str, params: Any, describe: bool) -> tuple[tuple | None, Any]:
    """(first row, cursor description if `describe`, else None: psycopg builds it anew each time it is asked) of
    `statement` on this thread's own connection, taken from the pool once and kept (decisions 0091 and 0093): the
    pool's checkout and return (a rollback, the pool's events) cost more than the statement on SQLite, and a sixth
    of the lesson page's time on PostgreSQL.

    The connection is in autocommit (SQLite: database.py; PostgreSQL: set as it is taken), and its cursor is closed
    before returning, so it holds no transaction between two requests: each statement sees every commit before it,
    never holds back SQLite's WAL checkpoint, and is never "idle in transaction" on PostgreSQL. One per thread, per
    engine and process (a new engine, or a forked worker, takes its own). A connection that fails (a server
    restarted, a file gone) is closed and dropped, and the statement tried once more on a new one."""
    for attempt in (1, 2):
        connection = _kept_connection(engine)
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(statement, params)
                row, description = cursor.fetchone(), cursor.description if describe else None
            finally:
                cursor.close()
        except engine.dialect.loaded_dbapi.Error:
            _kept.slot = None
            connection.invalidate()  # closed, not back to the pool
            if attempt == 2:
                raise
            continue
        return (tuple(row) if row is not None else None), description
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


_kept = threading.local()  # .slot: (engine, process id, pooled DB-API connection)


def _kept_connection(engine: Engine):
    slot = getattr(_kept, "slot", None)
    if slot is None or slot[0] is not engine or slot[1] != os.getpid():
        if slot is not None and slot[1] == os.getpid():
            slot[2].close()  # another engine's (a test's earlier app): back to its pool
        connection = engine.raw_connection()
        if engine.dialect.name == "postgresql":
            connection.driver_connection.autocommit = True  # (back in the pool, database.py resets it)
        slot = _kept.slot = (engine, os.getpid(), connection)
    return slot[2]
