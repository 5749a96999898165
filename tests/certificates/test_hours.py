"""A trainee's year (DOMAIN.md §10): requirement from the policy, issued and recognized hours."""

from basesys.certificates.services import hours_summary, hours_totals, recognize_course_entries, revoke_certificate
from basesys.core.policy import PolicyOverride
from tests.conftest import at


def test_hours_summary_counts_issued_and_recognized_separately(db, finalized, make_course, enroll, attend, now):
    t = finalized
    public = make_course(
        base=t.base_b, category="public", sessions=[(at("2025-05-29", "09:00"), at("2025-05-29", "12:00"))]
    )
    enroll(public, t.trainee)
    attend(public, t.trainee)
    from basesys.certificates.services import finalize_course

    finalize_course(t.admin_b, public, now=now)
    recognize_course_entries(t.officer_a, t.course, now=now)
    db.session.commit()
    summary = hours_summary(t.trainee, 2025)
    assert summary.required == {"public": 30.0, "professional": 60.0, "total": 90.0}
    assert summary.recognized == {"public": 0.0, "professional": 16.0, "total": 16.0}
    assert summary.issued == {"public": 4.0, "professional": 0.0, "total": 4.0}
    assert summary.progress["total"] == {"have": 20.0, "need": 90.0, "percent": 22}
    assert [e.course_id for e in summary.entries] == [t.course.id, public.id]
    assert hours_summary(t.trainee, 2024).entries == []
    totals = hours_totals(t.trainee, 2025)  # the home panel's: the same figures, summed in SQL
    assert (totals.required, totals.issued, totals.recognized) == (summary.required, summary.issued, summary.recognized)
    assert totals.progress == summary.progress and totals.entries == []


def test_void_entries_count_for_nothing(db, finalized, now):
    revoke_certificate(finalized.admin_a, finalized.certificate, reason="错误", now=now)
    summary = hours_summary(finalized.trainee, 2025)
    assert summary.issued["total"] == summary.recognized["total"] == 0
    assert [e.status for e in summary.entries] == ["void"] and summary.counted_entries == []
    assert hours_totals(finalized.trainee, 2025).issued == summary.issued


def test_the_requirement_is_the_policy_of_the_trainees_bureau_and_year(db, finalized):
    trainee = finalized.trainee
    trainee.bureau_id = finalized.city_a.id
    db.session.add(PolicyOverride(bureau_id=finalized.city_a.id, year=2025, values={"required_public_hours": 24}))
    db.session.commit()
    assert hours_summary(trainee, 2025).required == {"public": 24.0, "professional": 60.0, "total": 84.0}
    assert hours_summary(trainee, 2026).required["public"] == 30.0
