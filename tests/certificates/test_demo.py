"""Demo certificates: the past course finalised, 张伟 with a certificate, one revoked certificate."""

from datetime import timedelta

from basesys.attendance import demo as attendance_demo
from basesys.certificates import demo
from basesys.certificates.models import Certificate, CourseResult


def test_demo_finalises_the_past_course_and_revokes_one(db, tenants, make_course, make_trainee, enroll, now):
    trainees = [make_trainee(name=f"学员{i}") for i in range(12)]
    day = now - timedelta(days=3)
    past = make_course(
        base=tenants.base_a,
        sessions=[(day.replace(hour=9), day.replace(hour=12)), (day.replace(hour=14), day.replace(hour=17))],
    )
    enroll(past, *trainees)
    ctx = {
        "courses": {"approved_past": past},
        "trainees": trainees,
        "users": {"admin_zz": tenants.admin_a, "officer_zz": tenants.officer_a},
        "base_zz": tenants.base_a,
    }
    attendance_demo.load(ctx, now)
    demo.load(ctx, now)
    db.session.commit()
    assert past.finalized_at == now
    assert db.session.scalar(db.select(db.func.count()).select_from(CourseResult)) == 12
    statuses = list(db.session.scalars(db.select(Certificate.status)))
    assert statuses.count("revoked") == 1 and statuses.count("valid") >= 8
    mine = db.session.scalars(db.select(Certificate).where(Certificate.trainee_id == trainees[0].id)).all()
    assert mine and mine[0].status == "valid"


def test_demo_gives_the_first_trainee_a_certificate_even_without_a_past_course(db, tenants, make_trainee, now):
    trainees = [make_trainee(name="张伟"), make_trainee(name="王芳")]
    ctx = {"trainees": trainees, "users": {"admin_zz": tenants.admin_a}, "base_zz": tenants.base_a}
    demo.load(ctx, now)
    db.session.commit()
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.trainee_id == trainees[0].id))
    assert certificate is not None and certificate.category == "public" and certificate.hours == 4.0
