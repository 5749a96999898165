"""Training bases (继续教育基地), each supervised by one bureau (DOMAIN.md §1)."""

from datetime import datetime

from basesys.accounts.models import Base, BaseLevel, Bureau
from basesys.accounts.services.inputs import clean, require
from basesys.core.audit import audit
from basesys.core.errors import DomainError, ValidationFailed
from basesys.core.ids import validate_credit_code
from basesys.extensions import db


def base_state(base: Base) -> dict:
    return {
        "name": base.name,
        "level": base.level,
        "credit_code": base.credit_code,
        "bureau_id": base.bureau_id,
        "address": base.address,
    }


def _checked(name, level, credit_code, bureau_id, editing: Base | None = None) -> tuple[str, Bureau]:
    """The validated credit code and the supervising bureau."""
    require({"name": name})
    fields = {}
    if level not in tuple(BaseLevel):
        fields["level"] = "取值无效，可选：national/provincial/municipal"
    bureau = db.session.get(Bureau, bureau_id) if bureau_id is not None else None
    if bureau is None:
        fields["bureau_id"] = "主管人社局不存在"
    if fields:
        raise ValidationFailed(fields)
    code = validate_credit_code(credit_code)
    for column, value, error in (
        (Base.name, name.strip(), "duplicate_name"),
        (Base.credit_code, code, "duplicate_credit_code"),
    ):
        clash = db.session.scalar(db.select(Base).where(column == value))
        if clash is not None and clash is not editing:
            raise DomainError(error, status=409)
    return code, bureau


def create_base(
    actor, *, name: str, level: str, credit_code: str, bureau_id: int, address: str = "", now: datetime
) -> Base:
    """Refuses an invalid credit code (`invalid_credit_code`), an unknown bureau, duplicates."""
    code, bureau = _checked(name, level, credit_code, bureau_id)
    base = Base(name=name.strip(), level=level, credit_code=code, bureau=bureau, address=clean(address), created_at=now)
    db.session.add(base)
    db.session.flush()
    audit(actor, "base.created", base, now=now, after=base_state(base), base_id=base.id, bureau_id=bureau.id)
    return base


def update_base(
    actor, base: Base, *, name: str, level: str, credit_code: str, bureau_id: int, address: str, now: datetime
) -> Base:
    """Refuses what create_base refuses."""
    before = base_state(base)
    code, bureau = _checked(name, level, credit_code, bureau_id, editing=base)
    base.name, base.level, base.credit_code, base.bureau = name.strip(), level, code, bureau
    base.address = clean(address)
    db.session.flush()
    after = base_state(base)
    audit(actor, "base.updated", base, now=now, before=before, after=after, base_id=base.id, bureau_id=bureau.id)
    return base
