"""The migrations (``flask db upgrade``, which every test database is made with) build the
schema the models describe: a column, index or type added to a model without its migration is
found here, on SQLite and on PostgreSQL, before an operator's upgrade leaves it out."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from backend.extensions import db


def test_the_migrated_database_is_the_one_the_models_describe(ctx):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
