"""Course services (DOMAIN.md §3, §5). Other features use `compute_credit_hours` and `plan_totals`."""

from basesys.courses.services.bookings import capacity_warnings
from basesys.courses.services.catalog import (
    catalog_bases,
    catalog_page,
    is_in_catalog,
    trainee_courses_page,
    upcoming_trainee_courses,
)
from basesys.courses.services.copying import SessionPattern, add_pattern_sessions, copy_course, pattern_dates
from basesys.courses.services.courses import (
    create_course,
    ever_approved,
    is_session_locked,
    list_course_problems,
    update_course,
)
from basesys.courses.services.enrollment import (
    enroll_self,
    enroll_trainee,
    enrolled_count,
    enrolled_counts,
    enrolled_ids,
    list_enrollments,
    remove_enrollment,
)
from basesys.courses.services.importing import ImportResult, import_enrollments
from basesys.courses.services.queries import PAGE_SIZE as COURSE_PAGE_SIZE
from basesys.courses.services.queries import list_base_courses, sessions_between, status_counts
from basesys.courses.services.sessions import (
    KEEP,
    CheckedSession,
    SessionInput,
    check_sessions,
    compute_credit_hours,
    crosses_local_midnight,
    plan_totals,
    plan_totals_of,
    policy_for_course,
    policy_for_sessions,
)

__all__ = [
    "KEEP",
    "capacity_warnings",
    "SessionPattern",
    "add_pattern_sessions",
    "copy_course",
    "pattern_dates",
    "ImportResult",
    "catalog_bases",
    "catalog_page",
    "enroll_self",
    "enroll_trainee",
    "enrolled_count",
    "enrolled_counts",
    "enrolled_ids",
    "import_enrollments",
    "is_in_catalog",
    "COURSE_PAGE_SIZE",
    "list_base_courses",
    "list_course_problems",
    "list_enrollments",
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
    "policy_for_sessions",
    "remove_enrollment",
    "sessions_between",
    "status_counts",
    "trainee_courses_page",
    "upcoming_trainee_courses",
    "update_course",
]
