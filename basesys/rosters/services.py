"""Roster filing (DOMAIN.md §9): open, submit, accept or return. Services take the actor and `now`,
check their rules, audit in the same transaction and only flush."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from basesys.accounts.scope import can_manage_base, can_supervise_base
from basesys.certificates.services import recognize_course_entries
from basesys.core.audit import audit
from basesys.core.errors import DomainError, NotFound, ValidationFailed
from basesys.core.pdf import font_for
from basesys.core.policy import Policy, policy_for_base
from basesys.core.time import local_date
from basesys.courses.models import Course
from basesys.courses.year import course_year
from basesys.extensions import db
from basesys.notifications.services import admins_of_base, notify
from basesys.rosters.models import OPEN_STATUSES, Roster, RosterStatus
from basesys.rosters.rows import live_rows
from basesys.rosters.summary import SUMMARY_MAX_CHARS, Summary, compute_figures, with_evaluation

DECISIONS = ("accept", "return")


def last_session_date(course: Course) -> date | None:
    days = [local_date(s.starts_at) for s in course.sessions]
    return max(days) if days else None


def roster_policy(course: Course) -> Policy:
    """The policy of the course's year (DOMAIN.md §3): its due days and reminder days."""
    return policy_for_base(course.base, course_year(course))


def due_date(course: Course, policy: Policy | None = None) -> date | None:
    """policy.roster_due_days after the local date of the last session (§9 "结业30日内")."""
    last = last_session_date(course)
    if last is None:
        return None
    policy = policy or roster_policy(course)
    return last + timedelta(days=policy.roster_due_days)


def get_roster(course: Course, *, for_update: bool = False) -> Roster | None:
    query = db.select(Roster).where(Roster.course_id == course.id)
    if for_update:
        query = query.with_for_update()
    return db.session.scalar(query)


def effective_status(status: str, due_on: date | None, today: date) -> str:
    """The stored status, except that what the base still owes past its due date is `overdue`.

    A submitted roster past its due date is not overdue: the base has done its part and the
    bureau's decision is pending.
    """
    if status in OPEN_STATUSES and due_on is not None and today > due_on:
        return RosterStatus.OVERDUE
    return RosterStatus(status)


@dataclass
class RosterState:
    """What the roster page and the API show: the stored roster, or the pending one it will be."""

    course: Course
    roster: Roster | None
    status: RosterStatus
    due_on: date | None
    rows: list[dict]
    summary: Summary

    @property
    def finalized(self) -> bool:
        return self.course.finalized_at is not None


def roster_state(course: Course, *, now: datetime) -> RosterState:
    """Read-only: a finalised course without a roster row yet shows as `pending` (no write on GET).

    Rows: as submitted while the bureau holds the roster (submitted, accepted); otherwise as the
    data stand now, which is what the base reviews before (re)submitting.
    The training summary's figures follow the rows: as submitted, or computed from the rows now.
    """
    roster = get_roster(course)
    if roster is None:
        due_on = due_date(course)
        rows = live_rows(course) if course.finalized_at is not None else []
        status = effective_status(RosterStatus.PENDING, due_on, local_date(now))
        summary = Summary("", with_evaluation(course, compute_figures(course, rows)))
        return RosterState(course, None, status, due_on, rows, summary)
    status = effective_status(roster.status, roster.due_on, local_date(now))
    held = roster.status in (RosterStatus.SUBMITTED, RosterStatus.ACCEPTED) and roster.rows is not None
    rows = roster.rows if held else live_rows(course)
    figures = roster.summary_figures if held and roster.summary_figures is not None else None
    summary = Summary(roster.summary_text or "", with_evaluation(course, figures or compute_figures(course, rows)))
    return RosterState(course, roster, status, roster.due_on, rows, summary)


def _scope(course: Course) -> dict:
    return {"base_id": course.base_id, "bureau_id": course.base.bureau_id}


def open_roster(actor, course: Course, *, now: datetime) -> Roster:
    """The course's roster, created `pending` at finalisation; refuses `course_not_finalized`."""
    if course.finalized_at is None:
        raise DomainError("course_not_finalized")
    roster = get_roster(course, for_update=True)
    if roster is not None:
        return roster
    roster = Roster(
        course_id=course.id,
        base_id=course.base_id,
        status=RosterStatus.PENDING,
        due_on=due_date(course),
        created_at=now,
        updated_at=now,
    )
    try:
        with db.session.begin_nested():  # another request or the scheduler may open it at the same time
            db.session.add(roster)
    except IntegrityError:
        return get_roster(course, for_update=True)
    audit(
        actor,
        "roster.open",
        roster,
        now=now,
        after={"status": RosterStatus.PENDING, "due_on": roster.due_on.isoformat()},
        **_scope(course),
    )
    return roster


def notify_base(course: Course, kind: str, *, key: str, roster: Roster, now: datetime, **data) -> None:
    """Tell the active admins of the course's base about its roster (kinds: rosters.notices)."""
    data = {"title": course.title, "due_on": roster.due_on.isoformat(), **data}
    notify(admins_of_base(course.base_id), kind, key=key, data=data, about=course, now=now)


def _roster_of_base(actor, course: Course, *, now: datetime) -> Roster:
    """The roster the base may still change; refuses `forbidden` (not a base admin), `not_found`
    (another base), `course_not_finalized`, `roster_already_submitted`, `roster_already_accepted`."""
    if actor.role != "base_admin":
        raise DomainError("forbidden")
    if not can_manage_base(actor, course.base):
        raise NotFound()
    roster = open_roster(actor, course, now=now)
    if roster.status == RosterStatus.SUBMITTED:
        raise DomainError("roster_already_submitted")
    if roster.status == RosterStatus.ACCEPTED:
        raise DomainError("roster_already_accepted")
    return roster


def clean_summary_text(text: str | None) -> str:
    """The training summary's text, stripped; refuses (422) NUL characters, more than
    SUMMARY_MAX_CHARS characters, and characters no installed PDF font can print."""
    text = (text or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise ValidationFailed({"summary_text": "内容含有无效字符"})
    if len(text) > SUMMARY_MAX_CHARS:
        raise ValidationFailed({"summary_text": f"培训情况总结不能超过 {SUMMARY_MAX_CHARS} 个字"})
    if text and font_for(text) is None:
        missing = "".join(ch for ch in dict.fromkeys(text) if font_for(ch) is None)
        raise ValidationFailed({"summary_text": f"字符「{missing}」没有可用的字体，无法打印，请改用常用字"})
    return text


def _set_summary_text(actor, course: Course, roster: Roster, text: str, *, now: datetime) -> bool:
    if text == (roster.summary_text or ""):
        return False
    before = roster.summary_text or ""
    roster.summary_text, roster.updated_at = text, now
    audit(
        actor, "roster.summary", roster, now=now, before={"summary": before}, after={"summary": text}, **_scope(course)
    )
    return True


def save_summary(actor, course: Course, *, text: str, now: datetime) -> Roster:
    """The base writes its training summary (§9) while the roster is pending or returned; audited when
    the text changes. Refuses as `submit_roster` does, and a text `clean_summary_text` refuses."""
    text = clean_summary_text(text)
    roster = _roster_of_base(actor, course, now=now)
    _set_summary_text(actor, course, roster, text, now=now)
    db.session.flush()
    return roster


def submit_roster(actor, course: Course, *, now: datetime, summary_text: str | None = None) -> Roster:
    """The base submits (or resubmits) its roster, with the training summary's figures computed now
    (and its text, when given: the page sends it, the API has no body). Refuses `forbidden` (not a
    base admin), `not_found` (another base), `course_not_finalized`, `roster_already_submitted`,
    `roster_already_accepted`, and a text `clean_summary_text` refuses."""
    text = clean_summary_text(summary_text) if summary_text is not None else None
    roster = _roster_of_base(actor, course, now=now)
    if text is not None:
        _set_summary_text(actor, course, roster, text, now=now)
    before = roster.status
    rows = live_rows(course)
    roster.status = RosterStatus.SUBMITTED
    roster.rows, roster.row_count = rows, len(rows)
    roster.summary_figures = compute_figures(course, rows)
    roster.submitted_at, roster.submitted_by_id = now, actor.id
    roster.submitted_late = local_date(now) > roster.due_on
    roster.submission_count += 1
    roster.updated_at = now
    audit(
        actor,
        "roster.submit",
        roster,
        now=now,
        before={"status": before},
        after={"status": RosterStatus.SUBMITTED, "rows": len(rows), "late": roster.submitted_late},
        **_scope(course),
    )
    db.session.flush()
    return roster


def decide_roster(actor, course: Course, *, decision: str, comment: str, now: datetime) -> Roster:
    """An officer of the supervising bureau (or above) accepts or returns a submitted roster.

    Acceptance turns the course's ledger entries to `recognized` in the same transaction.
    Refuses `forbidden` (not an officer), `not_found` (outside the officer's bureaus),
    `roster_not_submitted`, and `comment_required` (422) when returning without a comment.
    """
    if actor.role != "bureau_officer":
        raise DomainError("forbidden")
    if not can_supervise_base(actor, course.base):
        raise NotFound()
    comment = (comment or "").strip()
    if decision not in DECISIONS:
        raise ValidationFailed({"decision": "取值无效，可选：accept、return"})
    if decision == "return" and not comment:
        raise ValidationFailed({"comment": "退回时必须填写审核意见"}, code="comment_required")
    roster = get_roster(course, for_update=True)
    if roster is None or roster.status != RosterStatus.SUBMITTED:
        raise DomainError("roster_not_submitted")
    roster.decided_at, roster.decided_by_id, roster.decision_comment = now, actor.id, comment
    roster.updated_at = now
    if decision == "accept":
        roster.status = RosterStatus.ACCEPTED
        recognize_course_entries(actor, course, now=now)
    else:
        roster.status = RosterStatus.RETURNED
        roster.return_count += 1
        key = f"roster_returned:{roster.id}:{roster.return_count}"
        notify_base(course, "roster_returned", key=key, roster=roster, now=now, comment=comment)
    audit(
        actor,
        f"roster.{decision}",
        roster,
        now=now,
        before={"status": RosterStatus.SUBMITTED},
        after={"status": roster.status},
        reason=comment,
        **_scope(course),
    )
    db.session.flush()
    return roster
