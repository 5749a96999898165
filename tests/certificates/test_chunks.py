"""Finalisation in chunks (issue 10, SQLite writer starvation): every chunk commits on its own, so
another writer commits while a long finalisation runs; the guarantees stay (idempotent, crash-safe,
two simultaneous finalisations issue once, same totals)."""

import contextvars
import threading

import pytest

from basesys.accounts.models import User
from basesys.certificates.jobs import finalize_in_chunks
from basesys.certificates.models import Certificate, CourseResult, LedgerEntry
from basesys.certificates.services import finalize as module
from basesys.certificates.services import finalize_course
from basesys.core.audit import AuditRecord
from basesys.core.database import lock_at_begin
from basesys.courses.models import Course
from tests.certificates.conftest import count
from tests.certificates.test_finalize import snapshot
from tests.conftest import at
from tests.statements import counted

TOTALS = {"completed": 1, "not_completed": 1, "certificates": 1}


@pytest.fixture
def big(tenants, make_course, make_trainee, enroll, attend):
    """A one-day course of base A with 7 trainees who all attended (7 completers)."""
    course = make_course(base=tenants.base_a, sessions=[(at("2025-05-20", "09:00"), at("2025-05-20", "12:00"))])
    trainees = [make_trainee(name=f"学员{i}") for i in range(7)]
    enroll(course, *trainees)
    for trainee in trainees:
        attend(course, trainee)
    tenants.course = course
    return tenants


def another_writer(app, db, course_id, user_id, seen, done):
    """In its own thread and connection: write a user row and commit, noting what it saw of the course."""
    with app.app_context():
        try:
            user = db.session.get(User, user_id)
            user.display_name = "改名"
            seen["finalized_at"] = db.session.scalar(db.select(Course.finalized_at).where(Course.id == course_id))
            db.session.commit()
            seen["ok"] = True
        except Exception as error:  # noqa: BLE001 -- reported by the assertion
            db.session.rollback()
            seen["error"] = repr(error)
        finally:
            db.session.remove()
            done.set()


def test_a_scan_or_login_commits_while_the_api_finalises_a_large_course(app, db, client, big, api_headers, monkeypatch):
    """POST /finalize of a course bigger than one chunk: a writer that starts during the first chunk
    commits before the course is finalised (before the fix it waited for the whole run)."""
    monkeypatch.setattr(module, "CHUNK_SIZE", 2, raising=False)
    real_lock, calls, seen, done = module._lock_course, [], {}, threading.Event()
    course_id, user_id = big.course.id, big.officer_a.id
    headers = api_headers(big.admin_a)
    db.session.commit()

    def lock_course(course):
        calls.append(course.id)
        if len(calls) == 2:  # between chunks: let the other writer take its turn first
            db.session.rollback()  # (the driver's read of the course began a transaction)
            done.wait(10)
        locked = real_lock(course)
        if len(calls) == 1:
            threading.Thread(target=another_writer, args=(app, db, course_id, user_id, seen, done)).start()
        return locked

    monkeypatch.setattr(module, "_lock_course", lock_course)
    response = client.post(f"/api/v1/courses/{course_id}/finalize", headers=headers)
    done.wait(10)
    assert response.status_code == 200
    assert response.get_json() == {"completed": 7, "not_completed": 0, "certificates": 7}
    assert seen.get("ok") and "error" not in seen
    assert seen["finalized_at"] is None  # it committed while the finalisation was still running
    assert len(calls) >= 4  # 7 trainees in chunks of 2, then the closing chunk


def test_each_chunk_is_committed_and_the_course_is_marked_last(app, db, big, now):
    progress = []

    def between_chunks():
        with app.app_context():  # what another connection sees
            results = count(CourseResult, CourseResult.course_id == big.course.id)
            finalized = db.session.scalar(db.select(Course.finalized_at).where(Course.id == big.course.id))
            progress.append((results, finalized))
            db.session.remove()

    totals = finalize_in_chunks(big.admin_a, big.course, now=now, size=3, between_chunks=between_chunks)
    assert totals == {"completed": 7, "not_completed": 0, "certificates": 7}
    assert progress == [(3, None), (6, None), (7, None)]
    assert db.session.get(Course, big.course.id).finalized_at == now
    assert count(AuditRecord, AuditRecord.action == "course.finalize") == 1
    numbers = sorted(db.session.scalars(db.select(Certificate.sequence)))
    assert numbers == list(range(1, 8))


def test_chunked_totals_are_those_of_one_run_and_a_second_run_changes_nothing(db, finished, now):
    assert finalize_in_chunks(finished.admin_a, finished.course, now=now, size=1) == TOTALS
    before = snapshot(db)
    assert finalize_in_chunks(finished.admin_a, finished.course, now=now, size=1) == TOTALS
    assert finalize_course(finished.admin_a, finished.course, now=now) == TOTALS
    db.session.commit()
    assert snapshot(db) == before


def test_killed_between_chunks_keeps_whole_trainees_and_the_rerun_completes_without_doubles(db, big, now):
    def killed():
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        finalize_in_chunks(big.admin_a, big.course, now=now, size=3, between_chunks=killed)
    db.session.rollback()
    # the first chunk is committed whole: results, ledger entries and certificates of 3 trainees
    assert (count(CourseResult), count(LedgerEntry), count(Certificate)) == (3, 3, 3)
    assert db.session.get(Course, big.course.id).finalized_at is None
    assert count(AuditRecord, AuditRecord.action == "course.finalize") == 0
    assert finalize_in_chunks(big.admin_a, big.course, now=now, size=3) == {
        "completed": 7,
        "not_completed": 0,
        "certificates": 7,
    }
    assert (count(CourseResult), count(LedgerEntry), count(Certificate)) == (7, 7, 7)
    assert sorted(db.session.scalars(db.select(Certificate.sequence))) == list(range(1, 8))


def test_killed_inside_a_chunk_leaves_that_chunk_out(db, big, now, monkeypatch):
    real, calls = module._new_certificates, []

    def crash(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "_new_certificates", crash)
    with pytest.raises(RuntimeError):
        finalize_in_chunks(big.admin_a, big.course, now=now, size=3)
    db.session.rollback()
    assert (count(CourseResult), count(LedgerEntry), count(Certificate)) == (3, 3, 3)
    monkeypatch.undo()
    assert finalize_in_chunks(big.admin_a, big.course, now=now, size=3)["certificates"] == 7


def test_simultaneous_chunked_finalisations_issue_once(app, db, big, now):
    course_id, admin_id = big.course.id, big.admin_a.id
    db.session.commit()
    barrier, results, errors, lock = threading.Barrier(4), [], [], threading.Lock()

    def worker():
        with app.app_context():
            try:
                course, actor = db.session.get(Course, course_id), db.session.get(User, admin_id)
                db.session.commit()
                barrier.wait()
                totals = finalize_in_chunks(actor, course, now=now, size=2)
                with lock:
                    results.append(totals)
            except Exception as error:  # noqa: BLE001 -- reported by the assertion below
                db.session.rollback()
                with lock:
                    errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert results == [{"completed": 7, "not_completed": 0, "certificates": 7}] * 4
    assert (count(CourseResult), count(LedgerEntry), count(Certificate)) == (7, 7, 7)
    assert count(AuditRecord, AuditRecord.action == "course.finalize") == 1
    assert sorted(db.session.scalars(db.select(Certificate.sequence))) == list(range(1, 8))


def test_the_daily_cap_across_courses_holds_chunk_by_chunk(db, tenants, make_course, make_trainee, enroll, attend, now):
    """Two courses on one day finalised in chunks of one: the second only gets what is left of 8 h."""
    trainees = [make_trainee(name=f"学员{i}") for i in range(3)]
    morning = make_course(base=tenants.base_a, sessions=[(at("2025-05-20", "08:00"), at("2025-05-20", "12:30"))])
    evening = make_course(base=tenants.base_b, sessions=[(at("2025-05-20", "13:00"), at("2025-05-20", "17:30"))])
    for course in (morning, evening):
        enroll(course, *trainees)
        for trainee in trainees:
            attend(course, trainee)
    finalize_in_chunks(tenants.admin_a, morning, now=now, size=1)
    finalize_in_chunks(tenants.admin_b, evening, now=now, size=1)
    rows = db.session.execute(db.select(CourseResult.course_id, CourseResult.credited_hours)).all()
    assert sorted(h for c, h in rows if c == morning.id) == [6.0] * 3
    assert sorted(h for c, h in rows if c == evening.id) == [2.0] * 3


def test_the_scheduler_finalises_in_chunks(db, big, now, monkeypatch):
    from basesys.certificates.jobs import finalize_due_courses

    monkeypatch.setattr(module, "CHUNK_SIZE", 2)
    chunks = []
    real = module.finalize_chunk

    def spy(*args, **kwargs):
        chunks.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "finalize_chunk", spy)
    monkeypatch.setattr("basesys.certificates.services.finalize_chunk", spy)
    assert finalize_due_courses(now).startswith("finalised 1 course(s)")
    assert len(chunks) == 5 and count(Certificate) == 7


def test_the_finalize_page_commits_chunk_by_chunk(app, db, client, login, big, monkeypatch):
    """The base admin's button: every chunk is committed before the next starts (seen from another
    connection), and the page answers as before."""
    monkeypatch.setattr(module, "CHUNK_SIZE", 3)
    real, seen = module._lock_course, []

    def committed_results():
        lock_at_begin(False)  # a reader on another connection: what is committed so far
        with app.app_context():
            seen.append(count(CourseResult, CourseResult.course_id == big.course.id))
            db.session.remove()

    def lock_course(course):
        contextvars.copy_context().run(committed_results)
        return real(course)

    monkeypatch.setattr(module, "_lock_course", lock_course)
    login(big.admin_a)
    response = client.post(f"/courses/{big.course.id}/finalize", data={"confirm": "y"})
    assert response.status_code == 302 and response.location.endswith(f"/courses/{big.course.id}/certificates")
    db.session.rollback()  # a fresh snapshot for the test's own reads
    assert seen == [0, 3, 6, 7]
    assert count(Certificate) == 7


def test_a_chunk_takes_the_same_statements_for_more_trainees(
    db, tenants, make_course, make_trainee, enroll, attend, now
):
    """Set-based: a chunk writes its results, days, ledger entries, certificates and audit in
    multi-row statements, so finalising 12 trainees takes as many statements as finalising 3."""

    def statements_to_finalize(n: int) -> int:
        course = make_course(base=tenants.base_a, sessions=[(at("2025-05-20", "09:00"), at("2025-05-20", "12:00"))])
        trainees = [make_trainee(name=f"学员{n}{i}") for i in range(n)]
        enroll(course, *trainees)
        for trainee in trainees:
            attend(course, trainee)
        db.session.commit()
        with counted(db.engine) as seen:
            totals = finalize_in_chunks(tenants.admin_a, course, now=now)
        assert totals == {"completed": n, "not_completed": 0, "certificates": n}
        return len(seen)

    statements_to_finalize(2)  # the first one also records the signing key and opens the base's year
    assert statements_to_finalize(12) == statements_to_finalize(3)
