"""The trainee's personal check-in code (个人签到码, DOMAIN.md §6): issue, renew, and resolve a scanned one.

A code is shown (home page, API) and printed (签到卡) as issued at that moment: it expires
`checkin_code_days` after the local day it was issued, so showing it writes nothing — every code
of the trainee's current generation is good until its own expiry. Renewing increments the
generation, which voids every code shown or printed before (a lost card, a shared screenshot).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from basesys.accounts.models import Trainee
from basesys.attendance import personal_codes
from basesys.attendance.models import CheckinCodeGeneration
from basesys.attendance.services.issue import secret
from basesys.core.audit import audit
from basesys.core.errors import DomainError
from basesys.core.policy import Policy
from basesys.core.time import local_midnight, local_today
from basesys.extensions import db


@dataclass(frozen=True)
class IssuedCheckinCode:
    code: str
    expires_at: datetime
    generation: int


def current_generation(trainee_id: int) -> int:
    return (
        db.session.scalar(
            db.select(CheckinCodeGeneration.generation).where(CheckinCodeGeneration.trainee_id == trainee_id)
        )
        or 0
    )


def checkin_code(
    trainee: Trainee, *, now: datetime, policy: Policy, generation: int | None = None
) -> IssuedCheckinCode:
    """The trainee's code as issued now (reads only): good until `checkin_code_days` after today."""
    if generation is None:
        generation = current_generation(trainee.id)
    expires_on = local_today(now) + timedelta(days=policy.checkin_code_days)
    code = personal_codes.make_code(secret(), trainee.id, generation, expires_on)
    return IssuedCheckinCode(code, local_midnight(expires_on), generation)


def renew_checkin_code(actor, trainee: Trainee, *, now: datetime, policy: Policy) -> IssuedCheckinCode:
    """A new code; every code shown or printed before is refused from now on (audited)."""
    row = db.session.get(CheckinCodeGeneration, trainee.id, populate_existing=True)
    if row is None:
        row = CheckinCodeGeneration(trainee_id=trainee.id, generation=0, renewed_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # a renewal from another tab landed first: renew after it
            row = db.session.get(CheckinCodeGeneration, trainee.id, populate_existing=True)
    before = row.generation
    db.session.execute(
        db.update(CheckinCodeGeneration)
        .where(CheckinCodeGeneration.trainee_id == trainee.id)
        .values(generation=CheckinCodeGeneration.generation + 1, renewed_at=now)
    )
    db.session.refresh(row)
    audit(
        actor,
        "attendance.checkin_code_renewed",
        trainee,
        now=now,
        before={"generation": before},
        after={"generation": row.generation},
        bureau_id=trainee.bureau_id,
    )
    db.session.flush()
    return checkin_code(trainee, now=now, policy=policy, generation=row.generation)


def trainee_of_code(code: str, *, now: datetime) -> int:
    """The trainee id a scanned personal code names; refuses checkin_code_invalid (not ours) and
    checkin_code_expired (past its expiry day, or renewed since it was issued)."""
    try:
        parsed = personal_codes.parse_code(secret(), code)
    except personal_codes.BadCode:
        raise DomainError("checkin_code_invalid") from None
    if local_today(now) >= parsed.expires_on:
        raise DomainError("checkin_code_expired")
    if parsed.generation != current_generation(parsed.trainee_id):
        raise DomainError("checkin_code_expired")
    return parsed.trainee_id
