"""The one scan sequence of the scan page, the code page and the API (attendance/transactions.py)."""

from basesys.attendance import services
from basesys.attendance.models import Attendance, ScanAnswer, ScanRefusal, ScanVia
from basesys.attendance.transactions import perform_scan
from basesys.core.policy import DEFAULT_POLICY
from tests.conftest import at


def token_at(course_session, moment):
    return services.issue_code(course_session, "in", now=moment, policy=DEFAULT_POLICY).token


def test_perform_scan_commits_the_check_in(db, running_course, tenants):
    course_session, moment = running_course.sessions[0], at("2025-06-02", "08:55")
    outcome = perform_scan(
        tenants.trainee, token=token_at(course_session, moment), device_id="p", now=moment, via=ScanVia.WEB
    )
    assert outcome.refusal is None and outcome.result.result == ScanAnswer.CHECKED_IN
    db.session.rollback()  # nothing is left for the caller to commit
    assert db.session.get(Attendance, outcome.result.attendance_id).check_in_at == moment


def test_perform_scan_returns_the_refusal_and_keeps_its_log(db, running_course, tenants):
    course_session, moment = running_course.sessions[0], at("2025-06-02", "12:30")
    outcome = perform_scan(
        tenants.trainee, token=token_at(course_session, moment), device_id="p", now=moment, via=ScanVia.API
    )
    assert outcome.result is None and outcome.refusal.code == "outside_window"
    db.session.rollback()
    logged = db.session.scalar(db.select(ScanRefusal))
    assert (logged.code, logged.via) == ("outside_window", ScanVia.API)
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == 0


def test_a_wrong_numeric_code_is_logged_as_typed(db, running_course, tenants):
    course_session, moment = running_course.sessions[0], at("2025-06-02", "08:55")
    code = services.issue_code(course_session, "in", now=moment, policy=DEFAULT_POLICY).code
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    outcome = perform_scan(
        tenants.trainee, session_id=course_session.id, code=wrong, device_id="p", now=moment, via=ScanVia.WEB
    )
    assert outcome.refusal.code == "token_invalid"
    db.session.rollback()
    assert db.session.scalar(db.select(ScanRefusal)).via == ScanVia.CODE
