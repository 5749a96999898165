"""API.md "Roster filing", row by row: every documented field, status and error code."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.conftest import at
from tests.contract.cases import Case, no_token, outside_scope, request, run, tenant, wrong_role
from tests.contract.shapes import ROSTER, with_values

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# DOMAIN.md §9, the columns of the export, written out from the contract on purpose (not imported from
# basesys.rosters.rows.HEADER, which is what the test checks).
COLUMNS = [
    "序号",
    "姓名",
    "性别",
    "身份证号",
    "工作单位",
    "专业技术系列",
    "职称",
    "培训项目",
    "科目类别",
    "培训起止日期",
    "认定学时",
    "证书编号",
    "结业状态",
]


def another_finished(w):
    """One more course of base A, finalised on 2025-05-20 like `finished` (roster due 2025-06-19)."""
    course = w.course(sessions=[(at("2025-05-20", "09:00"), at("2025-05-20", "12:00"))])
    trainee = w.make_trainee(name="陈十三")
    w.enroll(course, trainee)
    w.roster_trainee = trainee
    return w.request.getfixturevalue("finalize")(course, {trainee: (4.0, True)}, when=at("2025-05-20", "14:00"))


def roster_path(course_of, suffix=""):
    return lambda w: f"/api/v1/courses/{course_of(w).id}/roster{suffix}"


def submitted(course_of):
    def make(w):
        course = course_of(w)
        w.ok("POST", roster_path(lambda _: course)(w), w.t.admin_a)
        return course

    return make


def decide(body, who="officer_a"):
    def send(w):
        course = submitted(another_finished)(w)
        w.decided = course
        return w.call("POST", roster_path(lambda _: course, "/decision")(w), tenant(who, w), json=body)

    return send


def every_enrolled_trainee(body, w):
    assert len(body["rows"]) == 3, f"rows: every enrolled trainee of the course (3), got {len(body['rows'])}"


def ledger_recognized(body, w):
    """DOMAIN §9: acceptance turns the course's ledger entries to recognized."""
    hours = w.ok("GET", "/api/v1/me/hours?year=2025", w.roster_trainee)
    statuses = [e["status"] for e in hours["entries"] if e["course_id"] == w.decided.id]
    assert statuses == ["recognized"], f"ledger entries of the accepted roster: {statuses}"


def overdue(w):
    course = w.finished
    w.clock.set(at("2025-06-20", "09:00"))
    return w.call("GET", roster_path(lambda _: course)(w), w.t.admin_a)


def header_of_xlsx(response, w):
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    assert header == COLUMNS, f"XLSX header {header}"
    assert sheet.max_row == 4, f"XLSX rows: 3 trainees under the header, got {sheet.max_row - 1}"


def header_of_csv(response, w):
    assert response.data.startswith(b"\xef\xbb\xbf"), "CSV without the UTF-8 BOM"
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert lines[0] == COLUMNS, f"CSV header {lines[0]}"
    assert len(lines) == 4, f"CSV rows: 3 trainees under the header, got {len(lines) - 1}"


def finished(w):
    return w.finished


CASES = {
    "POST /api/v1/courses/{id}/roster": [
        Case(
            "200 {status: submitted, due_on, rows}",
            request("POST", roster_path(finished), "admin_a"),
            200,
            shape=with_values(ROSTER, status="submitted", due_on="2025-06-19"),
            then=every_enrolled_trainee,
        ),
        Case(
            "409 course_not_finalized",
            request("POST", roster_path(lambda w: w.running), "admin_a"),
            409,
            "course_not_finalized",
        ),
        outside_scope("POST", roster_path(another_finished), "admin_b"),
        no_token("POST", roster_path(another_finished)),
        wrong_role("POST", roster_path(another_finished), "officer_a"),
    ],
    "GET /api/v1/courses/{id}/roster": [
        Case(
            "200 pending before submission, for its base",
            request("GET", roster_path(another_finished), "admin_a"),
            200,
            shape=with_values(ROSTER, status="pending", due_on="2025-06-19"),
        ),
        Case(
            "200 submitted, for its bureau",
            request("GET", roster_path(submitted(another_finished)), "officer_a"),
            200,
            shape=with_values(ROSTER, status="submitted"),
        ),
        Case(
            "200 overdue after due_on", overdue, 200, shape=with_values(ROSTER, status="overdue", due_on="2025-06-19")
        ),
        outside_scope("GET", roster_path(another_finished), "admin_b", " (another base)"),
        outside_scope("GET", roster_path(another_finished), "officer_b", " (another city)"),
        no_token("GET", roster_path(another_finished)),
        wrong_role("GET", roster_path(another_finished), "trainee"),
    ],
    "POST /api/v1/courses/{id}/roster/decision": [
        Case(
            "200 accept → roster accepted",
            decide({"decision": "accept", "comment": ""}),
            200,
            shape=with_values(ROSTER, status="accepted"),
            then=ledger_recognized,
        ),
        Case(
            "200 return with a comment → roster returned",
            decide({"decision": "return", "comment": "缺少证书编号"}),
            200,
            shape=with_values(ROSTER, status="returned"),
        ),
        Case(
            "200 by an officer of a bureau above",
            decide({"decision": "accept", "comment": ""}, who="officer_province"),
            200,
            shape=with_values(ROSTER, status="accepted"),
        ),
        Case("422 returning without a comment (DOMAIN §9)", decide({"decision": "return", "comment": ""}), 422),
        Case("422 for a decision outside accept/return", decide({"decision": "approve", "comment": "x"}), 422),
        Case(
            "404 outside the caller's scope",
            decide({"decision": "accept", "comment": ""}, who="officer_b"),
            404,
            "not_found",
        ),
        no_token("POST", roster_path(another_finished, "/decision")),
        wrong_role(
            "POST",
            roster_path(submitted(another_finished), "/decision"),
            "admin_a",
            json={"decision": "accept"},
        ),
    ],
    "GET /api/v1/courses/{id}/roster.xlsx, .csv": [
        Case(
            "200 XLSX with the columns of DOMAIN §9, for its base",
            request("GET", roster_path(finished, ".xlsx"), "admin_a"),
            200,
            mimetype=XLSX,
            then=header_of_xlsx,
        ),
        Case(
            "200 CSV (UTF-8 with BOM) with the columns of DOMAIN §9, for its bureau",
            request("GET", roster_path(finished, ".csv"), "officer_a"),
            200,
            mimetype="text/csv",
            then=header_of_csv,
        ),
        *(
            outside_scope("GET", roster_path(another_finished, suffix), who, f" ({suffix})")
            for suffix in (".xlsx", ".csv")
            for who in ("admin_b", "officer_b")
        ),
        no_token("GET", roster_path(another_finished, ".xlsx")),
        no_token("GET", roster_path(another_finished, ".csv")),
        wrong_role("GET", roster_path(another_finished, ".xlsx"), "trainee"),
        wrong_role("GET", roster_path(another_finished, ".csv"), "trainee"),
    ],
}


@pytest.mark.parametrize("row", list(CASES))
def test_row(row, world):
    run(CASES[row], world)
