"""The evaluation's rules (DOMAIN.md §13): who may answer, once only, anonymity, the aggregates."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import inspect

from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError
from basesys.evaluation import services
from basesys.evaluation.models import EvaluationClaim, EvaluationResponse
from basesys.extensions import db
from tests.conftest import at
from tests.evaluation.conftest import SCORES


def submit(tenants_or_trainee, course, now, scores=None, comment=""):
    services.submit_evaluation(tenants_or_trainee, course, scores=scores or SCORES, comment=comment, now=now)
    db.session.commit()


def test_submit_evaluation_stores_claim_and_anonymous_answer(finished, now):
    submit(finished.trainee, finished.course, now, comment=" 很实用 ")
    assert db.session.get(EvaluationClaim, (finished.course.id, finished.trainee.id)) is not None
    (response,) = db.session.scalars(db.select(EvaluationResponse)).all()
    assert (response.content, response.venue, response.comment) == (5, 3, "很实用")
    assert len(response.id) == 32


def test_submit_evaluation_twice_is_already_evaluated(finished, now):
    submit(finished.trainee, finished.course, now)
    with pytest.raises(DomainError) as e:
        submit(finished.trainee, finished.course, now + timedelta(days=1))
    assert e.value.code == "already_evaluated"
    assert db.session.scalar(db.select(db.func.count()).select_from(EvaluationResponse)) == 1


def test_submit_evaluation_without_credited_hours_is_not_attended(finished, absent, now):
    with pytest.raises(DomainError) as e:
        submit(absent, finished.course, now)
    assert e.value.code == "not_attended"


def test_submit_evaluation_not_enrolled_is_not_attended(finished, make_trainee, now):
    with pytest.raises(DomainError) as e:
        submit(make_trainee(name="钱七"), finished.course, now)
    assert e.value.code == "not_attended"


def test_submit_evaluation_before_the_last_session_ends_is_not_attended(finished, now):
    last_end = finished.course.last_ends_at
    with pytest.raises(DomainError) as e:
        submit(finished.trainee, finished.course, last_end - timedelta(minutes=1))
    assert e.value.code == "not_attended"
    submit(finished.trainee, finished.course, last_end)  # at the end it is open


def test_submit_evaluation_partial_attendance_counts(finished, now):
    """other_trainee did not complete (8 of 16 h) but has credited hours: they may answer."""
    submit(finished.other_trainee, finished.course, now)
    assert services.course_summary(finished.course).responses == 1


def test_submit_evaluation_after_finalisation_reads_the_results(finalized, absent, now):
    submit(finalized.trainee, finalized.course, now)
    with pytest.raises(DomainError) as e:
        submit(absent, finalized.course, now)
    assert e.value.code == "not_attended"


def test_submit_evaluation_refuses_scores_outside_1_to_5(finished, now):
    for bad in ({**SCORES, "venue": 0}, {**SCORES, "overall": 6}, {"content": 3}):
        with pytest.raises(DomainError) as e:
            submit(finished.trainee, finished.course, now, scores=bad)
        assert e.value.code == "validation_failed"
    assert not services.has_answered(finished.course, finished.trainee)


def test_course_summary_aggregates(finished, absent, now):
    submit(finished.trainee, finished.course, now, comment="讲得好")
    submit(finished.other_trainee, finished.course, now, scores={**SCORES, "content": 2, "venue": 5})
    summary = services.course_summary(finished.course)
    assert summary.responses == 2 and summary.eligible == 2  # absent has no credited hours
    assert summary.response_rate == 1.0
    assert summary.items["content"].mean == 3.5 and summary.items["content"].counts == [0, 1, 0, 0, 1]
    assert summary.items["venue"].counts == [0, 0, 1, 0, 1]
    assert summary.comments == ["讲得好"]  # empty comments are not listed
    body = summary.as_json()
    assert set(body) == {"responses", "response_rate", "items", "comments"}
    assert set(body["items"]) == {"content", "teaching", "organisation", "venue", "overall"}


def test_course_summary_without_answers(finished):
    summary = services.course_summary(finished.course)
    assert summary.responses == 0 and summary.response_rate == 0.0
    assert summary.items["overall"].mean is None and summary.items["overall"].counts == [0] * 5


def test_course_summary_of_a_finalised_course_counts_results(finalized, absent, now):
    submit(finalized.trainee, finalized.course, now)
    assert services.course_summary(finalized.course).response_rate == 0.5


def test_anonymity_no_table_links_an_answer_to_a_trainee(app):
    """The answer's table has no trainee, no time, no sequence; the claim has no time, no answer."""
    response_columns = {c.name for c in EvaluationResponse.__table__.columns}
    assert response_columns == {"id", "course_id", "content", "teaching", "organisation", "venue", "overall", "comment"}
    targets = {fk.column.table.name for fk in EvaluationResponse.__table__.foreign_keys}
    assert targets == {"course"}
    claim_columns = {c.name for c in EvaluationClaim.__table__.columns}
    assert claim_columns == {"course_id", "trainee_id"}
    assert not inspect(EvaluationClaim).relationships and not inspect(EvaluationResponse).relationships


def test_anonymity_answer_order_does_not_follow_arrival(finished, make_trainee, enroll, attend, now):
    """Ids are random and reads order by them: comments do not come back in the order they were given."""
    trainees = [make_trainee(name=f"学员{i}") for i in range(12)]
    enroll(finished.course, *trainees)
    for trainee in trainees:
        attend(finished.course, trainee)
    for i, trainee in enumerate(trainees):
        submit(trainee, finished.course, now, comment=f"意见{i:02d}")
    comments = services.course_summary(finished.course).comments
    assert sorted(comments) == [f"意见{i:02d}" for i in range(12)]
    ids = list(db.session.scalars(db.select(EvaluationResponse.id).order_by(EvaluationResponse.id)))
    assert comments == [db.session.get(EvaluationResponse, i).comment for i in ids]


def test_anonymity_audit_record_names_no_one(finished, now):
    submit(finished.trainee, finished.course, now, comment="秘密意见")
    (record,) = db.session.scalars(db.select(AuditRecord).where(AuditRecord.action == "evaluation.answer")).all()
    assert record.actor_id is None and record.actor_label == "trainee"
    assert record.base_id == finished.course.base_id and record.object_id == finished.course.id
    text = repr((record.before, record.after, record.reason, record.subject))
    assert "秘密意见" not in text and finished.trainee.name not in text and finished.trainee.id_number not in text
    assert {key.kind for key in record.keys} <= {"course_title", "filing_number"}


def test_two_simultaneous_answers_store_one(app, finished, now):
    """Two posts at once (two phones, a double tap): the claim's key lets exactly one through."""
    course_id, trainee_id = finished.course.id, finished.trainee.id
    db.session.commit()
    barrier, outcomes, lock = threading.Barrier(2), [], threading.Lock()

    def worker():
        from basesys.accounts.models import Trainee
        from basesys.courses.models import Course

        with app.app_context():
            try:
                course, trainee = db.session.get(Course, course_id), db.session.get(Trainee, trainee_id)
                course.sessions, course.base  # noqa: B018 -- loaded before the race
                db.session.commit()
                barrier.wait()
                services.submit_evaluation(trainee, course, scores=SCORES, comment="", now=now)
                db.session.commit()
                outcome = "stored"
            except DomainError as error:
                db.session.rollback()
                outcome = error.code
            except Exception as error:  # noqa: BLE001 -- reported by the assertion below
                db.session.rollback()
                outcome = repr(error)
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["already_evaluated", "stored"]
    assert db.session.scalar(db.select(db.func.count()).select_from(EvaluationResponse)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(EvaluationClaim)) == 1


def test_is_offered_once(finished, absent, now):
    assert services.is_offered(finished.course, finished.trainee, now=now)
    assert not services.is_offered(finished.course, absent, now=now)
    submit(finished.trainee, finished.course, now)
    assert not services.is_offered(finished.course, finished.trainee, now=now)


def test_midnight_in_shanghai_does_not_matter(finished):
    """The rule is "after the last session ended", an instant: 16:00 UTC (midnight local) changes nothing."""
    assert services.can_evaluate(finished.course, finished.trainee, now=at("2025-05-28", "00:00"))
    assert services.can_evaluate(finished.course, finished.trainee, now=at("2025-05-27", "23:59"))


def test_offered_courses_reads_finalised_results(finalized, absent, now):
    assert services.offered_courses(finalized.trainee, now=now) == [finalized.course]
    assert services.offered_courses(finalized.other_trainee, now=now) == [finalized.course]
    assert services.offered_courses(absent, now=now) == []
    submit(finalized.trainee, finalized.course, now)
    assert services.offered_courses(finalized.trainee, now=now) == []


def test_offered_courses_waits_for_the_end(finished):
    assert services.offered_courses(finished.trainee, now=finished.course.last_ends_at - timedelta(seconds=1)) == []
