"""The review chain: the employer first, then the bureau; returns with a reason and resubmission;
caps re-checked at approval; expert service under the daily cap with course hours of the same
date; a pending declaration follows the trainee's new employer."""

from datetime import date

import pytest

from basesys.accounts.signals import trainee_employer_changed
from basesys.attendance.models import CreditedDay
from basesys.certificates.models import CourseResult, LedgerEntry
from basesys.certificates.services import finalize_course
from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError, NotFound
from basesys.declarations import services
from basesys.declarations.models import DeclarationStatus, DeclarationStep
from basesys.extensions import db
from tests.conftest import at
from tests.declarations.conftest import NOW, approve, declare, upload


def decide(user, declaration, decision="approve", comment=""):
    result = services.decide_declaration(user, declaration, decision=decision, comment=comment, now=NOW)
    db.session.commit()
    return result


def test_the_employer_reviews_first_then_the_bureau_recognises(decl):
    declaration = declare(decl.trainee, "qualification", "passed")
    assert (declaration.status, declaration.stage) == ("submitted", "employer")
    with pytest.raises(DomainError) as error:
        decide(decl.officer_b, declaration)
    assert error.value.code == "wrong_stage"
    decide(decl.reviewer_jn, declaration)
    assert (declaration.status, declaration.stage) == ("employer_approved", "bureau")
    with pytest.raises(DomainError) as error:
        decide(decl.reviewer_jn, declaration)
    assert error.value.code == "wrong_stage"
    decide(decl.officer_b, declaration)
    assert declaration.status == DeclarationStatus.RECOGNIZED and declaration.hours_granted == 16.0
    entry = db.session.scalar(db.select(LedgerEntry).where(LedgerEntry.declaration_id == declaration.id))
    assert (entry.source, entry.status, entry.year) == ("declaration", "recognized", 2025)
    assert entry.title.endswith("申报事项")
    actions = [s.action for s in db.session.scalars(db.select(DeclarationStep).order_by(DeclarationStep.id))]
    assert actions == ["submit", "approve", "approve"]
    audited = set(db.session.scalars(db.select(AuditRecord.action)))
    assert {"declaration.submitted", "declaration.employer_approved", "declaration.recognized"} <= audited


def test_a_trainee_without_an_employer_goes_straight_to_the_bureau(decl):
    declaration = declare(decl.free, "foreign_language", "b")
    assert (declaration.employer_id, declaration.stage) == (None, "bureau")
    decide(decl.officer_b, declaration)
    assert declaration.status == "recognized" and declaration.hours_granted == 20.0


def test_a_province_officer_decides_for_the_city_but_not_another_city(decl):
    declaration = declare(decl.free, "foreign_language", "b")
    with pytest.raises(NotFound):
        decide(decl.officer_a, declaration)
    with pytest.raises(NotFound):
        decide(decl.reviewer_jn2, declaration)
    decide(decl.officer_province, declaration)
    assert declaration.status == "recognized"


def test_a_return_needs_a_reason_and_the_trainee_resubmits_the_same_row(decl):
    declaration = declare(decl.trainee, "self_study", "course", 2)
    with pytest.raises(DomainError) as error:
        decide(decl.reviewer_jn, declaration, "return", "  ")
    assert error.value.code == "comment_required"
    decide(decl.reviewer_jn, declaration, "return", "成绩单不清晰")
    assert (declaration.status, declaration.stage, declaration.return_comment) == (
        "returned",
        "employer",
        "成绩单不清晰",
    )
    with pytest.raises(DomainError) as error:
        decide(decl.reviewer_jn, declaration)
    assert error.value.code == "wrong_stage"
    old = declaration.evidence[0]
    new = upload(decl.trainee, name="成绩单.pdf")
    services.resubmit_declaration(
        decl.trainee.user,
        declaration,
        year=2025,
        rule="self_study",
        option="course",
        quantity=3,
        title="自学考试三门",
        evidence_ids=[new.id],
        now=NOW,
    )
    db.session.commit()
    db.session.expire_all()
    assert (declaration.status, declaration.stage, declaration.hours_claimed) == ("submitted", "employer", 30.0)
    assert [e.id for e in declaration.evidence] == [new.id] and old.declaration_id is None
    with pytest.raises(DomainError) as error:
        services.resubmit_declaration(
            decl.trainee.user, declaration, year=2025, rule="self_study", option="course", quantity=3,
            title="x", evidence_ids=[new.id], now=NOW,
        )  # fmt: skip
    assert error.value.code == "wrong_stage"
    approve(declaration, decl.reviewer_jn, decl.officer_b)
    assert declaration.hours_granted == 30.0


def test_an_approval_with_nothing_left_of_the_cap_is_refused(decl):
    """Two declarations pending at once (the second claims more than is left): the second
    recognised first uses the cap up; the first's approvals are refused `cap_used_up`, and the
    reviewer returns it."""
    first = declare(decl.trainee, "achievement", "paper", 2)
    second = declare(decl.trainee, "achievement", "patent", 3)  # 10 left when declared
    rule = services.rules_for_trainee(decl.trainee, 2025).rule("achievement")
    assert services.left_in_cap(decl.trainee, 2025, rule) == 0
    approve(second, decl.reviewer_jn, decl.officer_b)
    assert second.hours_granted == 30.0
    with pytest.raises(DomainError) as error:
        decide(decl.reviewer_jn, first)
    assert error.value.code == "cap_used_up"
    decide(decl.reviewer_jn, first, "return", "本年度成果类学时已满")
    assert first.status == "returned"


def test_the_second_declaration_is_refused_when_pending_ones_use_the_cap_up(decl):
    declare(decl.trainee, "achievement", "paper", 3)
    with pytest.raises(DomainError) as error:
        declare(decl.trainee, "achievement", "patent", 1)
    assert error.value.code == "cap_reached"


# --- expert service and the daily cap -----------------------------------------------------------


def test_expert_service_hours_share_the_daily_cap_with_a_finalised_course(decl, make_course, enroll, attend):
    """A 6-hour course finalised on 2025-05-20 leaves that date 2 hours; the declaration of 8 + 8
    hours on 05-20/21 is granted 2 + 8."""
    course = make_course(base=decl.base_b, sessions=[(at("2025-05-20", "08:00"), at("2025-05-20", "12:30"))])
    enroll(course, decl.trainee)
    attend(course, decl.trainee)
    finalize_course(decl.admin_b, course, now=NOW)
    db.session.commit()
    declaration = declare(
        decl.trainee, "expert_service", "service", 16, started_on=date(2025, 5, 20), ended_on=date(2025, 5, 21)
    )
    assert declaration.hours_claimed == 16.0
    approve(declaration, decl.reviewer_jn, decl.officer_b)
    assert declaration.hours_granted == 10.0 and "核定 10 学时" in declaration.grant_note
    days = dict(
        db.session.execute(
            db.select(CreditedDay.local_date, CreditedDay.hours).where(CreditedDay.declaration_id == declaration.id)
        ).all()
    )
    assert days == {date(2025, 5, 20): 2.0, date(2025, 5, 21): 8.0}


def test_a_course_finalised_after_expert_service_gets_what_the_date_has_left(decl, make_course, enroll, attend):
    declaration = declare(
        decl.trainee, "expert_service", "service", 5, started_on=date(2025, 5, 22), ended_on=date(2025, 5, 22)
    )
    approve(declaration, decl.reviewer_jn, decl.officer_b)
    course = make_course(base=decl.base_b, sessions=[(at("2025-05-22", "08:00"), at("2025-05-22", "12:30"))])
    enroll(course, decl.trainee)
    attend(course, decl.trainee)
    finalize_course(decl.admin_b, course, now=NOW)
    db.session.commit()
    credited = db.session.scalar(db.select(CourseResult.credited_hours).where(CourseResult.course_id == course.id))
    assert credited == 3.0  # 8 − 5 of expert service


def test_expert_service_over_eight_hours_a_day_or_outside_the_year_is_refused(decl):
    for quantity, start, end in ((9, date(2025, 5, 20), date(2025, 5, 20)), (4, date(2024, 12, 31), date(2025, 1, 1))):
        with pytest.raises(DomainError) as error:
            declare(decl.trainee, "expert_service", "service", quantity, started_on=start, ended_on=end)
        assert error.value.code == "validation_failed"


def test_an_expert_service_date_already_full_is_refused_at_approval(decl):
    first = declare(
        decl.trainee, "expert_service", "service", 8, started_on=date(2025, 5, 23), ended_on=date(2025, 5, 23)
    )
    second = declare(
        decl.trainee, "expert_service", "service", 4, started_on=date(2025, 5, 23), ended_on=date(2025, 5, 23)
    )
    approve(first, decl.reviewer_jn, decl.officer_b)
    decide(decl.reviewer_jn, second)
    with pytest.raises(DomainError) as error:
        decide(decl.officer_b, second)
    assert error.value.code == "cap_used_up"


# --- the employer changes ------------------------------------------------------------------------


def test_a_pending_first_review_follows_the_new_employer_and_decided_ones_stay(decl):
    pending = declare(decl.trainee, "qualification", "passed")
    decided = declare(decl.trainee, "foreign_language", "a")
    decide(decl.reviewer_jn, decided)
    decl.trainee.employer_id = decl.employer_jn2.id
    trainee_employer_changed.send(
        decl.trainee, old_employer_id=decl.employer_jn.id, new_employer_id=decl.employer_jn2.id, actor=None, now=NOW
    )
    db.session.commit()
    assert (pending.employer_id, pending.stage) == (decl.employer_jn2.id, "employer")
    assert decided.employer_id == decl.employer_jn.id and decided.stage == "bureau"
    with pytest.raises(NotFound):
        decide(decl.reviewer_jn, pending)
    decide(decl.reviewer_jn2, pending)
    assert pending.status == "employer_approved"
    assert "declaration.moved" in set(db.session.scalars(db.select(AuditRecord.action)))


def test_a_pending_first_review_goes_to_the_bureau_when_the_trainee_has_no_employer_now(decl):
    pending = declare(decl.trainee, "qualification", "passed")
    decl.trainee.employer_id = None
    trainee_employer_changed.send(
        decl.trainee, old_employer_id=decl.employer_jn.id, new_employer_id=None, actor=None, now=NOW
    )
    db.session.commit()
    assert (pending.employer_id, pending.stage) == (None, "bureau")
    steps = [
        s.action
        for s in db.session.scalars(db.select(DeclarationStep).where(DeclarationStep.declaration_id == pending.id))
    ]
    assert steps == ["submit", "move"]
    decide(decl.officer_b, pending)
    assert pending.status == "recognized"


def test_the_trainee_linking_another_employer_moves_what_waits_for_the_first_review(decl):
    """The whole way: accounts' link_employer (the profile page's service) sends the signal the
    declarations feature receives, in the same transaction."""
    from basesys.accounts.services import link_employer

    pending = declare(decl.trainee, "qualification", "passed")
    link_employer(decl.trainee.user, decl.trainee, decl.employer_jn2.credit_code, now=NOW)
    db.session.commit()
    assert (pending.employer_id, pending.stage) == (decl.employer_jn2.id, "employer")
    decide(decl.reviewer_jn2, pending)
    assert pending.status == "employer_approved"


# --- inbox ---------------------------------------------------------------------------------------


def test_the_inbox_lists_what_waits_for_each_reviewer(decl):
    declaration = declare(decl.trainee, "qualification", "passed")
    assert [d.id for d in services.inbox(decl.reviewer_jn).items] == [declaration.id]
    assert services.inbox(decl.reviewer_jn2).total == 0
    assert services.inbox(decl.officer_b).total == 0  # still at the employer
    decide(decl.reviewer_jn, declaration)
    assert services.inbox(decl.reviewer_jn).total == 0
    assert [d.id for d in services.inbox(decl.reviewer_jn, status="decided").items] == [declaration.id]
    assert [d.id for d in services.inbox(decl.officer_b).items] == [declaration.id]
    assert services.inbox(decl.officer_a).total == 0
    assert services.can_decide(decl.officer_b, declaration) and not services.can_decide(decl.officer_a, declaration)


def test_the_trainee_is_told_of_a_return_and_of_a_recognition(decl):
    from basesys.notifications.models import Notification

    declaration = declare(decl.trainee, "qualification", "passed")
    decide(decl.reviewer_jn, declaration, "return", "证书照片不清晰")
    services.resubmit_declaration(
        decl.trainee.user, declaration, year=2025, rule="qualification", option="passed", quantity=1,
        title="注册会计师", evidence_ids=[e.id for e in declaration.evidence], now=NOW,
    )  # fmt: skip
    db.session.commit()
    approve(declaration, decl.reviewer_jn, decl.officer_b)
    notices = db.session.scalars(db.select(Notification).where(Notification.user_id == decl.trainee.user_id)).all()
    assert [(n.kind, n.data.get("comment") or n.data.get("hours")) for n in notices] == [
        ("declaration_returned", "证书照片不清晰"),
        ("declaration_recognized", "16"),
    ]
