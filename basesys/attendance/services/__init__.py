"""Attendance operations and queries: scans, manual corrections, credited hours (§6–§7).

Split by concern: `credit` (hours from stored attendance), `issue` (rotating codes), `scan` (the
scan hot path), `manual` (补签), `lists` (what the pages show). The refusal codes are attendance/refusals.py's.
"""

from basesys.attendance.refusals import REFUSALS
from basesys.attendance.services.checkin_code import (
    IssuedCheckinCode,
    checkin_code,
    checkin_codes,
    renew_checkin_code,
    trainee_of_code,
)
from basesys.attendance.services.credit import (
    TraineeAttendance,
    course_attendance,
    course_policy,
    course_spec,
    credit_for,
    finalized_hours_by_date,
    presences_for,
    trainee_credits,
)
from basesys.attendance.services.guidance import (
    CheckInGuidance,
    SessionHours,
    checkin_guidance,
    checkout_preview,
    credited_hours,
    full_credit_from,
    is_early_checkout,
)
from basesys.attendance.services.issue import IssuedCode, issue_code, resolve_token, scan_policy
from basesys.attendance.services.lists import (
    Completion,
    completion_of,
    has_opened,
    last_scan_close,
    projector_purpose,
    refusals_for,
    session_counts,
    sessions_of_day,
    trainee_sessions_of_day,
)
from basesys.attendance.services.manual import record_manual, record_manual_bulk, session_window
from basesys.attendance.services.scan import ScanPlan, ScanResult, carry_out, normalize_device_id, plan_scan, scan
from basesys.attendance.services.staff import StaffScanAnswer, StaffScanInput, record_staff_scans

__all__ = [
    "REFUSALS",
    "CheckInGuidance",
    "Completion",
    "IssuedCheckinCode",
    "IssuedCode",
    "ScanPlan",
    "ScanResult",
    "SessionHours",
    "StaffScanAnswer",
    "StaffScanInput",
    "TraineeAttendance",
    "carry_out",
    "checkin_code",
    "checkin_codes",
    "checkin_guidance",
    "checkout_preview",
    "completion_of",
    "course_attendance",
    "course_policy",
    "course_spec",
    "credit_for",
    "credited_hours",
    "finalized_hours_by_date",
    "has_opened",
    "full_credit_from",
    "is_early_checkout",
    "issue_code",
    "last_scan_close",
    "normalize_device_id",
    "plan_scan",
    "presences_for",
    "projector_purpose",
    "record_manual",
    "record_manual_bulk",
    "record_staff_scans",
    "refusals_for",
    "renew_checkin_code",
    "resolve_token",
    "scan",
    "scan_policy",
    "session_counts",
    "session_window",
    "sessions_of_day",
    "trainee_credits",
    "trainee_of_code",
    "trainee_sessions_of_day",
]
