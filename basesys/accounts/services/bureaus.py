"""Bureaus (人社局) and their tree (DOMAIN.md §1): any level may be the top of a deployment."""

from datetime import datetime

from basesys.accounts.models import Bureau, BureauLevel
from basesys.accounts.services.inputs import require
from basesys.core.audit import audit
from basesys.core.errors import DomainError, ValidationFailed
from basesys.extensions import db


def bureau_state(bureau: Bureau) -> dict:
    return {"name": bureau.name, "level": bureau.level, "parent_id": bureau.parent_id}


def _level(value) -> BureauLevel:
    try:
        return BureauLevel(value)
    except ValueError:
        raise ValidationFailed({"level": "取值无效，可选：province/city/county"}) from None


def _parent(parent_id: int | None, level: BureauLevel, editing: Bureau | None) -> Bureau | None:
    """The parent, when one is given: it must exist, be of a higher level, and not lie below `editing`."""
    if parent_id is None:
        return None  # any level may be the top of the tree (a city-only deployment)
    parent = db.session.get(Bureau, parent_id)
    if parent is None:
        raise ValidationFailed({"parent_id": "上级人社局不存在"})
    if BureauLevel(parent.level).rank >= level.rank:
        raise ValidationFailed({"parent_id": "上级人社局的级别必须高于本级"})
    cursor = parent
    while editing is not None and cursor is not None:
        if cursor.id == editing.id:
            raise ValidationFailed({"parent_id": "不能把人社局放在自己下级之下"})
        cursor = cursor.parent
    return parent


def _checked(name: str, level, parent_id: int | None, editing: Bureau | None = None) -> tuple[BureauLevel, Bureau]:
    require({"name": name})
    level = _level(level)
    parent = _parent(parent_id, level, editing)
    if editing is not None and any(BureauLevel(child.level).rank <= level.rank for child in editing.children):
        raise ValidationFailed({"level": "下级人社局的级别必须低于本级"})
    clash = db.session.scalar(db.select(Bureau).where(Bureau.name == name.strip()))
    if clash is not None and clash is not editing:
        raise DomainError("duplicate_name", status=409)
    return level, parent


def create_bureau(actor, *, name: str, level: str, parent_id: int | None, now: datetime) -> Bureau:
    """Refuses an unknown level, an unknown parent or one not of a higher level, a duplicate name."""
    level, parent = _checked(name, level, parent_id)
    bureau = Bureau(name=name.strip(), level=level.value, parent=parent, created_at=now)
    db.session.add(bureau)
    db.session.flush()
    audit(actor, "bureau.created", bureau, now=now, after=bureau_state(bureau), bureau_id=bureau.id)
    return bureau


def update_bureau(actor, bureau: Bureau, *, name: str, level: str, parent_id: int | None, now: datetime) -> Bureau:
    """Refuses what create_bureau refuses, a parent below the bureau, children not of a lower level."""
    before = bureau_state(bureau)
    level, parent = _checked(name, level, parent_id, editing=bureau)
    bureau.name, bureau.level, bureau.parent = name.strip(), level.value, parent
    db.session.flush()
    audit(actor, "bureau.updated", bureau, now=now, before=before, after=bureau_state(bureau), bureau_id=bureau.id)
    return bureau


def list_bureaus() -> list[Bureau]:
    return list(db.session.scalars(db.select(Bureau).order_by(Bureau.level, Bureau.name)))


def bureau_tree() -> list[tuple[Bureau, int]]:
    """Bureaus in tree order with their depth, for selects and lists."""
    children: dict = {}
    for bureau in list_bureaus():
        children.setdefault(bureau.parent_id, []).append(bureau)
    out: list[tuple[Bureau, int]] = []

    def walk(parent_id, depth):
        for bureau in sorted(children.get(parent_id, []), key=lambda b: b.name):
            out.append((bureau, depth))
            walk(bureau.id, depth + 1)

    walk(None, 0)
    return out
