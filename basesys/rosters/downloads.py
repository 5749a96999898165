"""Roster files as HTTP responses, shared by the API and the pages (one code path per export)."""

from datetime import date, datetime
from urllib.parse import quote

from flask import Response, send_file, stream_with_context

from basesys.core.errors import DomainError, ValidationFailed
from basesys.core.spreadsheet import CSV_MIMETYPE, XLSX_MIMETYPE
from basesys.courses.models import Course
from basesys.rosters import exports, services


def file_response(data, mimetype: str, filename: str) -> Response:
    """`data`: bytes, a file object or an iterator of chunks (streamed)."""
    if hasattr(data, "read"):
        response = send_file(data, mimetype=mimetype, as_attachment=True, download_name=filename)
    else:
        response = Response(data, mimetype=mimetype)
    ascii_name = filename.encode("ascii", "ignore").decode() or "roster"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Cache-Control"] = "no-store"  # full ID numbers: keep them out of shared caches
    return response


def _as(fmt: str, rows, stem: str) -> Response:
    if fmt == "xlsx":
        return file_response(exports.xlsx_file(rows), XLSX_MIMETYPE, f"{stem}.xlsx")
    return file_response(stream_with_context(exports.csv_stream(rows)), CSV_MIMETYPE, f"{stem}.csv")


def course_export(course: Course, fmt: str, now: datetime) -> Response:
    """One course's roster (the rows the roster shows); refuses `course_not_finalized`."""
    if course.finalized_at is None:
        raise DomainError("course_not_finalized")
    return _as(fmt, services.roster_state(course, now=now).rows, f"roster-{course.id}")


def accepted_export(actor, start: date, end: date, fmt: str) -> Response:
    """Every roster in the actor's scope accepted on a local date from start to end: written as it is
    read (a CSV streams to the client; an XLSX goes through a temporary file), in constant memory."""
    if end < start:
        raise ValidationFailed({"end": "结束日期不能早于开始日期"})
    rows = exports.rows_of(exports.accepted_rosters(actor, start, end))
    return _as(fmt, rows, f"rosters-accepted-{start.isoformat()}-{end.isoformat()}")
