"""A restore as an operator makes it, for tests: a backup of every table, put back in place,
and ``flask sync new-epoch`` with the access log it reads (docs/deployment.md, "Restoring")."""
import json

from sqlalchemy import delete, insert, select

from backend.extensions import db


def backup(app):
    """Every row of every table, as a backup holds them."""
    with app.app_context(), db.engine.begin() as conn:
        return {t.name: [dict(r) for r in conn.execute(select(t)).mappings()]
                for t in db.metadata.sorted_tables}


def restore(app, dump):
    """Put ``dump`` in place of everything the database holds, as a restore does."""
    with app.app_context():
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(delete(table))
            for table in db.metadata.sorted_tables:
                if dump[table.name]:
                    conn.execute(insert(table), dump[table.name])
        db.engine.dispose()


def log_text(app):
    """The text of the access log the app writes and the command reads."""
    with open(app.config["ACCESS_LOG"], encoding="utf-8") as log:
        return log.read()


def logged(app):
    """The access log's lines, as JSON."""
    return [json.loads(line) for line in log_text(app).splitlines()]


def new_epoch(app):
    """Run ``flask sync new-epoch`` on the app's database and access log; its output."""
    result = app.test_cli_runner().invoke(args=["sync", "new-epoch"])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    return result.output
