"""Issuing and reading the rotating codes of a session (§6): the projector, the API, the scan page."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from basesys.attendance import codes
from basesys.attendance.services.credit import course_policy
from basesys.core.errors import DomainError
from basesys.core.policy import DEFAULT_POLICY, Policy, PolicyOverride
from basesys.courses.models import Course, CourseSession
from basesys.extensions import db


def secret() -> str:
    return current_app.config["SECRET_KEY"]


def scan_policy(course: Course) -> Policy:
    """The course's policy; skips walking the bureau chain when no bureau overrides anything."""
    if db.session.scalar(db.select(PolicyOverride.id).limit(1)) is None:
        return DEFAULT_POLICY
    return course_policy(course)


@dataclass(frozen=True)
class IssuedCode:
    url: str
    token: str
    code: str
    step: int
    expires_at: datetime
    refresh_at: datetime  # when the projector shows the next code


def issue_code(course_session: CourseSession, purpose: str, *, now: datetime, policy: Policy) -> IssuedCode:
    """The code of the current step for the projector or the API; refuses course_not_approved."""
    if not course_session.course.is_approved:
        raise DomainError("course_not_approved")
    period = policy.qr_period_seconds
    step = codes.current_step(now, period)
    token = codes.make_token(secret(), course_session.id, purpose, step)
    return IssuedCode(
        url=f"{current_app.config['BASE_URL']}/q/{token}",
        token=token,
        code=codes.numeric_code(secret(), course_session.id, purpose, step),
        step=step,
        expires_at=codes.expires_at(step, period),
        refresh_at=codes.step_start(step + 1, period),
    )


def check_step(step: int, *, now: datetime, policy: Policy) -> str | None:
    """None when a code of `step` is accepted at `now`; else token_invalid (future) or token_expired."""
    current = codes.current_step(now, policy.qr_period_seconds)
    if step > current:  # not issued yet by a server whose clock is right
        return "token_invalid"
    if step < current - 1:
        return "token_expired"
    return None


def resolve_token(token: str, *, now: datetime) -> tuple[CourseSession, str, Policy]:
    """The session and purpose of a QR token (the scan page, before logging in).

    Refuses token_invalid (422) and token_expired (410).
    """
    try:
        parsed = codes.parse_token(secret(), token)
    except codes.BadToken:
        raise DomainError("token_invalid") from None
    course_session = db.session.get(CourseSession, parsed.session_id)
    if course_session is None:
        raise DomainError("token_invalid")
    policy = scan_policy(course_session.course)
    refused = check_step(parsed.step, now=now, policy=policy)
    if refused:
        raise DomainError(refused)
    return course_session, parsed.purpose, policy
