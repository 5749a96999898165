"""Simultaneous finalisations (the admin's button and the scheduler; two courses of one base):
the course row lock and the sequence row settle them, on SQLite and PostgreSQL."""

import threading

from basesys.accounts.models import User
from basesys.certificates.models import Certificate, CourseResult, LedgerEntry
from basesys.certificates.services import finalize_course
from basesys.courses.models import Course
from tests.certificates.conftest import count
from tests.conftest import at

THREADS = 4


def race(app, db, jobs, now):
    """Run finalize_course(course_id, actor_id) for every job at once, each in its own app context."""
    barrier = threading.Barrier(len(jobs))
    results, errors, lock = [], [], threading.Lock()

    def worker(course_id, actor_id):
        with app.app_context():
            try:
                course, actor = db.session.get(Course, course_id), db.session.get(User, actor_id)
                db.session.commit()
                barrier.wait()
                totals = finalize_course(actor, course, now=now)
                db.session.commit()
                with lock:
                    results.append((course_id, totals))
            except Exception as error:  # noqa: BLE001 -- reported by the assertion below
                db.session.rollback()
                with lock:
                    errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    return results


def test_simultaneous_finalisations_of_one_course_issue_once(app, db, finished, now):
    jobs = [(finished.course.id, finished.admin_a.id)] * THREADS
    db.session.commit()
    results = race(app, db, jobs, now)
    assert [totals for _id, totals in results] == [{"completed": 1, "not_completed": 1, "certificates": 1}] * THREADS
    assert (count(CourseResult), count(LedgerEntry), count(Certificate)) == (2, 1, 1)


def test_two_courses_of_one_base_get_disjoint_consecutive_numbers(
    app, db, tenants, make_course, make_trainee, enroll, attend, now
):
    trainees = [make_trainee(name=f"学员{i}") for i in range(5)]
    courses = []
    for day in ("2025-05-20", "2025-05-21", "2025-05-22"):
        course = make_course(base=tenants.base_a, sessions=[(at(day, "09:00"), at(day, "12:00"))])
        enroll(course, *trainees)
        for trainee in trainees:
            attend(course, trainee)
        courses.append(course)
    jobs = [(c.id, tenants.admin_a.id) for c in courses]
    db.session.commit()
    race(app, db, jobs, now)
    sequences = sorted(db.session.scalars(db.select(Certificate.sequence)))
    assert sequences == list(range(1, 16))
    for course in courses:  # each course's block is contiguous
        mine = sorted(db.session.scalars(db.select(Certificate.sequence).where(Certificate.course_id == course.id)))
        assert mine == list(range(mine[0], mine[0] + 5))
