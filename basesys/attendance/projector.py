"""The projector's state (§6): the current code and its QR, the window, the live counts."""

from datetime import datetime

from basesys.attendance import services
from basesys.attendance.qr import qr_svg
from basesys.core.time import hhmm, iso
from basesys.courses.models import CourseSession


def projector_state(course_session: CourseSession, purpose: str, *, have: str | None, now: datetime) -> dict:
    """What the projector shows at `now`; the QR's SVG only when the page does not `have` this token."""
    state = {"approved": course_session.course.is_approved, "purpose": purpose, "now": iso(now)}
    state.update(services.session_counts(course_session))
    if not state["approved"]:
        return state
    policy = services.scan_policy(course_session.course)
    opens, closes = services.session_window(course_session, purpose, policy)
    state.update(
        opens=hhmm(opens),
        closes=hhmm(closes),
        window="before" if now < opens else "open" if now <= closes else "closed",
    )
    issued = services.issue_code(course_session, purpose, now=now, policy=policy)
    state.update(
        token=issued.token,
        code=issued.code,
        url=issued.url,
        expires_at=iso(issued.expires_at),
        refresh_in_ms=int((issued.refresh_at - now).total_seconds() * 1000),
        period_seconds=policy.qr_period_seconds,
    )
    if have != issued.token:
        state["svg"] = qr_svg(issued.url)
    return state


def short_address(base_url: str, path: str) -> str:
    """The code page's address as people type it: host and path, without the scheme (browsers add it)."""
    return base_url.split("://", 1)[-1].rstrip("/") + path
