"""The "Quality evaluation" rows of API.md (DOMAIN.md §13)."""

from basesys.accounts.scope import trainee_of
from basesys.core.api import api_blueprint, api_endpoint
from basesys.core.time import now_utc
from basesys.courses.access import get_course_for
from basesys.evaluation import services
from basesys.evaluation.schemas import EvaluationAnswer, EvaluationBody, EvaluationReceipt

bp = api_blueprint("evaluation_api", __name__)

READERS = ("base_admin", "bureau_officer", "sysadmin")


@api_endpoint(
    bp,
    "/courses/<int:course_id>/evaluation",
    "POST",
    summary="Answer the course's quality evaluation once (anonymous): five items 1–5 and a comment",
    roles=["trainee"],
    body=EvaluationBody,
    answer=EvaluationReceipt,
    status=201,
    refuses=("not_attended", "already_evaluated"),
)
def answer_evaluation(actor, course_id: int, body: EvaluationBody):
    course = get_course_for(actor, course_id, roles=("trainee",))
    scores = body.scores.model_dump()
    services.submit_evaluation(trainee_of(actor), course, scores=scores, comment=body.comment, now=now_utc())
    return {"course_id": course.id, "evaluated": True}, 201


@api_endpoint(
    bp,
    "/courses/<int:course_id>/evaluation",
    summary="The course's evaluation: responses, response rate, per item mean and counts of 1–5, comments",
    roles=list(READERS),
    answer=EvaluationAnswer,
)
def course_evaluation(actor, course_id: int):
    course = get_course_for(actor, course_id, roles=READERS)
    return services.course_summary(course).as_json()
