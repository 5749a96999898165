"""Exports for the bureau (§9): XLSX with ID numbers as text, CSV in UTF-8 with a BOM, the same header."""

import csv
import io

import pytest
from openpyxl import load_workbook

from basesys.rosters import exports, services
from basesys.rosters.rows import HEADER
from tests.conftest import at

SECTION_9 = [
    "序号", "姓名", "性别", "身份证号", "工作单位", "专业技术系列", "职称",
    "培训项目", "科目类别", "培训起止日期", "认定学时", "证书编号", "结业状态",
]  # fmt: skip


def test_header_is_exactly_the_columns_of_section_9():
    assert HEADER == SECTION_9


def test_xlsx_keeps_id_numbers_as_text(db, finished, tenants, now):
    rows = services.roster_state(finished, now=now).rows
    book = load_workbook(io.BytesIO(exports.to_xlsx(rows)))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == SECTION_9
    assert len(values) == 4
    first = values[1]
    assert first[:3] == (1, "李四", "男")
    id_cell = sheet.cell(row=2, column=4)
    assert id_cell.value == tenants.trainee.id_number and id_cell.data_type == "s" and id_cell.number_format == "@"
    assert first[7] == "安全生产专题培训" and first[8] == "专业科目" and first[9] == "2025-05-19至2025-05-20"
    assert first[10] == 8.0 and first[11].startswith("2025-") and first[12] == "已结业"
    assert values[3][10] == 4.0 and values[3][11] is None and values[3][12] == "未结业"


def test_an_id_number_ending_in_x_and_a_one_day_course(db, make_course, make_trainee, enroll, finalize, tenants, now):
    from tests.conftest import valid_id_number

    number = next(n for n in (valid_id_number() for _ in range(200)) if n.endswith("X"))
    trainee = make_trainee(name="钱七", id_number=number)
    course = make_course(
        base=tenants.base_a, category="public", sessions=[(at("2025-05-10", "09:00"), at("2025-05-10", "12:00"))]
    )
    enroll(course, trainee)
    finalize(course, {trainee: (4.0, True)})
    rows = services.roster_state(course, now=now).rows
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(rows))).active
    row = [c.value for c in sheet[2]]
    assert row[3] == number and row[8] == "公需科目" and row[9] == "2025-05-10"


def test_csv_has_a_bom_and_the_same_header(db, finished, tenants, now):
    data = exports.to_csv(services.roster_state(finished, now=now).rows)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == SECTION_9
    assert lines[1][3] == tenants.trainee.id_number
    assert lines[1][10] == "8.0" and lines[3][12] == "未结业" and lines[3][11] == ""


def test_accepted_rosters_in_a_date_range_of_the_bases_in_scope(
    db, finished, make_course, make_trainee, enroll, finalize, tenants, now
):
    other = make_course(base=tenants.base_b, sessions=[(at("2025-05-12", "09:00"), at("2025-05-12", "12:00"))])
    trainee = make_trainee(name="孙八")
    enroll(other, trainee)
    finalize(other, {trainee: (4.0, True)})
    services.submit_roster(tenants.admin_a, finished, now=now)
    services.decide_roster(tenants.officer_a, finished, decision="accept", comment="", now=at("2025-06-03", "23:30"))
    services.submit_roster(tenants.admin_b, other, now=now)
    services.decide_roster(tenants.officer_b, other, decision="accept", comment="", now=at("2025-06-04", "00:30"))
    db.session.commit()
    june_3 = at("2025-06-03", "00:00").date()
    june_4 = at("2025-06-04", "00:00").date()

    # Local dates: 23:30 on the 3rd (15:30 UTC) and 00:30 on the 4th (16:30 UTC on the 3rd).
    def accepted(actor, start, end):
        return [r.course_id for r in db.session.scalars(exports.accepted_rosters(actor, start, end))]

    assert accepted(tenants.sysadmin, june_3, june_3) == [finished.id]
    assert accepted(tenants.sysadmin, june_4, june_4) == [other.id]
    assert accepted(tenants.sysadmin, june_3, june_4) == [finished.id, other.id]
    both = exports.accepted_rosters(tenants.sysadmin, june_3, june_4)
    assert [r["seq"] for r in exports.rows_of(both)] == [1, 2, 3, 4]
    assert accepted(tenants.officer_b, june_3, june_4) == [other.id]
    assert accepted(tenants.admin_a, june_3, june_4) == [finished.id]
    assert accepted(tenants.officer_county, june_3, june_4) == []


# --- formula injection (issue 10): a self-registered name must reach the bureau as inert text -----

HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "@SUM(1+1)", "+1-2", "-3", "=cmd|' /C calc'!A0"]


@pytest.fixture
def hostile(make_course, make_trainee, enroll, finalize, tenants):
    """A finalised course whose trainees chose names (and an employer) that Excel would run."""
    course = make_course(base=tenants.base_a, sessions=[(at("2025-05-10", "09:00"), at("2025-05-10", "12:00"))])
    trainees = [make_trainee(name=name, employer="-2+3") for name in HOSTILE]
    enroll(course, *trainees)
    finalize(course, {t: (3.0, True) for t in trainees})
    return course


def assert_inert_xlsx(data: bytes, first_row: int = 2):
    sheet = load_workbook(io.BytesIO(data)).active
    for offset, name in enumerate(HOSTILE):
        for column, text in ((2, name), (5, "-2+3")):
            cell = sheet.cell(row=first_row + offset, column=column)
            # A string cell (never a formula) shown as typed text: the exact value, Excel's "'" prefix.
            assert cell.data_type == "s" and cell.value == text and cell.quotePrefix, (cell.value, cell.data_type)
        hours = sheet.cell(row=first_row + offset, column=11)
        assert hours.value == 3.0 and hours.data_type == "n"  # numbers stay numbers


def assert_inert_csv(data: bytes):
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == SECTION_9
    assert [line[1] for line in lines[1:]] == ["'" + name for name in HOSTILE]
    assert {line[4] for line in lines[1:]} == {"'-2+3"}
    assert {line[10] for line in lines[1:]} == {"3.0"}


def test_xlsx_writes_hostile_names_as_text_not_formulas(db, hostile, now):
    assert_inert_xlsx(exports.to_xlsx(services.roster_state(hostile, now=now).rows))


def test_csv_prefixes_hostile_names_with_an_apostrophe(db, hostile, now):
    assert_inert_csv(exports.to_csv(services.roster_state(hostile, now=now).rows))


def test_accepted_rosters_export_is_inert_too(db, hostile, tenants, now, clock, client, api_headers):
    services.submit_roster(tenants.admin_a, hostile, now=now)
    services.decide_roster(tenants.officer_a, hostile, decision="accept", comment="", now=now)
    db.session.commit()
    url = "/api/v1/rosters/accepted.{}?start=2025-01-01&end=2030-12-31"
    response = client.get(url.format("xlsx"), headers=api_headers(tenants.officer_a))
    assert response.status_code == 200
    assert_inert_xlsx(response.data)
    response = client.get(url.format("csv"), headers=api_headers(tenants.officer_a))
    assert response.status_code == 200
    assert_inert_csv(response.data)


def test_course_roster_downloads_are_inert(db, hostile, tenants, clock, client, api_headers):
    url = f"/api/v1/courses/{hostile.id}/roster"
    assert_inert_xlsx(client.get(url + ".xlsx", headers=api_headers(tenants.officer_a)).data)
    assert_inert_csv(client.get(url + ".csv", headers=api_headers(tenants.admin_a)).data)
