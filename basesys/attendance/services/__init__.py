"""Attendance operations and queries: scans, manual corrections, credited hours (§6–§7).

Split by concern: `credit` (hours from stored attendance), `scan` (QR codes, scans and 补签),
`lists` (what the pages show).
"""

from basesys.attendance.services.credit import (
    TraineeAttendance,
    course_attendance,
    course_policy,
    course_spec,
    credit_for,
    finalized_hours_by_date,
    presences_for,
)
from basesys.attendance.services.lists import refusals_for, session_counts, sessions_of_day
from basesys.attendance.services.scan import (
    REFUSALS,
    IssuedCode,
    ScanResult,
    issue_code,
    normalize_device_id,
    record_manual,
    resolve_token,
    scan,
    scan_policy,
)

__all__ = [
    "REFUSALS",
    "IssuedCode",
    "ScanResult",
    "TraineeAttendance",
    "course_attendance",
    "course_policy",
    "course_spec",
    "credit_for",
    "finalized_hours_by_date",
    "issue_code",
    "normalize_device_id",
    "presences_for",
    "record_manual",
    "refusals_for",
    "resolve_token",
    "scan",
    "scan_policy",
    "session_counts",
    "sessions_of_day",
]
