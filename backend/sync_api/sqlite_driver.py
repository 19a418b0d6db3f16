"""A push's statements run on SQLite's own cursor: each compiled once, each value converted by
its type's bind and result processors as SQLAlchemy converts it, without SQLAlchemy's per-row
and per-statement work, which cost more than SQLite's inserts and small reads themselves, all of
it inside the push's turn as the one writer (docs/performance.md). Any other engine goes
through SQLAlchemy as usual.
"""
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
    if ids:
        # padded to a power of two (or CHUNK) by repeating the last id, which changes nothing
        # an IN matches: a dozen compiled forms per statement, not one per length
        size = min(CHUNK, 1 << (len(ids) - 1).bit_length())
        ids = [*ids, *[ids[-1]] * (size - len(ids))]
        params.update((f"ids_{n}", value) for n, value in enumerate(ids, 1))
    compiled = _compiled(stmt, dialect, ids)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(compiled.sql, compiled.arguments({**compiled.defaults, **params}))
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
    # a push's rows share their times (the push's own): each is converted once
    memos = [(i, process, {} if is_time else None) for i, process, is_time in compiled.binds]
    params = []
    for row in rows:
        values = [row[name] for name in compiled.names]
        for i, process, memo in memos:
            if memo is None:
                values[i] = process(values[i])
            else:
                value = values[i]
                done = memo.get(value)
                if done is None:
                    done = memo[value] = process(value)
                values[i] = done
        params.append(values)
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(compiled.sql, params)
    finally:
        cursor.close()


def _compiled(stmt, dialect, ids=None):
    key = (id(stmt), dialect.name, None if ids is None else len(ids))
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = _Compiled(stmt, dialect, ids)
    return found


class _Compiled:
    """A statement compiled once: its SQL, its parameter names in order with their defaults,
    and the bind processors (index, processor, whether it converts a time) and result
    processors (index, processor) that convert its values."""

    def __init__(self, stmt, dialect, ids):
        if ids is not None:  # the IN list rendered with one placeholder per id
            stmt = stmt.params(ids=list(ids))
        compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        self.sql, self.names = compiled.string, compiled.positiontup
        # the expanded ids_1, ids_2, ... are not among the compiled binds: they are strings
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
        return row

    def converted(self, rows):
        """The result ``rows`` with each column converted."""
        if not self.results:
            return rows
        out = []
        for row in rows:
            row = list(row)
            for i, process in self.results:
                row[i] = process(row[i])
            out.append(tuple(row))
        return out
