"""The floor of bench/checkin.py: bare Flask + SQLAlchemy, one lookup and one insert per request.

Same database settings as the app (SQLite: WAL, busy timeout, BEGIN IMMEDIATE for writes), same
gunicorn command; no auth, no rules. `FLOOR_DATABASE_URL` selects the database.
"""

import os
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Model(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Model)


class FloorTrainee(db.Model):
    __tablename__ = "floor_trainee"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)


class FloorCheckin(db.Model):
    __tablename__ = "floor_checkin"
    __table_args__ = (UniqueConstraint("trainee_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("floor_trainee.id"), nullable=False)
    device: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


def _sqlite_settings(engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "busy_timeout=15000", "foreign_keys=ON", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_app() -> Flask:
    app = Flask(__name__)
    url = os.environ["FLOOR_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_settings(db.engine)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.post("/checkin")
    def checkin():
        key = request.headers.get("Authorization", "").removeprefix("Bearer ")
        trainee = db.session.scalar(db.select(FloorTrainee).where(FloorTrainee.key == key))
        if trainee is None:
            return jsonify({"error": "unknown"}), 404
        db.session.add(
            FloorCheckin(trainee_id=trainee.id, device=request.headers.get("X-Device-Id", ""), at=datetime.now(UTC))
        )
        db.session.commit()
        return jsonify({"result": "inserted"})

    return app


app = create_app() if os.environ.get("FLOOR_DATABASE_URL") else None
