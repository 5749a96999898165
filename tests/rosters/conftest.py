"""Roster fixtures: a finalised course written directly (as finalisation leaves it), so these tests
depend on the certificates models only, not on the attendance and finalisation code paths."""

import itertools
from datetime import datetime

import pytest

from tests.conftest import at

_numbers = itertools.count(1)


@pytest.fixture
def finalize(db):
    """Mark a course finalised at `when` with results: {trainee: (credited_hours, completed)};
    `figures=False`: without adding to the month table (rows older than it)."""
    from basesys.certificates.models import Certificate, CourseResult, LedgerEntry
    from basesys.core.time import local_date
    from basesys.courses import month_figures

    def do(course, results: dict, when: datetime | None = None, figures: bool = True):
        when = when or course.ends_at
        year = local_date(course.sessions[-1].starts_at).year
        for trainee, (hours, completed) in results.items():
            certificate = None
            if completed:
                n = next(_numbers)
                certificate = Certificate(
                    number=f"{year}-{course.base_id:04d}-{n:06d}",
                    check_code=f"C{n:05d}",
                    trainee_id=trainee.id,
                    holder_name=trainee.name,
                    course_id=course.id,
                    base_id=course.base_id,
                    year=year,
                    sequence=n,
                    category=course.category,
                    hours=hours,
                    issued_on=local_date(when),
                    issued_at=when,
                    payload="{}",
                    signature="sig",
                    key_id="test",
                )
                db.session.add(certificate)
                db.session.flush()
                db.session.add(
                    LedgerEntry(
                        trainee_id=trainee.id,
                        course_id=course.id,
                        year=year,
                        category=course.category,
                        hours=hours,
                        status="issued",
                        certificate_id=certificate.id,
                        issued_at=when,
                    )
                )
            db.session.add(
                CourseResult(
                    course_id=course.id,
                    trainee_id=trainee.id,
                    credited_hours=hours,
                    capped_hours=0,
                    completed=completed,
                    certificate_id=certificate.id if certificate else None,
                    created_at=when,
                )
            )
        completers = [hours for hours, completed in results.values() if completed]
        if completers and figures:  # as finalisation keeps the month table (courses.month_figures)
            month_figures.add(course.base_id, when, trainee_times=len(completers), hours_issued=sum(completers))
        course.finalized_at = when
        db.session.commit()
        return course

    return do


@pytest.fixture
def finished(tenants, make_course, make_trainee, enroll, finalize):
    """A course of base A that ended on 2025-05-20 (due 2025-06-19), finalised, with two completers
    (one of them unregistered) and one trainee who did not complete."""
    course = make_course(
        base=tenants.base_a,
        title="安全生产专题培训",
        sessions=[
            (at("2025-05-19", "09:00"), at("2025-05-19", "12:00")),
            (at("2025-05-20", "09:00"), at("2025-05-20", "12:00")),
        ],
    )
    unregistered = make_trainee(name="赵六", registered=False, employer="枣庄市立医院", series="卫生", title="主治医师")
    enroll(course, tenants.trainee, unregistered, tenants.other_trainee)
    finalize(
        course,
        {tenants.trainee: (8.0, True), unregistered: (8.0, True), tenants.other_trainee: (4.0, False)},
        when=at("2025-05-20", "14:00"),
    )
    course.unregistered = unregistered
    return course
