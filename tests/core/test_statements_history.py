"""A trainee's pages and a base's roster list take the same SQL statements for a history three
times as long (issue 11): each lists one page, eager-loads what it shows and never loads a roster's
rows for a list. Each case measures with a history of N and of 3N (more than a page)."""

import pytest

from basesys.rosters import services as rosters
from tests.conftest import at
from tests.statements import counted


def _statements(client, db, path) -> int:
    db.session.expire_all()
    with counted(db.engine) as statements:
        answer = client.get(path)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return len(statements)


@pytest.fixture
def history(tenants, make_course, enroll, finalize):
    """`history(n)`: n more finalised courses of base A with the trainee certified (May 2025), and
    n more courses to come (July 2025) the trainee is enrolled in."""
    made = [0]

    def add(n):
        for _ in range(n):
            made[0] += 1
            day = f"2025-05-{made[0] % 28 + 1:02d}"
            past = make_course(base=tenants.base_a, sessions=[(at(day, "09:00"), at(day, "12:00"))])
            enroll(past, tenants.trainee)
            finalize(past, {tenants.trainee: (3.0, True)})
            day = f"2025-07-{made[0] % 28 + 1:02d}"
            enroll(
                make_course(base=tenants.base_county, sessions=[(at(day, "09:00"), at(day, "12:00"))]), tenants.trainee
            )

    return add


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/me/certificates",
        "/me/certificates?year=2025",
        "/me/hours",
        "/me/hours?year=2025",
        "/me/courses",
        "/catalog",
    ],
)
def test_a_trainees_pages_take_the_same_statements_for_a_longer_history(
    client, db, tenants, login, clock, history, path
):
    login(tenants.trainee)
    history(4)
    few = _statements(client, db, path)
    history(20)  # 24 in all: more than a page of certificates or courses
    assert _statements(client, db, path) == few


def test_the_next_page_of_a_trainees_list_takes_the_same_statements_too(client, db, tenants, login, clock, history):
    login(tenants.trainee)
    history(25)
    for path in ("/me/certificates?year=2025", "/me/courses", "/catalog"):
        first = _statements(client, db, path)
        page = client.get(path).get_data(as_text=True)
        more = page.split('id="more" href="')[1].split('"')[0].replace("&amp;", "&")
        assert "after=" in more
        assert _statements(client, db, more) <= first + 1  # the cursor row's key: one lookup


def _finalised_rosters(tenants, make_course, enroll, finalize, db, n):
    """n finalised courses of base A: a third without a roster yet, a third pending, a third submitted."""
    for i in range(n):
        course = make_course(base=tenants.base_a, title=f"名单{i}")
        enroll(course, tenants.trainee, tenants.other_trainee)
        finalize(course, {tenants.trainee: (3.0, True), tenants.other_trainee: (1.0, False)})
        if i % 3:
            rosters.open_roster(None, course, now=course.ends_at)
        if i % 3 == 2:
            rosters.submit_roster(tenants.admin_a, course, now=course.ends_at)
        db.session.commit()


@pytest.mark.parametrize(("who", "path"), [("admin_a", "/rosters"), ("officer_a", "/rosters/inbox?status=")])
def test_roster_lists_take_the_same_statements_for_more_rosters(
    client, db, tenants, login, clock, make_course, enroll, finalize, who, path
):
    login(getattr(tenants, who))
    _finalised_rosters(tenants, make_course, enroll, finalize, db, 3)
    few = _statements(client, db, path)
    _finalised_rosters(tenants, make_course, enroll, finalize, db, 9)
    assert _statements(client, db, path) == few


def test_roster_lists_never_read_the_rows_they_do_not_show(
    client, db, tenants, login, api_headers, clock, make_course, enroll, finalize
):
    _finalised_rosters(tenants, make_course, enroll, finalize, db, 3)
    for who, path in (
        ("admin_a", "/rosters"),
        ("officer_a", "/rosters/inbox?status="),
        ("officer_a", "/api/v1/rosters"),
    ):
        db.session.expire_all()
        login(getattr(tenants, who))
        with counted(db.engine) as statements:
            assert client.get(path, headers=api_headers(getattr(tenants, who))).status_code == 200
        reads = [s for s in statements if "SELECT" in s and "roster.id" in s]
        assert reads, path
        assert not any("roster.rows" in s for s in reads), (path, reads)
