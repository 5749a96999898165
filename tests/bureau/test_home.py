"""The bureau officer's home: what waits, per-base figures of the year, the SVG chart."""

import re

from sqlalchemy import event

from basesys.bureau import stats
from basesys.extensions import db
from basesys.rosters import deadlines, services
from tests.conftest import at


def test_waiting_counts_of_the_scope(db, tenants, finished, make_course, make_trainee, enroll, finalize, now):
    make_course(base=tenants.base_a, status="submitted")
    make_course(base=tenants.base_county, status="submitted")
    make_course(base=tenants.base_b, status="submitted")
    make_course(base=tenants.base_a, status="draft")
    late = make_course(base=tenants.base_county, sessions=[(at("2025-04-01", "09:00"), at("2025-04-01", "12:00"))])
    trainee = make_trainee(name="周九")
    enroll(late, trainee)
    finalize(late, {trainee: (4.0, True)})
    deadlines.open_finalized_rosters(now)
    services.submit_roster(tenants.admin_a, finished, now=now)
    db.session.commit()
    assert stats.waiting_counts(tenants.officer_a, now) == stats.Waiting(filings=2, rosters=1, overdue=1)
    assert stats.waiting_counts(tenants.officer_county, now) == stats.Waiting(filings=1, rosters=0, overdue=1)
    assert stats.waiting_counts(tenants.officer_b, now) == stats.Waiting(filings=1, rosters=0, overdue=0)
    assert stats.waiting_counts(tenants.officer_province, now) == stats.Waiting(filings=3, rosters=1, overdue=1)


def rows_of(user, year):
    return {r.name: r for r in stats.figures_page(user, year).rows}


def test_figures_per_base_of_the_year(db, tenants, finished, now):
    rows = rows_of(tenants.officer_a, 2025)
    assert set(rows) == {"基地甲", "区属基地"}
    a = rows["基地甲"]
    assert (a.courses, a.trainee_times, a.hours_issued, a.hours_recognized) == (1, 2, 16.0, 0.0)
    services.submit_roster(tenants.admin_a, finished, now=now)
    services.decide_roster(tenants.officer_a, finished, decision="accept", comment="", now=now)
    db.session.commit()
    a = rows_of(tenants.officer_a, 2025)["基地甲"]
    assert (a.hours_issued, a.hours_recognized) == (16.0, 16.0)
    assert set(rows_of(tenants.officer_county, 2025)) == {"区属基地"}
    assert rows_of(tenants.officer_a, 2024)["基地甲"].courses == 0
    total = stats.figures_page(tenants.officer_a, 2025).total
    assert (total.courses, total.trainee_times, total.hours_issued) == (1, 2, 16.0)


def test_the_home_figures_are_the_trends_figures_of_the_year(db, tenants, finished, now):
    from basesys.bureau.trends import trends

    services.submit_roster(tenants.admin_a, finished, now=now)
    services.decide_roster(tenants.officer_a, finished, decision="accept", comment="", now=now)
    db.session.commit()
    total = stats.figures_page(tenants.officer_a, 2025).total
    by_month = trends(tenants.officer_a, None, 2025).total
    assert (total.trainee_times, total.hours_issued, total.hours_recognized) == (
        by_month.trainee_times,
        by_month.hours_issued,
        by_month.hours_recognized,
    )


def test_a_course_counts_in_the_local_year_of_its_sessions(db, tenants, make_course):
    # 23:30 on 31 December in Shanghai is 15:30 UTC; 00:30 on 1 January is 16:30 UTC on 31 December.
    make_course(base=tenants.base_a, sessions=[(at("2024-12-31", "22:00"), at("2024-12-31", "23:30"))])
    make_course(base=tenants.base_a, sessions=[(at("2025-01-01", "00:30"), at("2025-01-01", "02:00"))])
    for year in (2024, 2025):
        assert rows_of(tenants.officer_a, year)["基地甲"].courses == 1, year
    assert stats.year_bounds(2025)[0].isoformat() == "2025-01-01T00:00:00+08:00"


def test_bases_come_a_page_at_a_time_with_the_total_of_the_scope(db, tenants, make_base, make_course):
    for number in range(5):
        make_course(base=make_base(bureau=tenants.city_a, name=f"分页基地{number}"))
    db.session.commit()
    first = stats.figures_page(tenants.officer_a, 2025, page=1, size=3)
    second = stats.figures_page(tenants.officer_a, 2025, page=3, size=3)
    assert (first.bases, len(first.rows), len(second.rows)) == (7, 3, 1)
    assert first.total.courses == second.total.courses == 5
    beyond = stats.figures_page(tenants.officer_a, 2025, page=99, size=3)
    assert beyond.page == 3  # past the end: the last page


def test_figures_take_the_same_number_of_queries_for_many_bases(db, tenants, make_base, make_course):
    def count_queries(user):
        statements = []

        def record(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            stats.figures_page(user, 2025)
            stats.waiting_counts(user, at("2025-06-02", "09:00"))
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    few = count_queries(tenants.officer_a)
    for _ in range(5):
        base = make_base(bureau=tenants.city_a)
        make_course(base=base)
    db.session.expire_all()
    assert count_queries(tenants.officer_a) == few


def test_home_page_shows_counters_table_and_svg_chart(clock, client, login, tenants, finished, now):
    services.submit_roster(tenants.admin_a, finished, now=now)
    db.session.commit()
    page = login(tenants.officer_a).get("/").text
    assert "待审核的学员名单" in page and "2025 年各基地情况" in page
    assert '<svg class="chart"' in page and "基地甲" in page and "区属基地" in page
    assert "基地乙" not in page
    assert 'href="/rosters/inbox?status=submitted"' in page
    assert re.search(r'(src|href)="(https?:)?//', page) is None  # every asset from static/ (no CDN)


def test_chart_escapes_names_and_scales_bars():
    from basesys.bureau.charts import hours_chart

    rows = [
        stats.BaseFigures(1, "<b>基地</b>", hours_issued=100, hours_recognized=50),
        stats.BaseFigures(2, "乙", hours_issued=50, hours_recognized=0),
    ]
    svg = str(hours_chart(rows, title="t", issued_label="i", recognized_label="r"))
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert 'width="480.0"' in svg and 'width="240.0"' in svg  # the full span, and half of it
    assert svg.count('class="bar-recognized"') == 2
