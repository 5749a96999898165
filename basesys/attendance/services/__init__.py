"""Attendance operations and queries: scans, manual corrections, credited hours (§6–§7).

Split by concern: `credit` (hours from stored attendance), `scan` (QR scans and 补签).
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

__all__ = [
    "TraineeAttendance",
    "course_attendance",
    "course_policy",
    "course_spec",
    "credit_for",
    "finalized_hours_by_date",
    "presences_for",
]
