"""Shared fixtures: the app on SQLite or a real PostgreSQL (BASESYS_TEST_DB), a clean database per
test, a client, and factories that return callables (STYLE.md "Tests")."""

import itertools
import os
import tempfile
from datetime import datetime, timedelta

import pytest

_INSTANCE = tempfile.mkdtemp(prefix="basesys-test-")
os.environ["BASESYS_INSTANCE"] = _INSTANCE
os.environ["BASESYS_SCHEDULER"] = "off"
DB_KIND = os.environ.get("BASESYS_TEST_DB", "sqlite")

import contextvars  # noqa: E402

from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import text  # noqa: E402

from basesys import create_app  # noqa: E402
from basesys.core.ids import id_check_digit  # noqa: E402
from basesys.core.time import LOCAL_TZ, set_clock  # noqa: E402
from basesys.extensions import db as _db  # noqa: E402
from tests.pg import PostgresServer  # noqa: E402

PASSWORD = "secret-pass-1"


def pytest_report_header(config):
    return f"basesys test database: {'PostgreSQL (started by the tests)' if DB_KIND == 'postgres' else 'SQLite'}"


@pytest.fixture(scope="session")
def database_server():
    if DB_KIND != "postgres":
        yield None
        return
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def database_url(database_server):
    if database_server is not None:
        return database_server.url()
    return f"sqlite:///{_INSTANCE}/test.sqlite3"


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: its own db session and `g`.

    The test's own transaction is committed first, so the request sees what the test set up and
    SQLite's write lock is free; afterwards the test reads what the request committed (expire_all).
    """

    def open(self, *args, **kwargs):
        if _db.session.registry.has():
            _db.session.commit()
        # Buffered: a streamed body (stream_with_context) is read inside the request's own context.
        kwargs.setdefault("buffered", True)
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if _db.session.registry.has():
            _db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "BASE_URL": "http://testserver",
            "INSTANCE_DIR": _INSTANCE,
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "API_CHECK_ANSWERS": True,  # every API answer is held to its OpenAPI declaration (core.api)
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.engine.dispose()


def wipe_database() -> None:
    _db.session.remove()
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def db(app):
    """An app context on a clean database.

    The test thread reads with deferred transactions (WAL readers never block), so a lazy load in
    a test cannot hold SQLite's write lock while a live-server request wants to write.
    """
    from basesys.core.database import lock_at_begin

    lock_at_begin(False)
    with app.app_context():
        yield _db
        wipe_database()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def now():
    """A fixed Monday morning in Shanghai; tests never read the real clock."""
    return datetime(2025, 6, 2, 9, 0, tzinfo=LOCAL_TZ)


class Clock:
    """The one test clock: `now_utc()` answers it everywhere (services, views, API, jobs, live server)."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = moment

    def advance(self, **delta) -> None:
        self.moment = self.moment + timedelta(**delta)


@pytest.fixture
def clock(now):
    """Freezes the system's clock at `now` for this test; `clock.set(...)` / `clock.advance(...)` move it."""
    frozen = Clock(now)
    set_clock(frozen)
    yield frozen
    set_clock(None)


_sequence = itertools.count(1)


def valid_id_number(region: str = "370402", birth: str = "19800101", seq: int | None = None, male: bool = True) -> str:
    n = next(_sequence) if seq is None else seq
    third = (n * 2 + (1 if male else 0)) % 10
    body = region + birth + f"{(n // 5) % 100:02d}{third}"
    return body + id_check_digit(body)


@pytest.fixture
def make_bureau(db, now):
    from basesys.accounts import services

    def make(name=None, level="city", parent=None):
        if parent is None and level != "province":
            parent = services.create_bureau(
                None, name=f"省厅{next(_sequence)}", level="province", parent_id=None, now=now
            )
        bureau = services.create_bureau(
            None, name=name or f"人社局{next(_sequence)}", level=level, parent_id=parent.id if parent else None, now=now
        )
        db.session.commit()
        return bureau

    return make


@pytest.fixture
def make_base(db, now, make_bureau):
    from basesys.accounts import services
    from basesys.core.ids import make_credit_code

    def make(bureau=None, name=None, level="municipal"):
        bureau = bureau or make_bureau()
        n = next(_sequence)
        base = services.create_base(
            None,
            name=name or f"继续教育基地{n}",
            level=level,
            credit_code=make_credit_code(f"12370400MB{n:07d}"),
            bureau_id=bureau.id,
            now=now,
        )
        db.session.commit()
        return base

    return make


@pytest.fixture
def make_user(db, now):
    from basesys.accounts import services

    def make(role="sysadmin", bureau=None, base=None, username=None, password=PASSWORD):
        user = services.create_staff_user(
            None,
            username=username or f"{role}{next(_sequence)}",
            password=password,
            role=role,
            bureau_id=bureau.id if bureau else None,
            base_id=base.id if base else None,
            now=now,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_trainee(db, now):
    from basesys.accounts import services

    def make(name="张三", registered=True, id_number=None, password=PASSWORD, **fields):
        number = id_number or valid_id_number()
        if registered:
            trainee = services.register_trainee(
                id_number=number,
                name=name,
                password=password,
                phone=fields.pop("phone", "13800000000"),
                now=now,
                **fields,
            )
        else:
            trainee = services.create_trainee_record(None, id_number=number, name=name, now=now, **fields)
        db.session.commit()
        return trainee

    return make


@pytest.fixture
def login(client):
    """Log the test client in as a user (a trainee logs in with the ID number)."""

    def do(user_or_trainee, password=PASSWORD):
        username = getattr(user_or_trainee, "username", None) or user_or_trainee.id_number
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, response.text[:500]
        return client

    return do


@pytest.fixture
def api_headers(db, now):
    """Bearer headers for a user or a registered trainee."""
    from basesys.accounts.tokens import issue_token

    def headers(user_or_trainee, **extra):
        user = getattr(user_or_trainee, "user", None) or user_or_trainee
        token, _expires = issue_token(user, now)
        return {"Authorization": f"Bearer {token}", **extra}

    return headers


@pytest.fixture
def tenants(make_bureau, make_base, make_user, make_trainee):
    """Two cities each with a base, admins and officers, a county under city A, a province above."""
    from basesys.accounts import services

    province = make_bureau(level="province", name="山东省人社厅")
    city_a = make_bureau(name="枣庄市人社局", parent=province)
    county_a = make_bureau(name="市中区人社局", level="county", parent=city_a)
    city_b = make_bureau(name="济宁市人社局", parent=province)
    base_a, base_b = make_base(bureau=city_a, name="基地甲"), make_base(bureau=city_b, name="基地乙")
    base_county = make_base(bureau=county_a, name="区属基地")
    ns = type("Tenants", (), {})()
    ns.province, ns.city_a, ns.county_a, ns.city_b = province, city_a, county_a, city_b
    ns.base_a, ns.base_b, ns.base_county = base_a, base_b, base_county
    ns.sysadmin = make_user("sysadmin")
    ns.officer_province = make_user("bureau_officer", bureau=province)
    ns.officer_a = make_user("bureau_officer", bureau=city_a)
    ns.officer_county = make_user("bureau_officer", bureau=county_a)
    ns.officer_b = make_user("bureau_officer", bureau=city_b)
    ns.admin_a = make_user("base_admin", base=base_a)
    ns.admin_b = make_user("base_admin", base=base_b)
    ns.admin_county = make_user("base_admin", base=base_county)
    ns.trainee = make_trainee(name="李四")
    ns.other_trainee = make_trainee(name="王五")
    ns.services = services
    return ns


def at(day: str, hhmm: str) -> datetime:
    """An aware Shanghai datetime: at("2025-06-02", "09:00")."""
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=LOCAL_TZ)


@pytest.fixture
def make_course(db, now, make_base):
    """A course with sessions, written directly (no rules checked) in any filing state.

    sessions: list of (start, end) aware datetimes, or (start, end, credit_hours).
    """
    from basesys.core.hours import floor_to_half
    from basesys.core.policy import DEFAULT_POLICY
    from basesys.courses.models import Course, CourseSession

    def make(
        base=None,
        sessions=None,
        status="approved",
        title=None,
        category="professional",
        kind="course",
        attendance_mode="in_out",
        pass_ratio=None,
        capacity=None,
        **fields,
    ):
        base = base or make_base()
        sessions = sessions or [(at("2025-06-10", "09:00"), at("2025-06-10", "12:00"))]
        n = next(_sequence)
        course = Course(
            base=base,
            title=title or f"培训项目{n}",
            category=category,
            kind=kind,
            delivery="offline",
            location="枣庄",
            target="专业技术人员",
            planned_headcount=50,
            capacity=capacity,
            responsible="负责人",
            contact="联系人",
            contact_phone="0632-0000000",
            plan="培训计划",
            attendance_mode=attendance_mode,
            pass_ratio=pass_ratio,
            filing_status=status,
            filing_number=f"备2025-{base.id:04d}-{n:04d}" if status == "approved" else None,
            created_at=now,
            updated_at=now,
            **fields,
        )
        if status in ("submitted", "approved"):
            course.submitted_at = now
        if status == "approved":
            course.approved_at = now
        for item in sessions:
            start, end = item[0], item[1]
            minutes = (end - start).total_seconds() / 60
            hours = item[2] if len(item) > 2 else floor_to_half(minutes / DEFAULT_POLICY.minutes_per_credit_hour)
            course.sessions.append(CourseSession(starts_at=start, ends_at=end, credit_hours=hours))
        days: dict = {}
        for s in course.sessions:
            day = s.starts_at.astimezone(LOCAL_TZ).date()
            days[day] = days.get(day, 0) + s.credit_hours
        course.planned_days = len(days)
        cap = DEFAULT_POLICY.daily_cap_hours
        course.planned_hours = (
            cap * len(days) if kind == "advanced_seminar" else sum(min(v, cap) for v in days.values())
        )
        db.session.add(course)
        db.session.commit()
        return course

    return make


@pytest.fixture
def enroll(db, now):
    """Put trainees on a course's list directly."""
    from basesys.courses.models import Enrollment

    def do(course, *trainees, source="admin"):
        rows = [Enrollment(course=course, trainee=t, source=source, created_at=now) for t in trainees]
        db.session.add_all(rows)
        db.session.commit()
        return rows

    return do
