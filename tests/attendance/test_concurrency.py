"""Simultaneous scans: the database's unique constraints settle races (SQLite and PostgreSQL)."""

import threading
from collections import Counter

from basesys.accounts.models import Trainee
from basesys.attendance import services
from basesys.attendance.models import Attendance
from basesys.core.errors import DomainError
from basesys.core.policy import DEFAULT_POLICY

THREADS = 8


def race(app, db, trainee_ids, devices, token, now):
    """Every thread scans at once in its own app context and transaction, as gunicorn workers would."""
    barrier = threading.Barrier(len(trainee_ids))
    outcomes, lock = [], threading.Lock()

    def worker(trainee_id, device):
        with app.app_context():
            trainee = db.session.get(Trainee, trainee_id)
            db.session.commit()
            barrier.wait()
            try:
                outcome = services.scan(trainee, token=token, device_id=device, now=now).result
            except DomainError as error:
                outcome = error.code
            db.session.commit()
            db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=args) for args in zip(trainee_ids, devices, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return Counter(outcomes)


def test_simultaneous_scans_of_one_trainee_make_one_check_in(app, db, running_course, tenants, now):
    course_session = running_course.sessions[0]
    token = services.issue_code(course_session, "in", now=now, policy=DEFAULT_POLICY).token
    trainee_id = tenants.trainee.id
    db.session.commit()
    outcomes = race(app, db, [trainee_id] * THREADS, [f"phone-{i}" for i in range(THREADS)], token, now)
    assert outcomes == {"checked_in": 1, "already_checked_in": THREADS - 1}
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == 1


def test_one_phone_racing_for_many_trainees_checks_in_one(app, db, running_course, make_trainee, enroll, now):
    trainees = [make_trainee(name=f"学员{i}") for i in range(THREADS)]
    enroll(running_course, *trainees)
    course_session = running_course.sessions[0]
    token = services.issue_code(course_session, "in", now=now, policy=DEFAULT_POLICY).token
    ids = [t.id for t in trainees]
    db.session.commit()
    outcomes = race(app, db, ids, ["one-phone"] * THREADS, token, now)
    assert outcomes == {"checked_in": 1, "device_already_used": THREADS - 1}
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == 1
