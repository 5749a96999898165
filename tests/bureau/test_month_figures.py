"""The trends' month figures (courses.month_figures, issue 11): every writer keeps them equal to
what the rows say (bureau.trend_rebuild), the increments add up under concurrency, and `flask
trends rebuild` repairs data written around the writers, audited, and only when something was wrong."""

import threading

import pytest

from basesys.bureau.trend_rebuild import differences, figures_from_rows
from basesys.bureau.trends import trends
from basesys.certificates.models import Certificate
from basesys.certificates.services import finalize as finalize_module
from basesys.certificates.services import finalize_chunk, finalize_course, revoke_certificate
from basesys.core.audit import AuditRecord
from basesys.courses import month_figures
from basesys.courses.month_figures import FIELDS, MonthFigures
from basesys.filing import services as filing
from basesys.rosters.services import decide_roster, submit_roster
from tests.certificates.conftest import attend  # noqa: F401 -- shared fixture
from tests.conftest import at

pytestmark = pytest.mark.usefixtures("clock")


def stored(db, base) -> dict:
    rows = db.session.scalars(db.select(MonthFigures).where(MonthFigures.base_id == base.id))
    return {
        (r.year, r.month): tuple(getattr(r, name) for name in FIELDS)
        for r in rows
        if any(getattr(r, n) for n in FIELDS)
    }


@pytest.fixture
def journey(db, tenants, make_course, make_trainee, enroll, attend, monkeypatch):  # noqa: F811
    """Course A1 of base A through every writer: submitted 03-05, returned 03-20, resubmitted 04-02,
    approved 04-03; three completers of 4 h finalised on 05-20 one trainee per chunk, the one whose
    name no font prints without a certificate until 06-02 (补发); roster accepted 06-10; the second
    trainee's certificate revoked 07-01 (after its hours were recognised)."""
    t = tenants
    rare = make_trainee(name="张𠀀")
    a1 = make_course(
        base=t.base_a, status="draft", title="A1", sessions=[(at("2025-05-20", "09:00"), at("2025-05-20", "12:00"))]
    )
    filing.submit_filing(t.admin_a, a1, now=at("2025-03-05", "10:00"))
    filing.decide_filing(t.officer_a, a1, decision="return", comment="请补充", now=at("2025-03-20", "10:00"))
    filing.submit_filing(t.admin_a, a1, now=at("2025-04-02", "10:00"))
    filing.decide_filing(t.officer_a, a1, decision="approve", comment="", now=at("2025-04-03", "10:00"))
    db.session.commit()
    enroll(a1, t.trainee, t.other_trainee, rare)
    for trainee in (t.trainee, t.other_trainee, rare):
        attend(a1, trainee)
    while not finalize_chunk(t.admin_a, a1, now=at("2025-05-20", "18:00"), size=1):
        pass
    db.session.commit()
    monkeypatch.setattr(finalize_module, "printing_problem", lambda name, course: None)
    assert finalize_course(t.admin_a, a1, now=at("2025-06-02", "10:00"))["certificates"] == 3
    db.session.commit()
    submit_roster(t.admin_a, a1, now=at("2025-06-05", "10:00"))
    decide_roster(t.officer_a, a1, decision="accept", comment="", now=at("2025-06-10", "10:00"))
    db.session.commit()
    revoked = db.session.scalar(db.select(Certificate).where(Certificate.trainee_id == t.other_trainee.id))
    revoke_certificate(t.officer_a, revoked, reason="材料不实", now=at("2025-07-01", "10:00"))
    db.session.commit()
    t.course = a1
    return t


def test_a_journey_through_every_writer_equals_the_rows(db, journey):
    assert differences() == 0 and differences(2025) == 0
    assert stored(db, journey.base_a) == {
        (2025, 3): (1, 0, 1, 0, 0.0, 0.0),  # submitted, returned
        (2025, 4): (1, 1, 0, 0, 0.0, 0.0),  # resubmitted, approved
        (2025, 5): (0, 0, 0, 1, 8.0, 0.0),  # three entries of 4 h and two certificates, one revoked
        (2025, 6): (0, 0, 0, 1, 0.0, 8.0),  # the reissued certificate; 12 h recognised, 4 h void
    }
    result = trends(journey.officer_a, journey.city_a, 2025)
    assert (result.total.trainee_times, result.total.hours_issued, result.total.hours_recognized) == (2, 8.0, 8.0)


def test_the_rows_figures_are_the_same_on_both_sides_of_local_midnight(db, tenants, make_course):
    course = make_course(
        base=tenants.base_b, status="draft", sessions=[(at("2025-06-10", "09:00"), at("2025-06-10", "12:00"))]
    )
    filing.submit_filing(tenants.admin_b, course, now=at("2025-05-01", "00:30"))  # 2025-04-30 16:30 UTC
    db.session.commit()
    assert stored(db, tenants.base_b) == {(2025, 5): (1, 0, 0, 0, 0.0, 0.0)}
    fresh = {(r.year, r.month, r.base_id): r.submitted for r in db.session.execute(figures_from_rows(2025))}
    assert fresh == {(2025, 5, tenants.base_b.id): 1} and differences(2025) == 0


def test_add_merges_changes_and_writes_nothing_when_they_cancel(db, tenants, app):
    from sqlalchemy import event

    base, when = tenants.base_a, at("2025-02-10", "10:00")
    base_id, seen = base.id, []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        month_figures.add_many([(base_id, when, {"trainee_times": 1}), (base_id, when, {"trainee_times": -1})])
        month_figures.add_many([(base_id, when, {"hours_issued": 4.0}), (base_id, when, {"trainee_times": 1})])
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    # The first call cancelled out; the second is one upsert.
    assert [s.split()[0] for s in seen if "month_figures" in s] == ["INSERT"]
    db.session.commit()
    assert stored(db, base) == {(2025, 2): (0, 0, 0, 1, 4.0, 0.0)}
    with pytest.raises(ValueError):
        month_figures.add(base.id, when, trainees=1)


def test_simultaneous_increments_add_up(app, db, tenants):
    base_id, when, threads, errors = tenants.base_a.id, at("2025-08-01", "10:00"), 4, []
    db.session.commit()
    barrier = threading.Barrier(threads)

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                month_figures.add(base_id, when, submitted=1, hours_issued=2.5)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 -- reported by the assertion below
                db.session.rollback()
                errors.append(repr(error))
            finally:
                db.session.remove()

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(60)
    assert errors == []
    db.session.expire_all()
    assert stored(db, tenants.base_a) == {(2025, 8): (4, 0, 0, 0, 10.0, 0.0)}


# --- flask trends rebuild ------------------------------------------------------------------------


@pytest.fixture
def written_around(db, tenants, make_course, make_trainee, enroll, finalize):
    """Rows the writers never saw (as data older than the table): a course finalised directly."""
    course = make_course(base=tenants.base_a, sessions=[(at("2025-05-20", "09:00"), at("2025-05-20", "12:00"))])
    enroll(course, tenants.trainee)
    finalize(course, {tenants.trainee: (4.0, True)}, when=at("2025-05-20", "18:00"), figures=False)
    return tenants


def test_rebuild_repairs_what_predates_the_table_and_audits_it(db, runner, written_around):
    assert differences(2025) == 1 and stored(db, written_around.base_a) == {}
    result = runner.invoke(args=["trends", "rebuild", "--year", "2025"])
    assert result.exit_code == 0 and "1 month rows corrected" in result.output, result.output
    assert stored(db, written_around.base_a) == {(2025, 5): (0, 0, 0, 1, 4.0, 0.0)}
    records = db.session.scalars(db.select(AuditRecord).where(AuditRecord.action == "trends.rebuild")).all()
    assert [r.after for r in records] == [{"period": "2025年", "corrected": 1}]
    again = runner.invoke(args=["trends", "rebuild"])
    assert again.exit_code == 0 and "already right" in again.output
    assert db.session.scalar(db.select(db.func.count()).where(AuditRecord.action == "trends.rebuild")) == 1


def test_rebuild_of_one_year_leaves_the_others(db, runner, written_around):
    month_figures.add(written_around.base_a.id, at("2024-03-01", "10:00"), approved=5)  # wrong, but not 2025's
    db.session.commit()
    assert runner.invoke(args=["trends", "rebuild", "--year", "2025"]).exit_code == 0
    assert stored(db, written_around.base_a)[(2024, 3)] == (0, 5, 0, 0, 0.0, 0.0)
    assert runner.invoke(args=["trends", "rebuild"]).exit_code == 0
    assert (2024, 3) not in stored(db, written_around.base_a) and differences() == 0


@pytest.mark.parametrize("year", ["1999", "abc"])
def test_rebuild_refuses_a_year_out_of_range(runner, year):
    result = runner.invoke(args=["trends", "rebuild", "--year", year])
    assert result.exit_code == 2


def test_the_audit_log_reads_the_rebuild_as_a_sentence(db, runner, written_around):
    from basesys.core.audit_text import entry

    runner.invoke(args=["trends", "rebuild", "--year", "2025"])
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "trends.rebuild"))
    assert entry(record, links=False).text == "系统 按业务记录重建了趋势统计（2025年，更正 1 行）"


def test_the_page_says_trainee_times(client, login, journey):
    login(journey.officer_a)
    page = client.get("/bureau/trends?year=2025").get_data(as_text=True)
    assert "培训人次" in page and "培训人数" not in page


def test_the_demo_data_keeps_the_figures_equal_to_the_rows(db, now):
    from basesys.core.cli import load_demo

    load_demo(now)
    db.session.commit()
    assert differences() == 0
    assert db.session.scalar(db.select(db.func.sum(MonthFigures.trainee_times))) > 0
