"""`init-db` builds the schema from the migrations alone, and it matches the models exactly."""

import os
import tempfile

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine

from basesys import create_app
from basesys.extensions import db as _db


def test_migrations_build_the_models_schema(database_server):
    if database_server is not None:
        url = database_server.create_database("basesys_migrations")
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/migrations.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        engine = create_engine(url)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": False})
            diff = [
                d
                for d in compare_metadata(context, _db.metadata)
                if not (isinstance(d, tuple) and "apscheduler" in str(d))
            ]
        engine.dispose()
        _db.engine.dispose()
    assert diff == [], "models and migrations differ: run `make migration`"
    assert os.path.exists(os.path.join(os.path.dirname(__file__), "..", "..", "migrations", "versions"))


def test_init_db_cli_is_idempotent(database_server):
    if database_server is not None:
        url = database_server.create_database("basesys_cli")
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/cli.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-admin", "--username", "root", "--password", "long-enough-1"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["demo"])
    assert "not empty" in result.output
    with app.app_context():
        _db.engine.dispose()
