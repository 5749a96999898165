"""`GET /api/v1/audit` (API.md "Oversight and audit"): the audit log in the caller's scope, each
record as its Chinese sentence with its field changes."""

from basesys.bureau import audit_log
from basesys.bureau.schemas import API_PAGE_SIZE, AuditList, AuditQuery
from basesys.core.api import api_blueprint, api_endpoint
from basesys.core.audit_text import Entry
from basesys.core.errors import NotFound, ValidationFailed
from basesys.core.time import iso

bp = api_blueprint("bureau_api", __name__)

READERS = ("bureau_officer", "base_admin", "sysadmin")


def entry_json(item: Entry) -> dict:
    record = item.record
    return {
        "id": record.id,
        "at": iso(record.at),
        "actor": item.actor,
        "action": record.action,
        "text": item.text,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "base_id": record.base_id,
        "changes": [vars(change) for change in item.changes],
        "reason": record.reason or "",
    }


def _filters(actor, query: AuditQuery) -> audit_log.AuditFilters:
    kinds = dict(audit_log.subject_kinds())
    if query.object_type and query.object_type not in kinds:
        raise ValidationFailed({"object_type": f"取值无效，可选：{'/'.join(kinds)}"})
    if query.base_id is not None and not audit_log.base_in_scope(actor, query.base_id):
        raise NotFound()
    return audit_log.AuditFilters(
        q=query.q.strip(), object_type=query.object_type, base_id=query.base_id, since=query.since, until=query.until
    )


@api_endpoint(
    bp,
    "/audit",
    summary="The audit log in scope, newest first: q finds a trainee's name or ID number, a course title, "
    "a filing or certificate number; text is the record as a Chinese sentence",
    roles=list(READERS),
    query=AuditQuery,
    answer=AuditList,
    refuses=("not_found",),
)
def list_audit(actor, query: AuditQuery):
    result = audit_log.audit_page(actor, _filters(actor, query), query.page, API_PAGE_SIZE, links=False)
    items = [entry_json(item) for item in result.entries]
    return {"total": result.total, "total_capped": result.capped, "page": result.page, "items": items}
