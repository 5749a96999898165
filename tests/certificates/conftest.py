"""Fixtures: a finished course with attendance, so finalisation has completers and non-completers."""

import itertools

import pytest

from tests.conftest import at
from tests.rosters.conftest import finalize  # noqa: F401 -- test_views: a history of certificates, written directly


@pytest.fixture
def attend(db, now):
    """Write attendance rows directly: attend(course, trainee, sessions=None, check_in=..., check_out=...).

    By default the trainee is present for the whole of every session."""
    from basesys.attendance.models import Attendance

    def do(course, trainee, sessions=None, *, late_minutes=0, check_out=True):
        from datetime import timedelta

        rows = []
        for course_session in sessions if sessions is not None else course.sessions:
            rows.append(
                Attendance(
                    session_id=course_session.id,
                    trainee_id=trainee.id,
                    check_in_at=course_session.starts_at + timedelta(minutes=late_minutes),
                    check_out_at=course_session.ends_at if check_out else None,
                    created_at=now,
                    updated_at=now,
                )
            )
        db.session.add_all(rows)
        db.session.commit()
        return rows

    return do


@pytest.fixture
def finished(tenants, make_course, enroll, attend):
    """A two-day course of base A (2025-05-26/27, 8 h each = 16 h planned) that ended before `now`:
    `trainee` attended everything, `other_trainee` only the first day (8 of 16 h: not completed)."""
    course = make_course(
        base=tenants.base_a,
        title="2025年专业技术人员专业科目培训班",
        sessions=[
            (at("2025-05-26", "08:30"), at("2025-05-26", "12:00")),
            (at("2025-05-26", "13:30"), at("2025-05-26", "17:00")),
            (at("2025-05-27", "08:30"), at("2025-05-27", "12:00")),
            (at("2025-05-27", "13:30"), at("2025-05-27", "17:00")),
        ],
    )
    enroll(course, tenants.trainee, tenants.other_trainee)
    attend(course, tenants.trainee)
    attend(course, tenants.other_trainee, course.sessions[:2])
    tenants.course = course
    return tenants


@pytest.fixture
def finalized(db, finished, now):
    """`finished`, finalised by its base admin; `tenants.certificate` is the trainee's certificate."""
    from basesys.certificates.models import Certificate
    from basesys.certificates.services import finalize_course

    finalize_course(finished.admin_a, finished.course, now=now)
    db.session.commit()
    finished.certificate = db.session.scalar(
        db.select(Certificate).where(Certificate.trainee_id == finished.trainee.id)
    )
    return finished


def count(model, *where):
    from basesys.extensions import db

    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


_titles = itertools.count(1)


@pytest.fixture
def declared(db, now):
    """declared(trainee, bureau, hours=10, category="professional", year=2025, status="recognized",
    months_at_work=None) → the Declaration; with `months_at_work` a RequirementReduction instead of
    a ledger entry (a long absence changes the requirement, not hours)."""
    from basesys.certificates.models import LedgerEntry, LedgerSource, RequirementReduction
    from basesys.declarations.models import Declaration, DeclarationKind, DeclarationStatus, RuleSet

    def make(
        trainee,
        bureau,
        *,
        hours=10.0,
        category="professional",
        year=2025,
        status="recognized",
        months_at_work=None,
        title=None,
        void=False,
    ):
        rule_set = db.session.scalar(db.select(RuleSet).where(RuleSet.bureau_id == bureau.id, RuleSet.year == year))
        if rule_set is None:
            rule_set = RuleSet(
                bureau_id=bureau.id,
                year=year,
                name=f"{year}年学时折算标准",
                rules={},
                source_sha256="0" * 64,
                loaded_at=now,
            )
            db.session.add(rule_set)
        title = title or f"科研成果 · 论文第{next(_titles)}篇"
        kind = DeclarationKind.REQUIREMENT if months_at_work is not None else DeclarationKind.HOURS
        declaration = Declaration(
            trainee_id=trainee.id,
            year=year,
            bureau_id=bureau.id,
            rule_set=rule_set,
            kind=kind,
            rule="achievement" if months_at_work is None else "absence",
            option="paper" if months_at_work is None else "abroad",
            category=category,
            quantity=1,
            title=title,
            claimed_professional=hours if category == "professional" else 0,
            claimed_public=hours if category == "public" else 0,
            months_at_work=months_at_work,
            status=DeclarationStatus.RECOGNIZED,
            submitted_at=now,
            decided_at=now,
            created_at=now,
        )
        db.session.add(declaration)
        db.session.flush()
        if months_at_work is not None:
            db.session.add(
                RequirementReduction(
                    trainee_id=trainee.id,
                    year=year,
                    declaration_id=declaration.id,
                    months_at_work=months_at_work,
                    void=void,
                    created_at=now,
                )
            )
        else:
            db.session.add(
                LedgerEntry(
                    source=LedgerSource.DECLARATION,
                    declaration_id=declaration.id,
                    trainee_id=trainee.id,
                    year=year,
                    category=category,
                    hours=hours,
                    status=status,
                    title=title,
                    issued_at=now,
                    recognized_at=now,
                    voided_at=now if status == "void" else None,
                )
            )
        db.session.commit()
        return declaration

    return make
