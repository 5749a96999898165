"""Enrolment (DOMAIN.md §5): by the base (one by one), by the trainee, capacity, the catalog."""

import pytest

from basesys.accounts.models import Trainee
from basesys.accounts.services import register_trainee
from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError, ValidationFailed
from basesys.courses.models import Enrollment
from basesys.courses.services import (
    catalog_page,
    enroll_self,
    enroll_trainee,
    is_in_catalog,
    trainee_courses_page,
    upcoming_trainee_courses,
)
from tests.conftest import PASSWORD, at, valid_id_number


def test_admin_enrols_a_registered_trainee_by_id_number(db, now, tenants, make_course):
    course = make_course(base=tenants.base_a, status="draft")
    enrollment = enroll_trainee(tenants.admin_a, course, id_number=tenants.trainee.id_number.lower(), now=now)
    db.session.commit()
    assert (enrollment.trainee_id, enrollment.source, enrollment.enrolled_by_id) == (
        tenants.trainee.id,
        "admin",
        tenants.admin_a.id,
    )
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "enrollment.created"))
    assert record.after["trainee_id"] == tenants.trainee.id and record.base_id == tenants.base_a.id


def test_admin_enrols_someone_not_registered_yet_who_later_claims_the_record(db, now, tenants, make_course):
    course = make_course(base=tenants.base_a, status="draft")  # the roster is prepared before filing
    number = valid_id_number()
    enroll_trainee(tenants.admin_a, course, id_number=number, name="赵六", employer="枣庄医院", now=now)
    db.session.commit()
    trainee = db.session.scalar(db.select(Trainee).where(Trainee.id_number == number))
    assert trainee.name == "赵六" and not trainee.registered and trainee.bureau_id == tenants.city_a.id
    claimed = register_trainee(id_number=number, name="赵六", password=PASSWORD, phone="13900000000", now=now)
    assert claimed.id == trainee.id and trainee_courses_page(claimed, limit=10).items == [course]


def test_unknown_id_number_without_a_name_is_refused(db, now, tenants, make_course):
    course = make_course(base=tenants.base_a)
    with pytest.raises(ValidationFailed) as error:
        enroll_trainee(tenants.admin_a, course, id_number=valid_id_number(), now=now)
    assert error.value.code == "trainee_unknown" and error.value.status == 422


def test_bad_id_number_is_refused(db, now, tenants, make_course):
    course = make_course(base=tenants.base_a)
    with pytest.raises(ValidationFailed) as error:
        enroll_trainee(tenants.admin_a, course, id_number="370402198001011234", name="某人", now=now)
    assert error.value.code == "invalid_id_number"


def test_a_name_differing_from_the_registered_one_is_refused(db, now, tenants, make_course):
    course = make_course(base=tenants.base_a)
    with pytest.raises(ValidationFailed) as error:
        enroll_trainee(tenants.admin_a, course, id_number=tenants.trainee.id_number, name="别人", now=now)
    assert error.value.code == "name_mismatch"


def test_enrolling_twice_is_refused(db, now, tenants, make_course):
    course = make_course(base=tenants.base_a)
    enroll_trainee(tenants.admin_a, course, id_number=tenants.trainee.id_number, now=now)
    with pytest.raises(DomainError) as error:
        enroll_trainee(tenants.admin_a, course, id_number=tenants.trainee.id_number, now=now)
    assert error.value.code == "already_enrolled" and error.value.status == 409


def test_capacity_is_a_hard_limit(db, now, tenants, make_course):
    course = make_course(base=tenants.base_a, capacity=1)
    enroll_trainee(tenants.admin_a, course, id_number=tenants.trainee.id_number, now=now)
    with pytest.raises(DomainError) as error:
        enroll_trainee(tenants.admin_a, course, id_number=tenants.other_trainee.id_number, now=now)
    assert error.value.code == "course_full"
    with pytest.raises(DomainError):
        enroll_self(tenants.other_trainee.user, tenants.other_trainee, course, now=now)


def test_capacity_refuses_before_creating_a_trainee_record(db, now, tenants, make_course, enroll):
    course = make_course(base=tenants.base_a, capacity=1)
    enroll(course, tenants.trainee)
    number = valid_id_number()
    with pytest.raises(DomainError) as error:
        enroll_trainee(tenants.admin_a, course, id_number=number, name="新人", now=now)
    assert error.value.code == "course_full"
    db.session.rollback()
    assert db.session.scalar(db.select(Trainee).where(Trainee.id_number == number)) is None


def test_planned_headcount_is_only_a_soft_limit(db, now, tenants, make_course):
    course = make_course(base=tenants.base_a)
    course.planned_headcount = 1
    enroll_trainee(tenants.admin_a, course, id_number=tenants.trainee.id_number, now=now)
    enroll_trainee(tenants.admin_a, course, id_number=tenants.other_trainee.id_number, now=now)
    db.session.commit()
    stored = db.session.scalar(
        db.select(db.func.count()).select_from(Enrollment).where(Enrollment.course_id == course.id)
    )
    assert stored == 2 > course.planned_headcount


def test_a_finalized_course_takes_no_enrolment(db, now, tenants, make_course):
    course = make_course(base=tenants.base_a)
    course.finalized_at = now
    with pytest.raises(DomainError) as error:
        enroll_trainee(tenants.admin_a, course, id_number=tenants.trainee.id_number, now=now)
    assert error.value.code == "course_finalized"


# --- trainees ---------------------------------------------------------------------------------


@pytest.fixture
def city_trainee(make_trainee, tenants):
    return make_trainee(name="城甲", bureau_id=tenants.county_a.id)  # a county of city A


def test_trainee_enrols_in_an_approved_upcoming_course(db, now, tenants, make_course, city_trainee):
    course = make_course(base=tenants.base_a)
    enrollment = enroll_self(city_trainee.user, city_trainee, course, now=now)
    db.session.commit()
    assert enrollment.source == "self"
    assert (
        db.session.scalar(db.select(Enrollment.trainee_id).where(Enrollment.course_id == course.id)) == city_trainee.id
    )


@pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
def test_trainee_cannot_enrol_in_a_course_not_approved(db, now, tenants, make_course, city_trainee, status):
    course = make_course(base=tenants.base_a, status=status)
    with pytest.raises(DomainError) as error:
        enroll_self(city_trainee.user, city_trainee, course, now=now)
    assert error.value.code == "enrolment_closed"


def test_trainee_cannot_enrol_once_the_course_started(db, tenants, make_course, city_trainee):
    course = make_course(base=tenants.base_a)  # starts 2025-06-10 09:00
    with pytest.raises(DomainError) as error:
        enroll_self(city_trainee.user, city_trainee, course, now=at("2025-06-10", "09:00"))
    assert error.value.code == "enrolment_closed"
    assert enroll_self(city_trainee.user, city_trainee, course, now=at("2025-06-10", "08:59"))


def test_trainee_enrolling_twice_gets_already_enrolled(db, now, tenants, make_course, city_trainee):
    course = make_course(base=tenants.base_a)
    enroll_self(city_trainee.user, city_trainee, course, now=now)
    with pytest.raises(DomainError) as error:
        enroll_self(city_trainee.user, city_trainee, course, now=now)
    assert error.value.code == "already_enrolled"


def test_catalog_lists_approved_upcoming_courses_of_the_trainees_city(db, now, tenants, make_course, city_trainee):
    later = make_course(base=tenants.base_a, sessions=[(at("2025-06-20", "09:00"), at("2025-06-20", "12:00"))])
    sooner = make_course(base=tenants.base_county)
    make_course(base=tenants.base_a, status="submitted")
    make_course(base=tenants.base_a, sessions=[(at("2025-06-01", "09:00"), at("2025-06-01", "12:00"))])  # past
    other_city = make_course(base=tenants.base_b)
    assert catalog_page(city_trainee, now=now, limit=10).items == [sooner, later]
    assert is_in_catalog(city_trainee, later) and not is_in_catalog(city_trainee, other_city)


def test_a_trainee_without_a_city_sees_every_approved_course(db, now, tenants, make_course):
    a, b = make_course(base=tenants.base_a), make_course(base=tenants.base_b)
    assert tenants.trainee.bureau_id is None
    assert set(catalog_page(tenants.trainee, now=now, limit=10).items) == {a, b}


def test_the_catalog_pages_soonest_first_in_the_trainees_city(db, now, tenants, make_course, city_trainee):
    days = [f"2025-06-{day:02d}" for day in range(10, 17)]
    courses = [make_course(base=tenants.base_a, sessions=[(at(day, "09:00"), at(day, "12:00"))]) for day in days]
    make_course(base=tenants.base_b)  # another city
    first = catalog_page(city_trainee, now=now, limit=3)
    second = catalog_page(city_trainee, now=now, limit=3, after=first.next)
    third = catalog_page(city_trainee, now=now, limit=3, after=second.next)
    assert first.items + second.items + third.items == courses and third.next is None


def test_my_courses_page_latest_first_and_the_upcoming_ones_soonest_first(db, now, tenants, make_course, enroll):
    days = ["2025-05-01", "2025-05-20", "2025-06-01", "2025-06-03", "2025-06-20"]
    past_1, past_2, yesterday, soon, later = [
        make_course(base=tenants.base_a, sessions=[(at(day, "09:00"), at(day, "12:00"))]) for day in days
    ]
    undated = make_course(base=tenants.base_a)
    undated.sessions.clear()
    db.session.commit()
    for course in (past_1, past_2, yesterday, soon, later, undated):
        enroll(course, tenants.trainee)
    enroll(make_course(base=tenants.base_a), tenants.other_trainee)
    first = trainee_courses_page(tenants.trainee, limit=4)
    rest = trainee_courses_page(tenants.trainee, limit=4, after=first.next)
    assert first.items + rest.items == [
        later,
        soon,
        undated,
        yesterday,
        past_2,
        past_1,
    ]  # undated: by its creation and rest.next is None
    assert upcoming_trainee_courses(tenants.trainee, now=now, limit=5) == [soon, later, undated]
    assert upcoming_trainee_courses(tenants.trainee, now=now, limit=1) == [soon]


def test_simultaneous_last_place_enrolments_admit_one(app, db, now, tenants, make_course, make_trainee):
    import threading

    from basesys.accounts.models import Trainee as TraineeModel
    from basesys.courses.models import Course

    course = make_course(base=tenants.base_a, capacity=1)
    people = [make_trainee(name=f"抢位{i}", bureau_id=tenants.city_a.id) for i in range(4)]
    ids, course_id = [p.id for p in people], course.id
    barrier, outcomes = threading.Barrier(len(ids)), []

    def run(trainee_id):
        from basesys.core.database import lock_at_begin

        with app.app_context():
            lock_at_begin(True)
            try:
                barrier.wait()
                trainee = db.session.get(TraineeModel, trainee_id)
                enroll_self(trainee.user, trainee, db.session.get(Course, course_id), now=now)
                db.session.commit()
                outcomes.append("enrolled")
            except DomainError as error:
                db.session.rollback()
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["course_full"] * 3 + ["enrolled"]
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Enrollment)) == 1


def test_admin_removes_an_enrolment_before_the_start(db, now, tenants, make_course, enroll):
    from basesys.courses.services import remove_enrollment

    course = make_course(base=tenants.base_a)
    (enrollment,) = enroll(course, tenants.trainee)
    remove_enrollment(tenants.admin_a, enrollment, now=now)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Enrollment)) == 0
    assert (
        db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "enrollment.removed")).before["trainee_id"]
        == tenants.trainee.id
    )


def test_enrolments_are_locked_once_the_course_started(db, tenants, make_course, enroll):
    from basesys.courses.services import remove_enrollment

    course = make_course(base=tenants.base_a)
    (enrollment,) = enroll(course, tenants.trainee)
    with pytest.raises(DomainError) as error:
        remove_enrollment(tenants.admin_a, enrollment, now=at("2025-06-10", "09:00"))
    assert error.value.code == "enrolment_locked"


def test_a_given_phone_must_be_a_phone_and_an_empty_one_is_fine(db, now, tenants, make_course):
    course = make_course(base=tenants.base_a, status="draft")
    with pytest.raises(ValidationFailed) as error:
        enroll_trainee(tenants.admin_a, course, id_number=valid_id_number(), name="赵六", phone="12345", now=now)
    assert error.value.code == "validation_failed" and set(error.value.fields) == {"phone"}
    db.session.rollback()
    enroll_trainee(tenants.admin_a, course, id_number=valid_id_number(), name="赵七", phone="", now=now)
    enroll_trainee(tenants.admin_a, course, id_number=valid_id_number(), name="赵八", phone="13900000000", now=now)
