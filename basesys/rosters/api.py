"""The "Roster filing" endpoints of API.md, plus a list and the accepted-rosters export (additions)."""

from basesys.core.api import File, api_blueprint, api_endpoint
from basesys.core.spreadsheet import CSV_MIMETYPE
from basesys.core.spreadsheet import XLSX_MIMETYPE as XLSX
from basesys.core.time import iso, now_utc
from basesys.courses.access import get_course_for
from basesys.rosters import downloads, services, summary_pdf
from basesys.rosters.queries import rosters_page
from basesys.rosters.schemas import (
    AcceptedRange,
    RosterAnswer,
    RosterDecision,
    RosterList,
    RosterListQuery,
    SummaryText,
)

bp = api_blueprint("rosters_api", __name__)

READERS = ("base_admin", "bureau_officer", "sysadmin")


def roster_json(state: services.RosterState) -> dict:
    roster = state.roster
    return {
        "course_id": state.course.id,
        "course_title": state.course.title,
        "base_id": state.course.base_id,
        "status": state.status,
        "due_on": state.due_on.isoformat() if state.due_on else None,
        "finalized": state.finalized,
        "submitted_at": iso(roster.submitted_at) if roster else None,
        "submitted_late": roster.submitted_late if roster else False,
        "decided_at": iso(roster.decided_at) if roster else None,
        "comment": roster.decision_comment if roster else "",
        "rows": state.rows,
        "summary": {"text": state.summary.text, "figures": state.summary.figures},
    }


@api_endpoint(
    bp,
    "/courses/<int:course_id>/roster",
    "POST",
    summary="Submit (or resubmit) the roster of a finalised course to the supervising bureau",
    roles=["base_admin"],
    answer=RosterAnswer,
    refuses=("course_not_finalized", "roster_already_submitted", "roster_already_accepted"),
)
def submit_roster(actor, course_id: int):
    course = get_course_for(actor, course_id, roles=("base_admin",))
    now = now_utc()
    services.submit_roster(actor, course, now=now)
    return roster_json(services.roster_state(course, now=now))


@api_endpoint(
    bp,
    "/courses/<int:course_id>/roster",
    summary="The roster of a course: status (pending/submitted/accepted/returned/overdue), due_on and rows",
    roles=list(READERS),
    answer=RosterAnswer,
)
def get_roster(actor, course_id: int):
    course = get_course_for(actor, course_id, roles=READERS)
    return roster_json(services.roster_state(course, now=now_utc()))


@api_endpoint(
    bp,
    "/courses/<int:course_id>/roster/decision",
    "POST",
    summary="Accept a submitted roster (the course's ledger entries become recognized) or return it with a comment",
    roles=["bureau_officer"],
    body=RosterDecision,
    answer=RosterAnswer,
    refuses=("roster_not_submitted", "comment_required"),
)
def decide_roster(actor, course_id: int, body: RosterDecision):
    course = get_course_for(actor, course_id, roles=("bureau_officer",))
    now = now_utc()
    services.decide_roster(actor, course, decision=body.decision, comment=body.comment, now=now)
    return roster_json(services.roster_state(course, now=now))


@api_endpoint(
    bp,
    "/courses/<int:course_id>/roster.xlsx",
    summary="The roster as XLSX (columns of DOMAIN.md §9; ID numbers as text)",
    roles=list(READERS),
    answer=File(XLSX, "The roster"),
    refuses=("course_not_finalized",),
)
def roster_xlsx(actor, course_id: int):
    return downloads.course_export(get_course_for(actor, course_id, roles=READERS), "xlsx", now_utc())


@api_endpoint(
    bp,
    "/courses/<int:course_id>/roster.csv",
    summary="The roster as CSV, UTF-8 with BOM (columns of DOMAIN.md §9)",
    roles=list(READERS),
    answer=File(CSV_MIMETYPE, "The roster"),
    refuses=("course_not_finalized",),
)
def roster_csv(actor, course_id: int):
    return downloads.course_export(get_course_for(actor, course_id, roles=READERS), "csv", now_utc())


@api_endpoint(
    bp,
    "/courses/<int:course_id>/roster/summary",
    "PUT",
    summary="The base writes its training summary (addition) while the roster is pending or returned; audited",
    roles=["base_admin"],
    body=SummaryText,
    answer=RosterAnswer,
    refuses=("course_not_finalized", "roster_already_submitted", "roster_already_accepted", "validation_failed"),
)
def put_summary(actor, course_id: int, body: SummaryText):
    course = get_course_for(actor, course_id, roles=("base_admin",))
    now = now_utc()
    services.save_summary(actor, course, text=body.text, now=now)
    return roster_json(services.roster_state(course, now=now))


@api_endpoint(
    bp,
    "/courses/<int:course_id>/roster/summary.pdf",
    summary="The training summary (培训情况总结, DOMAIN.md §9) as PDF: figures, evaluation, the base's text (addition)",
    roles=list(READERS),
    answer=File("application/pdf", "The training summary"),
    refuses=("course_not_finalized",),
)
def roster_summary_pdf(actor, course_id: int):
    now = now_utc()
    return summary_pdf.summary_pdf_response(get_course_for(actor, course_id, roles=READERS), now)


@api_endpoint(
    bp,
    "/rosters",
    summary="Rosters of the bases in scope (addition): waiting first, then by due date; ?status= filters; keyset pages",
    roles=list(READERS),
    query=RosterListQuery,
    answer=RosterList,
)
def rosters(actor, query: RosterListQuery):
    items, after = rosters_page(actor, now_utc(), status=query.status, limit=query.limit, after=query.after)
    return {
        "next": after,
        "items": [
            {
                "course_id": item.course.id,
                "course_title": item.course.title,
                "base_id": item.course.base_id,
                "base_name": item.course.base.name,
                "status": item.status,
                "due_on": item.due_on.isoformat() if item.due_on else None,
                "submitted_at": iso(item.roster.submitted_at) if item.roster else None,
            }
            for item in items
        ],
    }


@api_endpoint(
    bp,
    "/rosters/accepted.xlsx",
    summary="Every roster accepted from ?start= to ?end= (local dates), in one XLSX (addition)",
    roles=["bureau_officer", "sysadmin"],
    query=AcceptedRange,
    answer=File(XLSX, "The accepted rosters"),
)
def accepted_xlsx(actor, query: AcceptedRange):
    return downloads.accepted_export(actor, query.start, query.end, "xlsx")


@api_endpoint(
    bp,
    "/rosters/accepted.csv",
    summary="Every roster accepted from ?start= to ?end= (local dates), in one CSV with BOM (addition)",
    roles=["bureau_officer", "sysadmin"],
    query=AcceptedRange,
    answer=File(CSV_MIMETYPE, "The accepted rosters"),
)
def accepted_csv(actor, query: AcceptedRange):
    return downloads.accepted_export(actor, query.start, query.end, "csv")
