"""Plan against actual per course (issue 11): the figures, and the course page's panel."""

import pytest

from basesys.certificates.plan_actual import plan_actual, plan_actual_by_course
from tests.conftest import at
from tests.rosters.conftest import finalize  # noqa: F401, F811 -- shared fixture

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def course(tenants, make_course, make_trainee, enroll):
    """Planned 50 trainees, 2 days, 16 h; three enrolled."""
    course = make_course(
        base=tenants.base_a,
        title="计划对比培训班",
        sessions=[
            (at("2025-05-26", "08:30"), at("2025-05-26", "12:00")),
            (at("2025-05-26", "13:30"), at("2025-05-26", "17:00")),
            (at("2025-05-27", "08:30"), at("2025-05-27", "12:00")),
            (at("2025-05-27", "13:30"), at("2025-05-27", "17:00")),
        ],
    )
    course.absent = make_trainee(name="缺席")
    enroll(course, tenants.trainee, tenants.other_trainee, course.absent)
    return course


def test_before_finalisation_only_enrolment_is_known(db, course):
    figures = plan_actual(course)
    assert (figures.planned_headcount, figures.planned_days, figures.planned_hours) == (50, 2, 16.0)
    assert (figures.enrolled, figures.attended, figures.completed, figures.certificates) == (3, None, None, 0)
    assert figures.hours_issued == 0 and figures.enrolled_share == 3 / 50


def test_after_finalisation(db, tenants, course, finalize):  # noqa: F811
    finalize(course, {tenants.trainee: (16.0, True), tenants.other_trainee: (8.0, False), course.absent: (0, False)})
    figures = plan_actual(course)
    assert (figures.enrolled, figures.attended, figures.completed, figures.certificates) == (3, 2, 1, 1)
    assert figures.hours_issued == 16.0
    assert plan_actual_by_course([course])[course.id] == figures


def test_by_course_for_a_page_is_constant_in_statements(db, tenants, course, finalize, make_course, app):  # noqa: F811
    from sqlalchemy import event

    finalize(course, {tenants.trainee: (16.0, True), tenants.other_trainee: (8.0, False), course.absent: (0, False)})
    others = [make_course(base=tenants.base_a) for _ in range(5)]
    for loaded in (course, *others):
        db.session.refresh(loaded)  # the page has its courses loaded already
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        figures = plan_actual_by_course([course, *others])
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 4
    assert (figures[course.id].attended, figures[course.id].completed) == (2, 1)
    assert all((figures[c.id].enrolled, figures[c.id].attended) == (0, None) for c in others)


@pytest.mark.parametrize("who", ["admin_a", "officer_a", "officer_province", "sysadmin"])
def test_course_page_shows_the_panel(client, login, tenants, course, finalize, who):  # noqa: F811
    finalize(course, {tenants.trainee: (16.0, True), tenants.other_trainee: (8.0, False), course.absent: (0, False)})
    login(getattr(tenants, who))
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "计划与实际" in page and "已报名 3 人 (6%)" in page and "共发放 16.0 学时" in page


@pytest.mark.parametrize("who", ["admin_b", "officer_b"])
def test_the_panel_stays_behind_the_wall(client, login, tenants, course, who):
    login(getattr(tenants, who))
    assert client.get(f"/courses/{course.id}").status_code == 404


def test_trainee_sees_no_plan_figures(client, login, tenants, course):
    login(tenants.trainee)
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "计划与实际" not in page
