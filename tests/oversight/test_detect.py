"""Each kind of DOMAIN.md §14 from a real sequence through the services, thresholds from the
policy, and recomputation that never duplicates, never disagrees with the records, keeps reviews."""

from datetime import timedelta

import pytest

from basesys.attendance.services.manual import record_manual
from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError
from basesys.core.policy import DEFAULT_POLICY, PolicyOverride
from basesys.filing.services import submit_filing
from basesys.oversight.models import Anomaly, AnomalyStatus
from basesys.oversight.services.evidence import anomaly_evidence
from basesys.oversight.services.recompute import recompute_anomalies
from basesys.oversight.services.review import review_anomaly
from basesys.rosters import deadlines
from basesys.rosters.services import submit_roster
from tests.conftest import at

DAY_END = at("2025-06-02", "20:00")


def test_two_trainees_scanning_with_one_phone_on_one_day_is_shared_device(shared_phone, tenants, detect):
    (finding,) = detect(DAY_END, "shared_device")
    assert finding.base_id == tenants.base_a.id and finding.occurred_on.isoformat() == "2025-06-02"
    assert finding.trainee_ids == sorted([tenants.trainee.id, tenants.other_trainee.id])
    assert finding.status == AnomalyStatus.OPEN and "2 名学员" in finding.summary
    evidence = anomaly_evidence(finding)
    assert evidence.device == "phone-1"
    scans = [(trainee.id, row.check_in_at, row.check_in_device) for row, trainee, _s, _c in evidence.rows]
    assert scans == [
        (tenants.trainee.id, at("2025-06-02", "09:00"), "phone-1"),
        (tenants.other_trainee.id, at("2025-06-02", "14:00"), "phone-1"),
    ]


def test_one_phone_on_two_local_dates_is_not_shared_device(make_course, tenants, enroll, scan_in, detect):
    # 23:50 on 2 June and 00:10 on 3 June in Shanghai: two local dates, though 20 minutes apart.
    course = make_course(
        base=tenants.base_a,
        sessions=[
            (at("2025-06-02", "23:30"), at("2025-06-02", "23:59")),
            (at("2025-06-03", "00:05"), at("2025-06-03", "01:00")),
        ],
    )
    enroll(course, tenants.trainee, tenants.other_trainee)
    scan_in(tenants.admin_a, course.sessions[0], tenants.trainee, "phone-1", at("2025-06-02", "23:50"))
    scan_in(tenants.admin_a, course.sessions[1], tenants.other_trainee, "phone-1", at("2025-06-03", "00:10"))
    assert detect(at("2025-06-03", "09:00"), "shared_device") == []


def test_shared_device_threshold_is_the_bases_policy(
    shared_phone, tenants, db, detect, make_course, make_trainee, enroll, scan_in
):
    db.session.add(PolicyOverride(bureau_id=tenants.city_a.id, year=None, values={"shared_device_max_trainees": 2}))
    db.session.commit()
    assert detect(DAY_END, "shared_device") == []
    # The same phone in another course of the base, that evening: a third trainee.
    evening = make_course(base=tenants.base_a, sessions=[(at("2025-06-02", "18:00"), at("2025-06-02", "19:00"))])
    third = make_trainee(name="赵六")
    enroll(evening, third)
    response = scan_in(tenants.admin_a, evening.sessions[0], third, "phone-1", at("2025-06-02", "18:00"))
    assert response.status_code == 200, response.get_json()
    (finding,) = detect(DAY_END, "shared_device")
    assert len(finding.trainee_ids) == 3


def test_overlapping_presence_in_two_courses_is_impossible_presence(make_course, tenants, enroll, scan_in, detect):
    here = make_course(base=tenants.base_a, sessions=[(at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))])
    there = make_course(base=tenants.base_b, sessions=[(at("2025-06-02", "10:00"), at("2025-06-02", "12:00"))])
    enroll(here, tenants.trainee)
    enroll(there, tenants.trainee)
    scan_in(tenants.admin_a, here.sessions[0], tenants.trainee, "phone-1", at("2025-06-02", "09:00"))
    scan_in(tenants.admin_b, there.sessions[0], tenants.trainee, "phone-2", at("2025-06-02", "10:00"))
    (finding,) = detect(DAY_END, "impossible_presence")
    assert {finding.course_id, finding.other_course_id} == {here.id, there.id}
    assert {finding.base_id, finding.other_base_id} == {tenants.base_a.id, tenants.base_b.id}
    assert finding.trainee_ids == [tenants.trainee.id]
    evidence = anomaly_evidence(finding)
    assert {c.id for c in evidence.courses} == {here.id, there.id}
    assert [row.check_in_at for row, *_ in evidence.rows] == [at("2025-06-02", "09:00"), at("2025-06-02", "10:00")]


def test_one_course_after_the_other_is_not_impossible_presence(make_course, tenants, enroll, scan_in, detect):
    morning = make_course(base=tenants.base_a, sessions=[(at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))])
    afternoon = make_course(base=tenants.base_a, sessions=[(at("2025-06-02", "14:00"), at("2025-06-02", "17:00"))])
    enroll(morning, tenants.trainee)
    enroll(afternoon, tenants.trainee)
    scan_in(tenants.admin_a, morning.sessions[0], tenants.trainee, "phone-1", at("2025-06-02", "09:00"))
    scan_in(tenants.admin_a, morning.sessions[0], tenants.trainee, "phone-1", at("2025-06-02", "12:00"), "out")
    scan_in(tenants.admin_a, afternoon.sessions[0], tenants.trainee, "phone-1", at("2025-06-02", "14:00"))
    assert detect(DAY_END, "impossible_presence") == []


def _manual_course(make_course, make_trainee, enroll, scan_in, tenants, db, *, scanned: int, manual: int):
    course = make_course(base=tenants.base_a, sessions=[(at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))])
    trainees = [make_trainee(name=f"学员{i}") for i in range(scanned + manual)]
    enroll(course, *trainees)
    for i, trainee in enumerate(trainees[:scanned]):
        scan_in(tenants.admin_a, course.sessions[0], trainee, f"phone-{i}", at("2025-06-02", "09:00"))
    for trainee in trainees[scanned:]:
        record_manual(
            tenants.admin_a,
            course.sessions[0],
            trainee,
            purpose="in",
            at=at("2025-06-02", "09:00"),
            reason="手机故障",
            now=at("2025-06-02", "12:30"),
            policy=DEFAULT_POLICY,
        )
    db.session.commit()
    return course, trainees


def test_manual_entries_above_the_policy_share_are_manual_share(
    make_course, make_trainee, enroll, scan_in, tenants, db, detect
):
    course, trainees = _manual_course(make_course, make_trainee, enroll, scan_in, tenants, db, scanned=3, manual=1)
    (finding,) = detect(DAY_END, "manual_share")  # 1 of 4: 25 % > 20 %
    assert finding.course_id == course.id and finding.trainee_ids == [trainees[-1].id]
    evidence = anomaly_evidence(finding)
    assert evidence.totals == {"total": 4, "manual": 1, "limit": 0.2}
    assert [trainee.id for _row, trainee, *_ in evidence.rows] == [trainees[-1].id]


def test_manual_entries_at_the_policy_share_are_not_manual_share(
    make_course, make_trainee, enroll, scan_in, tenants, db, detect
):
    _manual_course(make_course, make_trainee, enroll, scan_in, tenants, db, scanned=4, manual=1)  # 1 of 5: 20 %
    assert detect(DAY_END, "manual_share") == []


def test_a_filing_after_the_first_session_started_is_late_filing(make_course, tenants, db, detect):
    course = make_course(base=tenants.base_a, status="draft")  # first session 2025-06-10 09:00
    submit_filing(tenants.admin_a, course, now=at("2025-06-10", "10:00"))
    db.session.commit()
    (finding,) = detect(at("2025-06-10", "11:00"), "late_filing")
    assert finding.course_id == course.id and finding.occurred_on.isoformat() == "2025-06-10"
    assert anomaly_evidence(finding).courses == [course]


def test_a_roster_past_its_due_date_is_roster_overdue_and_stays_so_when_submitted_late(finished, tenants, db, detect):
    deadlines.open_finalized_rosters(at("2025-05-21", "09:00"))
    db.session.commit()
    assert detect(at("2025-06-19", "20:00"), "roster_overdue") == []  # due on 2025-06-19
    (finding,) = detect(at("2025-06-20", "09:00"), "roster_overdue")
    assert finding.course_id == finished.id and "逾期未报送" in finding.summary
    assert anomaly_evidence(finding).roster.due_on.isoformat() == "2025-06-19"
    submit_roster(tenants.admin_a, finished, now=at("2025-06-21", "09:00"))
    db.session.commit()
    (again,) = detect(at("2025-06-21", "10:00"), "roster_overdue")
    assert again.id == finding.id and "2025-06-21 才报送" in again.summary


def test_recomputing_changes_nothing_the_second_time(shared_phone, tenants, db, detect):
    first = detect(DAY_END)
    result = recompute_anomalies(None, now=DAY_END + timedelta(hours=1))
    assert (result.added, result.changed, result.removed) == (0, 0, 0)
    assert [a.id for a in detect(DAY_END + timedelta(hours=2))] == [a.id for a in first]
    assert db.session.scalar(db.select(db.func.count()).select_from(Anomaly)) == len(first)


def test_a_review_is_audited_and_survives_recomputation(shared_phone, tenants, db, detect):
    (finding,) = detect(DAY_END, "shared_device")
    review_anomaly(tenants.officer_a, finding, comment="已电话核实：学员借用同事手机", now=DAY_END)
    db.session.commit()
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "anomaly.review"))
    assert record.object_id == finding.id and record.reason == "已电话核实：学员借用同事手机"
    assert record.base_id == tenants.base_a.id and record.actor_id == tenants.officer_a.id
    (again,) = detect(DAY_END + timedelta(days=1), "shared_device")
    assert again.id == finding.id and again.status == AnomalyStatus.REVIEWED
    assert again.review_comment == "已电话核实：学员借用同事手机"


def test_a_review_needs_a_comment_and_happens_once(shared_phone, tenants, db, detect):
    (finding,) = detect(DAY_END, "shared_device")
    with pytest.raises(DomainError) as error:
        review_anomaly(tenants.officer_a, finding, comment="  ", now=DAY_END)
    assert error.value.code == "comment_required" and error.value.status == 422
    review_anomaly(tenants.officer_a, finding, comment="已核实", now=DAY_END)
    with pytest.raises(DomainError) as error:
        review_anomaly(tenants.officer_a, finding, comment="再次", now=DAY_END)
    assert error.value.code == "anomaly_already_reviewed"


def test_an_open_finding_the_records_no_longer_show_is_removed(shared_phone, tenants, db, detect):
    assert len(detect(DAY_END, "shared_device")) == 1
    db.session.add(PolicyOverride(bureau_id=None, year=None, values={"shared_device_max_trainees": 5}))
    db.session.commit()
    assert detect(DAY_END, "shared_device") == []


def test_an_officers_recompute_touches_its_scope_only(shared_phone, make_course, tenants, db, detect):
    detect(DAY_END)
    result = recompute_anomalies(tenants.officer_b, now=DAY_END)
    db.session.commit()
    assert result.found == 0 and result.removed == 0  # city B sees nothing, removes nothing of city A
    assert len(detect(DAY_END, "shared_device")) == 1
