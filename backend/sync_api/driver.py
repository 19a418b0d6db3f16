"""A push's statements run on the database driver's own cursor, each compiled once, each value
converted by its type's bind and result processors as SQLAlchemy converts it (docs/performance.md).

- On SQLite (``fetch``, ``execute_many``), without SQLAlchemy's per-row and per-statement
  work, which cost more than SQLite's inserts and small reads themselves, all of it inside the
  push's turn as the one writer.
- On PostgreSQL (``Pipeline``), through psycopg's pipeline mode: statements whose rows the push
  does not need yet are sent without waiting for their answers, so a push's writes and its
  ``COMMIT`` go to the server in one round trip, and the reads that go together in another.

Any other engine goes through SQLAlchemy as usual.
"""
from contextlib import contextmanager

from sqlalchemy import DateTime

CHUNK = 900  # bound parameters per IN (...), well inside SQLite's limit

_COMPILED = {}  # (statement id, dialect name, number of ids) -> _Compiled


def fetch(conn, stmt, ids=None, **params):
    """The rows of ``conn.execute(stmt, {"ids": ids, **params})``, each a tuple.

    :param conn: a SQLAlchemy connection.
    :param stmt: a statement built once at import; ``ids`` fills its expanding ``IN`` (at
        most ``CHUNK``).
    """
    dialect = conn.dialect
    if dialect.name != "sqlite":
        if ids is not None:
            params["ids"] = ids
        return [tuple(row) for row in conn.execute(stmt, params)]
    compiled, arguments = _prepared(stmt, dialect, ids, params)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(compiled.sql, arguments)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return compiled.converted(rows)


def execute_many(conn, stmt, rows):
    """``conn.execute(stmt, rows)``, on SQLite through the driver's own ``executemany``.

    :param conn: a SQLAlchemy connection inside the push's transaction.
    :param stmt: a statement built once at import.
    :param rows: a dict of parameters per row, keyed by the statement's parameter names.
    """
    dialect = conn.dialect
    if dialect.name != "sqlite":
        conn.execute(stmt, rows)
        return
    compiled = _compiled(stmt, dialect)
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(compiled.sql, compiled.many(rows))
    finally:
        cursor.close()


class Direct:
    """Statements run as they are sent (``fetch``, ``execute_many``): SQLite's and any engine's
    but PostgreSQL's."""

    def __init__(self, conn):
        self.conn = conn

    @contextmanager
    def transaction(self):
        with self.conn.begin():
            yield self

    def send(self, stmt, ids=None, **params):
        rows = fetch(self.conn, stmt, ids, **params)
        return lambda: rows

    def send_many(self, stmt, rows):
        execute_many(self.conn, stmt, rows)


class Pipeline:
    """A PostgreSQL transaction whose statements wait in a queue until a row is asked for:
    ``send`` queues a statement and returns a function answering its rows, which sends every
    statement queued so far through psycopg's pipeline, in one round trip; ``send_many``
    queues an ``executemany``; ``transaction`` sends what is left with the ``COMMIT``. Between
    two such sends the connection is an ordinary one (the access rules read through the ORM).

    :param conn: a SQLAlchemy connection to PostgreSQL through psycopg, in autocommit (a sync
        request's) or in a transaction that has only read, which the push's commit then ends.
    """

    def __init__(self, conn):
        self.conn, self.driver = conn, conn.connection.driver_connection
        self._queue, self._cursors = [], []

    @contextmanager
    def transaction(self):
        # one transaction, also on a connection that reads in autocommit (a sync request's):
        # its BEGIN then goes with the first statements sent
        autocommit = self.driver.autocommit
        if autocommit:
            self.driver.autocommit = False
        try:
            yield self
            self._flush(commit=True)
        except BaseException:
            self._queue.clear()
            self.driver.rollback()
            raise
        finally:
            for cursor in self._cursors:
                cursor.close()
            if autocommit:
                self.driver.autocommit = True

    def send(self, stmt, ids=None, **params):
        compiled, arguments = _prepared(stmt, self.conn.dialect, ids, params)
        cursor = self._cursor()
        self._queue.append((cursor.execute, compiled.sql, arguments))

        def rows():
            self._flush()
            return compiled.converted(cursor.fetchall())
        return rows

    def send_many(self, stmt, rows):
        compiled = _compiled(stmt, self.conn.dialect)
        cursor = self._cursor()
        self._queue.append((cursor.executemany, compiled.sql, compiled.many(rows)))

    def _flush(self, commit=False):
        if not self._queue and not commit:
            return
        with self.driver.pipeline():
            for run, sql, arguments in self._queue:
                run(sql, arguments)
            self._queue.clear()
            if commit:
                self.driver.commit()

    def _cursor(self):
        cursor = self.driver.cursor()
        self._cursors.append(cursor)
        return cursor


def read_all(conn, statements):
    """Each statement's rows, ``statements`` being (SQL text, parameters) run in order on the
    driver's own cursor: plain tuples, no result processing (a pull page is a thousand rows).
    On PostgreSQL they go in one round trip, through psycopg's pipeline."""
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        with driver.pipeline():
            cursors = [driver.execute(sql, params) for sql, params in statements]
        return [cursor.fetchall() for cursor in cursors]
    cursor = conn.connection.cursor()
    try:
        return [cursor.execute(sql, params).fetchall() for sql, params in statements]
    finally:
        cursor.close()


def _prepared(stmt, dialect, ids, params):
    """The compiled statement and its converted arguments."""
    if ids:
        # padded to a power of two (or CHUNK) by repeating the last id, which changes nothing
        # an IN matches: a dozen compiled forms per statement, not one per length, so the
        # drivers' prepared statements are reused
        size = _padded_size(len(ids))
        ids = [*ids, *[ids[-1]] * (size - len(ids))]
        params.update((f"ids_{n}", value) for n, value in enumerate(ids, 1))
    compiled = _compiled(stmt, dialect, ids)
    return compiled, compiled.arguments({**compiled.defaults, **params})


def precompile(stmt, dialect, sizes=(None,)):
    """Compile ``stmt`` for ``dialect`` ahead of its first use, once per ``IN`` list size in
    ``sizes`` (None: a statement without one), as ``fetch`` and the runners would on first
    use."""
    for size in sizes:
        _compiled(stmt, dialect, None if size is None else [""] * size)


def _padded_size(count):
    """The size an ``IN`` list of ``count`` ids (1 to ``CHUNK``) is padded to."""
    return min(CHUNK, 1 << (count - 1).bit_length())


def in_list_sizes():
    """Every size an ``IN`` list is padded to (``_prepared``)."""
    return sorted({_padded_size(count) for count in range(1, CHUNK + 1)})


def _compiled(stmt, dialect, ids=None):
    key = (id(stmt), dialect.name, None if ids is None else len(ids))
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = _Compiled(stmt, dialect, ids)
    return found


class _Compiled:
    """A statement compiled once: its SQL, its parameter names in order with their defaults,
    and the bind processors (index, processor, whether it converts a time) and result
    processors (index, processor) that convert its values. Arguments are a list for a
    positional driver (SQLite's ``?``) and a dict for a named one (psycopg's ``%(name)s``)."""

    def __init__(self, stmt, dialect, ids):
        if ids is not None:  # the IN list rendered with one placeholder per id
            stmt = stmt.params(ids=list(ids))
        compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        self.sql, self.named = compiled.string, compiled.positiontup is None
        # the expanded ids_1, ids_2, ... are not among the compiled binds: they are strings
        self.names = list(compiled.positiontup or (
            [name for name in compiled.binds if ids is None or name != "ids"]
            + [f"ids_{n}" for n in range(1, len(ids or ()) + 1)]))
        binds = {name: compiled.binds[name] for name in self.names if name in compiled.binds}
        self.defaults = {name: bind.effective_value for name, bind in binds.items()}
        self.binds = []
        for i, name in enumerate(self.names):
            kind = binds[name].type if name in binds else None
            process = kind and kind.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.binds.append((i, process,
                                   isinstance(getattr(kind, "impl", kind), DateTime)))
        results = [(i, column.type.dialect_impl(dialect).result_processor(dialect, None))
                   for i, column in enumerate(compiled._result_columns)]
        self.results = [(i, process) for i, process in results if process is not None]

    def arguments(self, values):
        """One row's parameters, in order and converted, from ``values`` by name."""
        row = [values[name] for name in self.names]
        for i, process, _ in self.binds:
            row[i] = process(row[i])
        return dict(zip(self.names, row)) if self.named else row

    def many(self, rows):
        """The parameters of ``rows`` (dicts by name), converted; a push's rows share their
        times (the push's own), so each distinct time is converted once."""
        memos = [(i, process, {} if is_time else None) for i, process, is_time in self.binds]
        out = []
        for row in rows:
            values = [row[name] for name in self.names]
            for i, process, memo in memos:
                if memo is None:
                    values[i] = process(values[i])
                else:
                    value = values[i]
                    done = memo.get(value)
                    if done is None:
                        done = memo[value] = process(value)
                    values[i] = done
            out.append(dict(zip(self.names, values)) if self.named else values)
        return out

    def converted(self, rows):
        """The result ``rows`` (tuples) with each column converted."""
        if not self.results:
            return rows
        out = []
        for row in rows:
            row = list(row)
            for i, process in self.results:
                row[i] = process(row[i])
            out.append(tuple(row))
        return out
