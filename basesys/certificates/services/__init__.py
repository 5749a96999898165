"""Certificate operations: finalisation, recognition, revocation, and the queries pages and API share."""

from basesys.certificates.services.due import courses_due_to_finalize, courses_ready_to_finalize
from basesys.certificates.services.finalize import (
    CHUNK_SIZE,
    PreviewRow,
    Totals,
    check_finalizable,
    course_totals,
    finalize_chunk,
    finalize_course,
    has_ended,
    preview_course,
)
from basesys.certificates.services.queries import (
    HoursSummary,
    certificate_years,
    certificates_of,
    certificates_page,
    course_results,
    find_certificate,
    get_certificate_for,
    hours_summary,
    hours_totals,
    verification_details,
)
from basesys.certificates.services.recognize import recognize_course_entries
from basesys.certificates.services.revoke import revoke_certificate

__all__ = [
    "CHUNK_SIZE",
    "HoursSummary",
    "PreviewRow",
    "Totals",
    "certificate_years",
    "certificates_of",
    "certificates_page",
    "check_finalizable",
    "course_results",
    "course_totals",
    "courses_due_to_finalize",
    "courses_ready_to_finalize",
    "finalize_chunk",
    "finalize_course",
    "find_certificate",
    "get_certificate_for",
    "has_ended",
    "hours_summary",
    "hours_totals",
    "preview_course",
    "recognize_course_entries",
    "revoke_certificate",
    "verification_details",
]
