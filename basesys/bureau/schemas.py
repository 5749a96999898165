"""The query and answer of `GET /api/v1/audit` (API.md "Oversight and audit")."""

from pydantic import BaseModel, Field

from basesys.bureau.audit_log import COUNT_CAP
from basesys.core.api import Answer, ApiDate, DbId

API_PAGE_SIZE = 50


class AuditQuery(BaseModel):
    q: str = Field(default="", max_length=100)
    object_type: str | None = Field(default=None, max_length=40)
    base_id: DbId | None = None
    since: ApiDate | None = None
    until: ApiDate | None = None
    page: int = Field(default=1, ge=1, le=COUNT_CAP // API_PAGE_SIZE)


class AuditChange(Answer):
    field: str
    label: str  # the field's Chinese label (an addition)
    before: str | None
    after: str | None


class AuditItem(Answer):
    id: int
    at: str
    actor: str
    action: str
    text: str
    object_type: str
    object_id: int | None
    base_id: int | None
    changes: list[AuditChange]
    reason: str


class AuditList(Answer):
    total: int  # at most COUNT_CAP; `total_capped` says there are more
    total_capped: bool
    page: int
    items: list[AuditItem]
