"""The five kinds of DOMAIN.md §14 as set-based queries over the stored rows.

Each detector takes `within(column)` (a scope clause on a base id column: the officer's
`in_base_scope`, or everything for the scheduled job) and the policy's loosest thresholds, and
returns `Candidate`s: one per finding, never one per row. Grouping happens in SQL (GROUP BY,
self-joins, HAVING); Python only assembles the few rows of each group that was found.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from basesys.attendance.models import Attendance
from basesys.core.policy import Policy
from basesys.core.sql_time import local_day
from basesys.core.time import local_date
from basesys.courses.models import Course, CourseSession, FilingStatus
from basesys.extensions import db
from basesys.oversight.models import AnomalyKind
from basesys.rosters.models import Roster, RosterStatus
from basesys.rosters.queries import status_expression

Within = Callable[[object], object]


@dataclass
class Candidate:
    """A finding as the records show it now; `measure` is what a base's own policy is checked against."""

    kind: str
    key: str
    base_id: int
    summary: str
    occurred_on: date | None
    course_id: int | None = None
    other_base_id: int | None = None
    other_course_id: int | None = None
    trainee_ids: list[int] = field(default_factory=list)
    measure: float = 0.0

    @property
    def year(self) -> int | None:
        return self.occurred_on.year if self.occurred_on else None


def _scans():
    """Every scanned check-in and check-out with its phone (补签 carry no device, or a stale one)."""
    check_ins = select(
        Attendance.id.label("attendance_id"),
        Attendance.session_id,
        Attendance.trainee_id,
        Attendance.check_in_device.label("device"),
        Attendance.check_in_at.label("at"),
    ).where(Attendance.check_in_device.is_not(None), Attendance.check_in_at.is_not(None), ~Attendance.check_in_manual)
    check_outs = select(
        Attendance.id,
        Attendance.session_id,
        Attendance.trainee_id,
        Attendance.check_out_device,
        Attendance.check_out_at,
    ).where(
        Attendance.check_out_device.is_not(None), Attendance.check_out_at.is_not(None), ~Attendance.check_out_manual
    )
    return union_all(check_ins, check_outs).subquery("scan")


def shared_device(within: Within, policy: Policy, today: date) -> list[Candidate]:
    """One phone that checked in (or out) more than `shared_device_max_trainees` trainees on one local
    date, across the sessions of one base."""
    scan = _scans()
    day = local_day(scan.c.at)
    scoped = (
        select(Course.base_id, scan.c.device, day.label("day"), scan.c.trainee_id)
        .join(CourseSession, CourseSession.id == scan.c.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(within(Course.base_id))
        .subquery("scoped_scan")
    )
    groups = (
        select(scoped.c.base_id, scoped.c.device, scoped.c.day)
        .group_by(scoped.c.base_id, scoped.c.device, scoped.c.day)
        .having(func.count(func.distinct(scoped.c.trainee_id)) > policy.shared_device_max_trainees)
        .subquery("shared")
    )
    rows = db.session.execute(
        select(scoped.c.base_id, scoped.c.device, scoped.c.day, scoped.c.trainee_id)
        .join(
            groups,
            and_(
                groups.c.base_id == scoped.c.base_id,
                groups.c.device == scoped.c.device,
                groups.c.day == scoped.c.day,
            ),
        )
        .distinct()
    ).all()
    found: dict[tuple, set[int]] = defaultdict(set)
    for base_id, device, day_, trainee_id in rows:
        found[(base_id, device, day_)].add(trainee_id)
    return [
        Candidate(
            AnomalyKind.SHARED_DEVICE,
            f"{base_id}:{day_.isoformat()}:{device}",
            base_id,
            f"同一设备（{device[:12]}）于 {day_.isoformat()} 为 {len(trainees)} 名学员签到",
            day_,
            trainee_ids=sorted(trainees),
            measure=len(trainees),
        )
        for (base_id, device, day_), trainees in found.items()
    ]


def _presence():
    """Each attendance row as an interval: from its check-in (else the session's start) to its
    check-out (else the session's end)."""
    return (
        select(
            Attendance.trainee_id,
            Course.id.label("course_id"),
            Course.base_id,
            func.coalesce(Attendance.check_in_at, CourseSession.starts_at).label("start"),
            func.coalesce(Attendance.check_out_at, CourseSession.ends_at).label("end"),
        )
        .join(CourseSession, CourseSession.id == Attendance.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .where(or_(Attendance.check_in_at.is_not(None), Attendance.check_out_at.is_not(None)))
        .subquery("presence")
    )


def impossible_presence(within: Within, policy: Policy, today: date) -> list[Candidate]:
    """One trainee present in two courses at once: two attendance intervals that overlap (a self-join)."""
    presence = _presence()
    a, b = aliased(presence, name="a"), aliased(presence, name="b")
    rows = db.session.execute(
        select(a.c.trainee_id, a.c.course_id, a.c.base_id, b.c.course_id, b.c.base_id, func.min(a.c.start))
        .join(b, and_(b.c.trainee_id == a.c.trainee_id, b.c.course_id > a.c.course_id))
        .where(a.c.start < b.c.end, b.c.start < a.c.end, or_(within(a.c.base_id), within(b.c.base_id)))
        .group_by(a.c.trainee_id, a.c.course_id, a.c.base_id, b.c.course_id, b.c.base_id)
    ).all()
    candidates = []
    for trainee_id, course_id, base_id, other_course_id, other_base_id, first in rows:
        day = local_date(first)  # min() keeps the column's type: an aware instant
        candidates.append(
            Candidate(
                AnomalyKind.IMPOSSIBLE_PRESENCE,
                f"{trainee_id}:{course_id}:{other_course_id}",
                base_id,
                f"同一学员于 {day.isoformat()} 在两个培训项目（#{course_id}、#{other_course_id}）的签到时间重叠",
                day,
                course_id=course_id,
                other_base_id=other_base_id if other_base_id != base_id else None,
                other_course_id=other_course_id,
                trainee_ids=[trainee_id],
                measure=1,
            )
        )
    return candidates


MANUAL = or_(Attendance.check_in_manual, Attendance.check_out_manual)


def _manual_groups(within: Within, policy: Policy):
    """Per course in scope: its attendance rows, those with a 补签, its first session; only the
    courses above the share (HAVING)."""
    counted = func.count(Attendance.id)
    manual_count = func.sum(case((MANUAL, 1), else_=0))
    return (
        select(
            Course.id.label("course_id"),
            Course.base_id,
            counted.label("total"),
            manual_count.label("manual"),
            func.min(CourseSession.starts_at).label("first"),
        )
        .join(CourseSession, CourseSession.course_id == Course.id)
        .join(Attendance, Attendance.session_id == CourseSession.id)
        .where(within(Course.base_id))
        .group_by(Course.id, Course.base_id)
        .having(manual_count > counted * literal(policy.manual_share_max))
        .subquery("manual_share")
    )


def manual_share(within: Within, policy: Policy, today: date) -> list[Candidate]:
    """A course whose 补签 (rows with a manual check-in or check-out) exceed `manual_share_max` of
    its check-ins (its attendance rows)."""
    groups = _manual_groups(within, policy)
    g = groups.c
    rows = db.session.execute(
        select(g.course_id, g.base_id, g.total, g.manual, g.first, Attendance.trainee_id)
        .join(CourseSession, CourseSession.course_id == g.course_id)
        .join(Attendance, Attendance.session_id == CourseSession.id)
        .where(MANUAL)
        .distinct()
    ).all()
    found: dict[tuple, set[int]] = defaultdict(set)
    for course_id, base_id, total, manual_rows, first, trainee_id in rows:
        found[(course_id, base_id, total, manual_rows, first)].add(trainee_id)
    return [
        Candidate(
            AnomalyKind.MANUAL_SHARE,
            str(course_id),
            base_id,
            f"补签 {manual_rows} 条，占全部 {total} 条签到记录的 {manual_rows * 100 // total}%",
            local_date(first),
            course_id=course_id,
            trainee_ids=sorted(trainees),
            measure=manual_rows / total,
        )
        for (course_id, base_id, total, manual_rows, first), trainees in found.items()
    ]


def late_filing(within: Within, policy: Policy, today: date) -> list[Candidate]:
    """A course filed (or re-filed) after its first session had started: 补备案 (§4)."""
    rows = db.session.execute(
        select(Course.id, Course.base_id, Course.submitted_at)
        .where(Course.filing_late, Course.filing_status != FilingStatus.DRAFT, within(Course.base_id))
        .order_by(Course.id)
    ).all()
    return [
        Candidate(
            AnomalyKind.LATE_FILING,
            str(course_id),
            base_id,
            "培训开始后才提交备案（补备案）" + (f"，提交于 {local_date(submitted).isoformat()}" if submitted else ""),
            local_date(submitted) if submitted else None,
            course_id=course_id,
        )
        for course_id, base_id, submitted in rows
    ]


def roster_overdue(within: Within, policy: Policy, today: date) -> list[Candidate]:
    """A roster still owed past its due date, or submitted after it (§9)."""
    overdue = status_expression(today) == RosterStatus.OVERDUE.value
    rows = db.session.execute(
        select(Roster.id, Roster.course_id, Roster.base_id, Roster.due_on, Roster.submitted_at, overdue)
        .where(or_(overdue, Roster.submitted_late), within(Roster.base_id))
        .order_by(Roster.id)
    ).all()
    candidates = []
    for roster_id, course_id, base_id, due_on, submitted, still_owed in rows:
        if still_owed:
            summary = f"学员名单应于 {due_on.isoformat()} 前报送，逾期未报送"
        else:
            summary = f"学员名单应于 {due_on.isoformat()} 前报送，{local_date(submitted).isoformat()} 才报送"
        candidates.append(
            Candidate(AnomalyKind.ROSTER_OVERDUE, str(roster_id), base_id, summary, due_on, course_id=course_id)
        )
    return candidates


DETECTORS = {
    AnomalyKind.SHARED_DEVICE: shared_device,
    AnomalyKind.IMPOSSIBLE_PRESENCE: impossible_presence,
    AnomalyKind.MANUAL_SHARE: manual_share,
    AnomalyKind.LATE_FILING: late_filing,
    AnomalyKind.ROSTER_OVERDUE: roster_overdue,
}
