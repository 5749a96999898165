"""Policy numbers of DOMAIN.md as data, per bureau and year; services receive a `Policy` value."""

from dataclasses import asdict, dataclass, fields, replace

from flask import g, has_request_context
from sqlalchemy import JSON, ForeignKey, UniqueConstraint, column, table
from sqlalchemy.orm import Mapped, mapped_column

from basesys.extensions import db


@dataclass(frozen=True)
class Policy:
    """Defaults are those written in DOMAIN.md; a bureau may override any of them for a year."""

    minutes_per_credit_hour: int = 45  # §3
    daily_cap_hours: float = 8.0  # §3, §7
    seminar_hours_per_day: float = 8.0  # §3, §7 "按每天8学时折算"
    qr_period_seconds: int = 30  # §6
    checkin_opens_minutes_before: int = 30  # §6
    in_only_closes_minutes_after_start: int = 15  # §6
    checkout_closes_minutes_after_end: int = 30  # §6
    # §6 guidance: trainees checked in but not out are reminded this long before the session ends.
    checkout_reminder_minutes_before_end: int = 10
    # Trainees enrolled in a session are reminded of it this many hours before it starts ("the day before").
    session_reminder_hours_before: int = 24
    full_credit_grace_minutes: int = 10  # §7
    checkin_code_days: int = 365  # §6 a personal check-in code expires after this many days
    offline_scan_max_hours: int = 24  # §6 a staff scan older than this on arrival is refused
    # §6: a staff scan that reaches the server more than this many minutes after it was made (on
    # the server's clock) waited on the device: it is recorded `offline`, not `staff`.
    offline_scan_after_minutes: int = 2
    pass_ratio: float = 0.8  # §7
    finalize_delay_hours: int = 2  # §8
    roster_due_days: int = 30  # §9
    roster_reminder_days_before: int = 7  # §9
    required_public_hours: float = 30.0  # §10
    required_professional_hours: float = 60.0  # §10
    # §14 oversight: one phone may check in this many trainees a local date; more is `shared_device`.
    shared_device_max_trainees: int = 1
    # §14: 补签 (manual entries) above this share of a course's check-ins is `manual_share`.
    manual_share_max: float = 0.2
    login_max_failures: int = 5  # failed logins per account before a pause
    # Failed logins from one address (any accounts) before the address itself is paused. Far above
    # the per-account limit: behind a proxy or a training base's NAT many people share one address,
    # and their typos must not lock the others out; it still stops a spray across many accounts.
    login_max_failures_per_address: int = 200
    login_lockout_minutes: int = 15
    login_code_minutes: int = 15  # §2: a one-time login code is valid this long
    login_code_max_tries: int = 5  # §2: wrong tries of one login code, then it is dead
    evidence_max_bytes: int = 10 * 1024 * 1024  # §11: an evidence file is at most 10 MB

    @property
    def required_total_hours(self) -> float:
        return self.required_public_hours + self.required_professional_hours

    def with_values(self, values: dict) -> "Policy":
        known = {f.name: f.type for f in fields(self)}
        clean = {k: v for k, v in values.items() if k in known}
        return replace(self, **clean)

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT_POLICY = Policy()


class PolicyOverride(db.Model):
    """Values that differ from the defaults, for a bureau (or everyone) and a year (or every year)."""

    __tablename__ = "policy_override"
    __table_args__ = (UniqueConstraint("bureau_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureau.id"))
    year: Mapped[int | None]
    values: Mapped[dict] = mapped_column(JSON, default=dict)


# The bureau tree as core may read it (accounts, which owns the model, is a layer above).
_BUREAU = table("bureau", column("id"), column("parent_id"))


def get_policy(bureau=None, year: int | None = None) -> Policy:
    """The policy in force for a bureau (a Bureau or its id; inheriting from the bureaus above it)
    and a year. Without overrides (the usual case) it is one statement; lists share one per request."""
    overrides, parents = _policy_data()
    if not overrides:
        return DEFAULT_POLICY
    chain, current = [], getattr(bureau, "id", bureau)
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    chain = [None] + list(reversed(chain))
    policy = DEFAULT_POLICY
    for bureau_id in chain:
        for wanted_year in (None, year):
            for row_bureau, row_year, values in overrides:
                if row_bureau == bureau_id and row_year == wanted_year and (wanted_year is None or year):
                    policy = policy.with_values(values or {})
    return policy


def _policy_data() -> tuple[list[tuple], dict]:
    """Every override and the bureau tree's parent links: two small reference tables, read once per
    request (a list of a hundred courses from fifty bureaus asks for the policy a hundred times)."""
    cached = g.get("_basesys_policy_data") if has_request_context() else None
    if cached is not None:
        return cached
    overrides = [(row.bureau_id, row.year, row.values) for row in db.session.scalars(db.select(PolicyOverride))]
    parents = dict(db.session.execute(db.select(_BUREAU.c.id, _BUREAU.c.parent_id)).all()) if overrides else {}
    if has_request_context():
        g._basesys_policy_data = (overrides, parents)
    return overrides, parents


def policy_for_base(base, year: int | None = None) -> Policy:
    return get_policy(base.bureau_id if base is not None else None, year)
