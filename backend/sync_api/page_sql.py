"""The SQL of a pull page, as text for the driver's own cursor: the learners' rows after their
seqs on each table's (learner_id, seq) index, the seqs the pages ahead are cut from, and the
sync state read around them (docs/sync-protocol.md, "Pull" and "Pages fetched ahead")."""
from ..models import COLLECTIONS

HEAD = "SELECT epoch, seq FROM sync_state WHERE id = 1"
EPOCH_BEGAN = "SELECT epoch, epoch_seq FROM sync_state WHERE id = 1"
HEAD_AND_PURGED = "SELECT epoch, seq, purged_through_seq FROM sync_state WHERE id = 1"
PURGED = "SELECT purged_through_seq FROM sync_state WHERE id = 1"


def _where(after, mark):
    """The condition "a learner's row after their seq" of ``after`` and its parameters,
    grouped by seq so that the SQL text depends only on how many learners and distinct seqs
    ``after`` holds (the drivers' prepared statements are reused from pull to pull)."""
    by_seq = {}
    for learner, seq in after.items():
        by_seq.setdefault(int(seq), []).append(int(learner))
    groups = sorted(by_seq.items())
    where = " OR ".join(f"(learner_id IN ({','.join([mark] * len(learners))}) AND seq > {mark})"
                        for _, learners in groups)
    return where, [value for seq, learners in groups for value in (*learners, seq)]


def per_table(after, limit, dialect, columns, until=0):
    """Per table, (SQL, parameters) of the learners' rows after their seqs (up to ``until`` if
    not 0) in seq order, stopping at ``limit``, on the table's (learner_id, seq) index.

    :param columns: table name -> what to select.
    """
    mark = "?" if dialect == "sqlite" else "%s"
    where, params = _where(after, mark)
    if until:
        where, params = f"({where}) AND seq <= {mark}", [*params, int(until)]
    return [(f"SELECT {columns(name)} FROM {model.__tablename__} WHERE {where} ORDER BY seq "
             f"LIMIT {mark}", [*params, int(limit)]) for name, model in COLLECTIONS.items()]


def changes_sql(after, limit, dialect, until=0, whole=False):
    """The statements of a pull page's rows and their parameters: merged here on SQLite (a
    UNION ALL sorted by SQLite is twice as slow for a page of 1,000); on PostgreSQL one UNION
    ALL of them, merged by seq on the server. The rows are ``ChangeRow``s, or ``WholeRow``s
    with ``whole``. Each value read costs the driver an object, and a page is a thousand rows
    (docs/performance.md, item 20): a row's collection and id are read only where it has no
    wire text, to build it, and its learner and visibility only when the puller may not see
    every record of the learners whole. SQLite gives the wire text as its bytes, which the page
    is sent as: no character is checked or copied twice."""
    text = "CAST(wire AS BLOB) AS wire" if dialect == "sqlite" else "wire"

    def columns(name):
        key = (f"CASE WHEN wire IS NULL THEN '{name}' END AS collection, "
               "CASE WHEN wire IS NULL THEN id END AS id")
        if whole:
            return f"seq, {key}, {text}"
        return f"seq, learner_id, {key}, visibility, widest_visibility, {text}"

    selects = per_table(after, limit, dialect, columns, until)
    if dialect == "sqlite":
        return selects
    union = " UNION ALL ".join(f"({sql})" for sql, _ in selects)
    return [(f"SELECT * FROM ({union}) AS changes ORDER BY seq LIMIT %s",
             [value for _, params in selects for value in params] + [int(limit)])]


def seqs_sql(after, limit, dialect):
    """Per table, one row: the seqs the pages ahead are cut from, in one value (the index
    alone answers; a row per seq took SQLite's driver four times as long as the scan)."""
    gather = "group_concat(seq)" if dialect == "sqlite" else "array_agg(seq)"
    return [(f"SELECT {gather} FROM ({sql}) AS following", params)
            for sql, params in per_table(after, limit, dialect, lambda name: "seq")]
