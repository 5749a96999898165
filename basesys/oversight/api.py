"""The anomaly rows of API.md "Oversight and audit": the list of findings and their review."""

from basesys.core.api import api_blueprint, api_endpoint
from basesys.core.time import iso, now_utc
from basesys.oversight.schemas import AnomalyList, AnomalyListQuery, ReviewAnswer, ReviewBody
from basesys.oversight.services import queries
from basesys.oversight.services.review import review_anomaly

bp = api_blueprint("oversight_api", __name__)

PAGE_SIZE = 50


def anomaly_json(anomaly) -> dict:
    return {
        "id": anomaly.id,
        "kind": anomaly.kind,
        "base_id": anomaly.base_id,
        "course_id": anomaly.course_id,
        "other_base_id": anomaly.other_base_id,
        "other_course_id": anomaly.other_course_id,
        "trainee_ids": list(anomaly.trainee_ids or []),
        "detected_on": anomaly.detected_on.isoformat(),
        "occurred_on": anomaly.occurred_on.isoformat() if anomaly.occurred_on else None,
        "summary": anomaly.summary,
        "status": anomaly.status,
        "review_comment": anomaly.review_comment or "",
        "reviewed_at": iso(anomaly.reviewed_at),
    }


@api_endpoint(
    bp,
    "/anomalies",
    summary="Findings of DOMAIN §14 in the officer's scope (?kind=, ?status=open/reviewed, ?base_id=, ?page=)",
    roles=["bureau_officer"],
    query=AnomalyListQuery,
    answer=AnomalyList,
    refuses=("not_found",),
)
def anomalies(actor, query: AnomalyListQuery):
    if query.base_id is not None:
        queries.require_base_in_scope(actor, query.base_id)
    result = queries.list_anomalies(
        actor, kind=query.kind, status=query.status, base_id=query.base_id, page=query.page, size=PAGE_SIZE
    )
    return {"items": [anomaly_json(a) for a in result.items], "total": result.total, "page": result.page}


@api_endpoint(
    bp,
    "/anomalies/<int:anomaly_id>/review",
    "POST",
    summary="Mark a finding reviewed, with a mandatory comment (audited)",
    roles=["bureau_officer"],
    body=ReviewBody,
    answer=ReviewAnswer,
    refuses=("comment_required", "anomaly_already_reviewed"),
)
def review(actor, anomaly_id: int, body: ReviewBody):
    anomaly = queries.get_anomaly_for(actor, anomaly_id)
    review_anomaly(actor, anomaly, comment=body.comment, now=now_utc())
    return {"id": anomaly.id, "status": anomaly.status}
