"""The demo: the past course has answers to show, and 张伟 is still offered the evaluation."""

from basesys.core.cli import load_demo
from basesys.evaluation import services
from basesys.evaluation.models import EvaluationResponse


def test_demo_has_answers_and_leaves_one_offer(db, now):
    ctx = load_demo(now)
    db.session.commit()
    course = ctx["courses"]["approved_past"]
    assert services.course_summary(course).responses >= 1
    assert db.session.scalar(db.select(db.func.count()).select_from(EvaluationResponse)) >= 1
    zhang = ctx["trainees"][0]
    assert not services.has_answered(course, zhang)
