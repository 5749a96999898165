"""Staff-scan batches sent at once (a scanner resending while its first send is still running, two
scanners with overlapping queues): each client id is stored once and answered alike, on SQLite and
PostgreSQL, and batches touching the same trainees in opposite orders never deadlock."""

import threading
import uuid
from collections import Counter

from basesys.attendance import services
from basesys.attendance.models import Attendance, StaffScan
from basesys.core.policy import DEFAULT_POLICY
from basesys.core.time import LOCAL_TZ
from basesys.courses.models import CourseSession
from tests.conftest import at

THREADS = 6


def send_at_once(app, db, session_id, admin_id, batches, now):
    """Each batch in its own thread, app context and transaction, all released together."""
    from basesys.accounts.models import User

    db.session.commit()
    barrier = threading.Barrier(len(batches))
    answers, failures, lock = [], [], threading.Lock()

    def worker(batch):
        with app.app_context():
            try:
                course_session = db.session.get(CourseSession, session_id)
                admin = db.session.get(User, admin_id)
                db.session.commit()
                barrier.wait()
                got = services.record_staff_scans(
                    admin, course_session, sent_at=now, scans=batch, now=now, policy=DEFAULT_POLICY
                )
                db.session.commit()
                with lock:
                    answers.append(got)
            except Exception as exc:  # noqa: BLE001 -- reported by the test
                with lock:
                    failures.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    db.session.rollback()  # the test's own snapshot predates the threads' commits
    return answers, failures


def scans_for(trainees, now):
    return [
        services.StaffScanInput(client_id=str(uuid.uuid4()), purpose="in", scanned_at=now, id_number=t.id_number)
        for t in trainees
    ]


def test_the_same_batch_sent_at_once_is_stored_once(app, db, running_course, tenants, make_trainee, enroll, now):
    trainees = [make_trainee(name=f"学员{i}") for i in range(20)]
    enroll(running_course, *trainees)
    batch = scans_for(trainees, now)
    answers, failures = send_at_once(app, db, running_course.sessions[0].id, tenants.admin_a.id, [batch] * THREADS, now)
    assert not failures and len(answers) == THREADS
    fresh = Counter(answer.replayed for got in answers for answer in got)
    assert fresh == {False: len(batch), True: len(batch) * (THREADS - 1)}
    for got in answers:  # every send answers the same results
        assert [(a.client_id, a.result, a.at, a.trainee_id) for a in got] == [
            (a.client_id, a.result, a.at, a.trainee_id) for a in answers[0]
        ]
    assert {str(a.result) for got in answers for a in got} == {"checked_in"}
    assert db.session.scalar(db.select(db.func.count()).select_from(StaffScan)) == len(batch)
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == len(batch)


def test_overlapping_batches_in_opposite_orders_do_not_deadlock(app, db, running_course, tenants, make_trainee, enroll):
    now = at("2025-06-02", "12:05").astimezone(LOCAL_TZ)
    trainees = [make_trainee(name=f"学员{i}") for i in range(12)]
    enroll(running_course, *trainees)

    def outs(people):
        return [
            services.StaffScanInput(client_id=str(uuid.uuid4()), purpose="out", scanned_at=now, id_number=t.id_number)
            for t in people
        ]

    batches = [outs(trainees if n % 2 else list(reversed(trainees))) for n in range(THREADS)]
    answers, failures = send_at_once(app, db, running_course.sessions[0].id, tenants.admin_a.id, batches, now)
    assert not failures and len(answers) == THREADS
    assert db.session.scalar(db.select(db.func.count()).select_from(StaffScan)) == len(trainees) * THREADS
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == len(trainees)
