"""Course services (DOMAIN.md §3, §5). Other features use `compute_credit_hours` and `plan_totals`."""

from basesys.courses import refusals as _refusals  # noqa: F401  (registers the refusal codes)
from basesys.courses.services.courses import create_course, ever_approved, is_session_locked, update_course
from basesys.courses.services.sessions import (
    CheckedSession,
    SessionInput,
    check_sessions,
    compute_credit_hours,
    crosses_local_midnight,
    plan_totals,
    plan_totals_of,
    policy_for_course,
)

__all__ = [
    "CheckedSession",
    "SessionInput",
    "check_sessions",
    "compute_credit_hours",
    "create_course",
    "crosses_local_midnight",
    "ever_approved",
    "is_session_locked",
    "plan_totals",
    "plan_totals_of",
    "policy_for_course",
    "update_course",
]
