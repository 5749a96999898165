"""Recomputing the findings from the records (DOMAIN.md §14), idempotently.

The detectors say what the records show now; this module makes the `anomaly` table agree: a new
finding is inserted once (unique(kind, key); a concurrent run's insert is a no-op), a finding that
still holds keeps its row and its review while its facts follow the records, and an open finding
the records no longer show is removed. A reviewed one stays: its review is part of the log.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, true
from sqlalchemy.dialects import postgresql, sqlite

from basesys.accounts.models import Base
from basesys.accounts.scope import base_scope, in_base_scope
from basesys.core.audit import audit
from basesys.core.policy import DEFAULT_POLICY, Policy, PolicyOverride, policy_for_base
from basesys.core.time import local_date
from basesys.extensions import db
from basesys.oversight.models import Anomaly, AnomalyKind, AnomalyStatus
from basesys.oversight.services.detect import DETECTORS, Candidate

# The thresholds each kind is held to, and how a candidate's measure is compared with them.
THRESHOLDS = {
    AnomalyKind.SHARED_DEVICE: "shared_device_max_trainees",
    AnomalyKind.MANUAL_SHARE: "manual_share_max",
}
FACTS = ("base_id", "other_base_id", "course_id", "other_course_id", "trainee_ids", "occurred_on", "summary")


@dataclass
class Recomputed:
    found: int
    added: int
    changed: int
    removed: int

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def scope_of(user):
    """`within(column)`: a WHERE clause that the base id in `column` is one the user may see, as
    `in_base_scope` says; None is every base (the scheduled job). One statement may test two
    columns (a finding's two bases): both then share one scope subquery (one recursive CTE)."""
    if user is None:
        return lambda column: true()
    bases = base_scope(user)
    if bases is None:  # sysadmin
        return lambda column: in_base_scope(user, column)
    return lambda column: column.in_(bases)


def anomaly_scope(user):
    """A WHERE clause on Anomaly: the finding's base (or its other base) is one the user may see."""
    within = scope_of(user)
    return or_(within(Anomaly.base_id), within(Anomaly.other_base_id))


def loosest_policy() -> Policy:
    """The lowest threshold any bureau's policy sets, so one query finds every candidate; each
    candidate is then held to its own base's policy (`_holds`)."""
    values = {}
    for (override,) in db.session.execute(select(PolicyOverride.values)):
        for name in THRESHOLDS.values():
            if name in (override or {}):
                values[name] = min(values.get(name, getattr(DEFAULT_POLICY, name)), override[name])
    return DEFAULT_POLICY.with_values(values)


class _Policies:
    """The policy of a base and year, read once per (base, year) among the candidates."""

    def __init__(self):
        self.overridden = db.session.scalar(select(PolicyOverride.id).limit(1)) is not None
        self.cache: dict[tuple, Policy] = {}

    def of(self, base_id: int, year: int | None) -> Policy:
        if not self.overridden:
            return DEFAULT_POLICY
        if (base_id, year) not in self.cache:
            self.cache[(base_id, year)] = policy_for_base(db.session.get(Base, base_id), year)
        return self.cache[(base_id, year)]


def _holds(candidate: Candidate, policies: _Policies) -> bool:
    name = THRESHOLDS.get(candidate.kind)
    if name is None:
        return True
    return candidate.measure > getattr(policies.of(candidate.base_id, candidate.year), name)


def detect(user, *, now: datetime) -> list[Candidate]:
    """What the records show now, in the user's scope (None: every base, the scheduled job)."""
    within = scope_of(user)
    floor, policies, today = loosest_policy(), _Policies(), local_date(now)
    found = []
    for detector in DETECTORS.values():
        found += [c for c in detector(within, floor, today) if _holds(c, policies)]
    return found


def _insert_new(candidate: Candidate, now: datetime) -> int:
    """INSERT … ON CONFLICT DO NOTHING: a finding a concurrent run inserted first stays single."""
    values = {name: getattr(candidate, name) for name in FACTS}
    values.update(kind=candidate.kind, key=candidate.key, detected_on=local_date(now), status=AnomalyStatus.OPEN)
    values.update(review_comment="", created_at=now, updated_at=now)
    dialect = db.session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        db.session.add(Anomaly(**values))
        return 1
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(Anomaly)
    inserted = db.session.execute(insert.values(**values).on_conflict_do_nothing().returning(Anomaly.id)).scalar()
    return 0 if inserted is None else 1


def recompute_anomalies(actor, *, now: datetime) -> Recomputed:
    """Make the findings in the actor's scope (every base when None) agree with the records; audited
    when anything changed. Running it twice changes nothing the second time."""
    candidates = {(c.kind, c.key): c for c in detect(actor, now=now)}
    query = select(Anomaly) if actor is None else select(Anomaly).where(anomaly_scope(actor))
    existing = {(a.kind, a.key): a for a in db.session.scalars(query)}
    added = changed = removed = 0
    for key, candidate in candidates.items():
        anomaly = existing.get(key)
        if anomaly is None:
            added += _insert_new(candidate, now)
            continue
        facts = {name: getattr(candidate, name) for name in FACTS}
        if any(getattr(anomaly, name) != value for name, value in facts.items()):
            for name, value in facts.items():
                setattr(anomaly, name, value)
            anomaly.updated_at = now
            changed += 1
    for key, anomaly in existing.items():
        if key not in candidates and anomaly.status == AnomalyStatus.OPEN:
            db.session.delete(anomaly)
            removed += 1
    result = Recomputed(len(candidates), added, changed, removed)
    if result.touched:
        audit(
            actor,
            "anomaly.recompute",
            object_type="anomaly",
            now=now,
            after={"found": result.found, "added": added, "changed": changed, "removed": removed},
            bureau_id=getattr(actor, "bureau_id", None),
        )
    db.session.flush()
    return result
