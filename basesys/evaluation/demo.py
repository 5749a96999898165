"""Demo evaluations: most trainees of the past course answered (so the base's results and trend show
figures); the first demo trainee, 张伟, has not, so his home page offers the evaluation."""

from datetime import datetime

from basesys.courses.models import Enrollment
from basesys.evaluation import services
from basesys.evaluation.models import ITEMS
from basesys.extensions import db

# Scores per answer, item by item in ITEMS' order, and the comment: what a demo course might get.
ANSWERS = (
    ((5, 5, 4, 4, 5), "案例贴近工作实际，收获很大。"),
    ((4, 4, 4, 3, 4), "建议增加分组讨论时间。"),
    ((5, 4, 5, 4, 5), ""),
    ((3, 4, 3, 2, 3), "场地空调偏冷，投影看不清。"),
    ((4, 5, 4, 4, 4), ""),
)


def load(ctx: dict, now: datetime) -> None:
    course = (ctx.get("courses") or {}).get("approved_past")
    trainees = ctx.get("trainees") or []
    if course is None:
        return
    keep_offered = {trainees[0].id} if trainees else set()
    enrolled = db.session.scalars(
        db.select(Enrollment).where(Enrollment.course_id == course.id).order_by(Enrollment.id)
    )
    answered = 0
    for enrollment in enrolled:
        trainee = enrollment.trainee
        if trainee.id in keep_offered or not services.is_offered(course, trainee, now=now):
            continue
        scores, comment = ANSWERS[answered % len(ANSWERS)]
        services.submit_evaluation(
            trainee, course, scores=dict(zip(ITEMS, scores, strict=True)), comment=comment, now=now
        )
        answered += 1
