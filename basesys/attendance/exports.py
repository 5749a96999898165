"""The course's attendance as an XLSX file: one row per enrolled trainee, three columns per session.
Written through core/spreadsheet.py, so a trainee's name or the course title is never a formula."""

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from basesys.attendance.models import VIA_LABELS, Via
from basesys.core.spreadsheet import XLSX_MIMETYPE, append_row, new_workbook, xlsx_bytes
from basesys.core.time import LOCAL_TZ, hhmm


def _time(moment, via) -> str:
    """The time, marked with how it was recorded unless the trainee scanned it (§6: manual, staff
    and offline are marked in every report)."""
    if moment is None:
        return ""
    return hhmm(moment) + (f"（{VIA_LABELS[via]}）" if via not in (None, Via.SELF) else "")


COMPLETION_LABELS = {"completed": "结业", "not_completed": "未结业", "running": "进行中", "awaiting": "待结业"}


def attendance_workbook(course, lines, completion: dict) -> Workbook:
    """`completion`: trainee id → services.Completion (a verdict only once the course is finalised)."""
    book = new_workbook()
    sheet = book.active
    sheet.title = "考勤"
    append_row(sheet, [f"{course.title}（{course.filing_number or '未备案'}）考勤表"])
    header = ["序号", "姓名", "身份证号"]
    for s in course.sessions:
        label = f"{s.starts_at.astimezone(LOCAL_TZ):%m-%d %H:%M}"
        header += [f"{label} 签到", f"{label} 签退", f"{label} 学时"]
    header += ["认定学时", "核减学时", "结业状态"]
    append_row(sheet, header)
    for number, line in enumerate(lines, 1):
        values = [number, line.trainee.name, line.trainee.id_number_masked]
        for s in course.sessions:
            row = line.rows.get(s.id)
            credit = line.credit.session(s.id)
            check_in = _time(row.check_in_at, row.via_in) if row else ""
            check_out = _time(row.check_out_at, row.via_out) if row else ""
            if row and row.check_in_at and not row.check_out_at and course.attendance_mode == "in_out":
                check_out = "未签退"
            values += [check_in, check_out, credit.credited_hours]
        values += [line.credit.credited_hours, line.credit.capped_hours, COMPLETION_LABELS[completion[line.trainee.id]]]
        append_row(sheet, values)
    sheet["A1"].font = Font(bold=True, size=13)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 20 if index == 3 else 12
    sheet.freeze_panes = "D3"
    return book


def xlsx_response(course, lines, completion: dict) -> Response:
    filename = f"attendance-{course.id}.xlsx"
    return Response(
        xlsx_bytes(attendance_workbook(course, lines, completion)),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f"attachment; filename={filename}", "Cache-Control": "no-store"},
    )
