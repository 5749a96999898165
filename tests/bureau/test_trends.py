"""The trends page (issue 11): exact figures of a small known year, per month and per unit, the
local-month boundary, scope per officer and the walls route by route. The year's rows are written
directly (as the roster tests' `finalize` does), so the month figures come from the rebuild here;
tests/bureau/test_month_figures.py holds the writers to the same figures."""

import pytest

from basesys.bureau.trend_rebuild import rebuild_month_figures
from basesys.bureau.trends import trends
from basesys.certificates.models import Certificate, LedgerEntry
from basesys.filing import services as filing
from tests.conftest import at

pytestmark = pytest.mark.usefixtures("clock")

FIELDS = ("submitted", "approved", "returned", "trainee_times", "hours_issued", "hours_recognized")


def figures(row) -> tuple:
    return tuple(getattr(row, name) for name in FIELDS)


@pytest.fixture
def year(db, tenants, make_course, make_trainee, enroll, finalize):
    """2025 in city A (base A directly, the county's base below) and city B:
    - A1 (base A): submitted 03-05, returned 03-20, resubmitted 04-02, approved 04-03; finalised
      05-20 with two completers of 8 h, the second's certificate revoked (its entry void);
    - C1 (county base): submitted 2025-04-01 00:30 local (still 03-31 in UTC), approved 04-10;
      finalised 06-15 with the trainee (6 h), recognised 07-01;
    - D1 (base A): finalised 2025-01-01 00:30 local (3 h, a third trainee); E0 (base A) on
      2024-12-31 23:30 local (not 2025);
    - B1 (city B): submitted 03-10, finalised 05-21 with a fourth trainee (4 h)."""
    t, officer_a = tenants, tenants.officer_a
    third, fourth, early = make_trainee(name="丙"), make_trainee(name="丁"), make_trainee(name="戊")
    a1 = make_course(
        base=t.base_a, status="draft", title="A1", sessions=[(at("2025-05-20", "09:00"), at("2025-05-20", "17:00"))]
    )
    c1 = make_course(
        base=t.base_county,
        status="draft",
        title="C1",
        sessions=[(at("2025-06-15", "09:00"), at("2025-06-15", "15:00"))],
    )
    b1 = make_course(
        base=t.base_b, status="draft", title="B1", sessions=[(at("2025-05-21", "09:00"), at("2025-05-21", "13:00"))]
    )
    filing.submit_filing(t.admin_a, a1, now=at("2025-03-05", "10:00"))
    filing.decide_filing(officer_a, a1, decision="return", comment="请补充", now=at("2025-03-20", "10:00"))
    filing.submit_filing(t.admin_a, a1, now=at("2025-04-02", "10:00"))
    filing.decide_filing(officer_a, a1, decision="approve", comment="", now=at("2025-04-03", "10:00"))
    filing.submit_filing(t.admin_county, c1, now=at("2025-04-01", "00:30"))
    filing.decide_filing(officer_a, c1, decision="approve", comment="", now=at("2025-04-10", "10:00"))
    filing.submit_filing(t.admin_b, b1, now=at("2025-03-10", "10:00"))
    db.session.commit()
    enroll(a1, t.trainee, t.other_trainee)
    finalize(a1, {t.trainee: (8.0, True), t.other_trainee: (8.0, True)}, when=at("2025-05-20", "18:00"))
    revoked = db.session.scalar(db.select(Certificate).where(Certificate.trainee_id == t.other_trainee.id))
    revoked.status = "revoked"
    db.session.scalar(db.select(LedgerEntry).where(LedgerEntry.certificate_id == revoked.id)).status = "void"
    enroll(c1, t.trainee)
    finalize(c1, {t.trainee: (6.0, True)}, when=at("2025-06-15", "16:00"))
    entry = db.session.scalar(db.select(LedgerEntry).where(LedgerEntry.course_id == c1.id))
    entry.status, entry.recognized_at = "recognized", at("2025-07-01", "09:00")
    d1 = make_course(base=t.base_a, title="D1", sessions=[(at("2025-01-02", "09:00"), at("2025-01-02", "12:00"))])
    e0 = make_course(base=t.base_a, title="E0", sessions=[(at("2024-12-30", "09:00"), at("2024-12-30", "12:00"))])
    enroll(d1, third)
    enroll(e0, early)
    finalize(d1, {third: (3.0, True)}, when=at("2025-01-01", "00:30"))
    finalize(e0, {early: (3.0, True)}, when=at("2024-12-31", "23:30"))
    enroll(b1, fourth)
    finalize(b1, {fourth: (4.0, True)}, when=at("2025-05-21", "14:00"))
    rebuild_month_figures(None, year=None, now=at("2025-12-31", "10:00"))
    db.session.commit()
    return t


def test_city_officer_per_month(db, year):
    result = trends(year.officer_a, year.city_a, 2025)
    months = {row.key[0]: figures(row) for row in result.months}
    assert months[1] == (0, 0, 0, 1, 3.0, 0.0)
    assert months[3] == (1, 0, 1, 0, 0.0, 0.0)
    assert months[4] == (2, 2, 0, 0, 0.0, 0.0)  # C1's 00:30 local submission is April's
    assert months[5] == (0, 0, 0, 1, 8.0, 0.0)  # the revoked certificate and its void entry do not count
    assert months[6] == (0, 0, 0, 1, 6.0, 0.0)
    assert months[7] == (0, 0, 0, 0, 0.0, 6.0)
    assert all(months[m] == (0, 0, 0, 0, 0.0, 0.0) for m in (2, 8, 9, 10, 11, 12))
    # 培训人次: the trainee trained in May and June counts in each, and twice in the year.
    assert figures(result.total) == (3, 2, 1, 3, 17.0, 6.0)


def test_city_officer_per_unit(db, year):
    result = trends(year.officer_a, year.city_a, 2025)
    units = {row.name: figures(row) for row in result.units}
    assert units == {"市中区人社局": (1, 1, 0, 1, 6.0, 6.0), "基地甲": (2, 1, 1, 2, 11.0, 0.0)}
    assert [row.key[0] for row in result.units] == ["bureau", "base"]


def test_province_officer_sees_each_city(db, year):
    result = trends(year.officer_province, year.province, 2025)
    units = {row.name: figures(row) for row in result.units}
    assert units == {"枣庄市人社局": (3, 2, 1, 3, 17.0, 6.0), "济宁市人社局": (1, 0, 0, 1, 4.0, 0.0)}
    assert figures(result.total) == (4, 2, 1, 4, 21.0, 6.0)


def test_county_officer_sees_its_base_only(db, year):
    result = trends(year.officer_county, year.county_a, 2025)
    assert {row.name: figures(row) for row in result.units} == {"区属基地": (1, 1, 0, 1, 6.0, 6.0)}
    assert figures(result.total) == (1, 1, 0, 1, 6.0, 6.0)


def test_another_year_is_empty_but_for_its_own(db, year):
    result = trends(year.officer_a, year.city_a, 2024)
    assert figures(result.total) == (0, 0, 0, 1, 3.0, 0.0)
    assert figures(result.months[11]) == (0, 0, 0, 1, 3.0, 0.0)


def test_statements_are_three_and_read_only_the_month_figures(db, year, app, make_course):
    from sqlalchemy import event

    def statements():
        db.session.refresh(year.province)
        db.session.refresh(year.officer_province)
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            trends(year.officer_province, year.province, 2025)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return seen

    before = statements()
    for month in range(1, 13):  # more bases' months to read: the same statements
        course = make_course(
            base=year.base_b, status="draft", sessions=[(at("2025-09-01", "09:00"), at("2025-09-01", "12:00"))]
        )
        filing.submit_filing(year.admin_b, course, now=at(f"2025-{month:02d}-02", "10:00"))
    db.session.commit()
    after = statements()
    assert len(before) == len(after) == 3  # the units' names (bureaus, bases) and the figures
    assert not any(table in s for s in after for table in ("ledger_entry", "certificate", "audit_record"))
    assert trends(year.officer_province, year.province, 2025).total.submitted == 16


# --- the page, and its walls ---------------------------------------------------------------------


def test_page_shows_charts_and_the_numbers(client, login, year):
    login(year.officer_a)
    page = client.get("/bureau/trends?year=2025").get_data(as_text=True)
    assert page.count("<svg") == 4 and "趋势" in page and "4月" in page
    months = page[page.index('id="months"') :]
    assert '<td class="num">17.0</td>' in months[: months.index("</table>")]
    units = page[page.index('id="units"') :]
    assert "市中区人社局" in units and "基地甲" in units and "济宁市人社局" not in units
    assert "<script" not in page


def test_page_drills_down_within_scope(client, login, year):
    login(year.officer_a)
    page = client.get(f"/bureau/trends?year=2025&bureau={year.county_a.id}").get_data(as_text=True)
    assert "区属基地" in page and "基地甲" not in page and "返回上一级" in page


@pytest.mark.parametrize(
    "who, bureau",
    [("officer_a", "city_b"), ("officer_a", "province"), ("officer_county", "city_a"), ("officer_b", "county_a")],
)
def test_page_outside_scope_is_404(client, login, year, who, bureau):
    login(getattr(year, who))
    assert client.get(f"/bureau/trends?bureau={getattr(year, bureau).id}").status_code == 404


@pytest.mark.parametrize("query", ["year=abc", "year=99999", "bureau=abc", "bureau=99999999999", "bureau=0"])
def test_page_bad_parameters_never_500(client, login, year, query):
    login(year.officer_a)
    assert client.get(f"/bureau/trends?{query}").status_code in (200, 404)


def test_sysadmin_sees_every_bureau(client, login, year):
    login(year.sysadmin)
    page = client.get("/bureau/trends?year=2025").get_data(as_text=True)
    assert "山东省人社厅" in page


@pytest.mark.parametrize("who", ["admin_a", "trainee"])
def test_page_is_for_officers(client, login, year, who):
    login(getattr(year, who))
    assert client.get("/bureau/trends").status_code == 403


def test_page_anonymous_goes_to_login(client):
    response = client.get("/bureau/trends")
    assert response.status_code == 302 and "login" in response.location


def test_nav_links_the_page_for_officers(client, login, year):
    login(year.officer_a)
    assert 'href="/bureau/trends"' in client.get("/").get_data(as_text=True)
