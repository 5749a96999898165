"""Reading (and offering as a template) the enrolment file in the 报名表 layout (DOMAIN.md §5).

Columns 序号, 姓名, 性别, 身份证号, 工作单位, 专业技术系列, 职称, 手机, as XLSX or CSV. CSV comes in UTF-8
(with or without BOM), GBK/GB18030 (what Excel on a Chinese Windows writes) or UTF-16 ("Unicode
text", tab-separated). Problems are reported as rows {row, column, reason}, `row` being the line
number in the file (header = 1); nothing here touches the database. A workbook whose zip members
would inflate beyond MAX_XLSX_UNCOMPRESSED (or at a ratio above MAX_XLSX_RATIO) is refused unopened.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from basesys.core.errors import DomainError
from basesys.core.spreadsheet import append_row, csv_bytes, new_workbook, xlsx_bytes

# (key, column title) in the order of the form.
COLUMNS = [
    ("seq", "序号"),
    ("name", "姓名"),
    ("gender", "性别"),
    ("id_number", "身份证号"),
    ("employer", "工作单位"),
    ("series", "专业技术系列"),
    ("title", "职称"),
    ("phone", "手机"),
]
TITLES = dict(COLUMNS)
REQUIRED_COLUMNS = ("name", "id_number", "employer", "series", "title", "phone")
ALIASES = {
    "身份证号码": "id_number",
    "身份证": "id_number",
    "公民身份号码": "id_number",
    "证件号码": "id_number",
    "单位": "employer",
    "工作单位名称": "employer",
    "所在单位": "employer",
    "系列": "series",
    "专业技术职称": "title",
    "职称名称": "title",
    "手机号": "phone",
    "手机号码": "phone",
    "联系电话": "phone",
    "电话": "phone",
    "编号": "seq",
}
MAX_ROWS = 20000
MAX_COLUMNS = 40
HEADER_SEARCH_ROWS = 10
# A workbook is a zip: its members' sizes are checked before openpyxl inflates any of them (a 1 MB
# upload can inflate to gigabytes). 20,000 rows written with inline strings are ~9 MB of XML and
# compress ~13:1; Python's zipfile never inflates a member past the size its directory declares.
MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_XLSX_RATIO = 100  # for members larger than RATIO_CHECKED_FROM (small parts may compress better)
RATIO_CHECKED_FROM = 1024 * 1024
MAX_XLSX_MEMBERS = 1000


@dataclass
class EnrollmentRow:
    line: int
    values: dict[str, str] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)  # cell-level problems found while reading


def problem(row: int, column: str, reason: str) -> dict:
    return {"row": row, "column": column, "reason": reason}


def invalid(rows: list[dict]) -> DomainError:
    return DomainError("import_invalid", rows=rows)


def _column_key(title) -> str | None:
    text = "".join(str(title or "").split()).replace("*", "").replace("＊", "")
    for key, name in COLUMNS:
        if text == name:
            return key
    return ALIASES.get(text)


# --- decoding ---------------------------------------------------------------------------------


def _decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise invalid([problem(1, "", "无法识别文件编码，请另存为 Excel（.xlsx）或 UTF-8 编码的 CSV")])


def _csv_records(data: bytes):
    try:
        text = _decode_text(data)
    except UnicodeDecodeError:
        raise invalid([problem(1, "", "文件编码有误，请另存为 Excel（.xlsx）或 UTF-8 编码的 CSV")]) from None
    if "\x00" in text:
        raise invalid([problem(1, "", "无法识别的文件格式，请上传 .xlsx 或 .csv 文件")])
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";", "，"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for record in reader:
            yield line, record[:MAX_COLUMNS]
            line = reader.line_num + 1
    except csv.Error as exc:
        raise invalid([problem(line, "", f"CSV 格式错误：{exc}")]) from None


def _check_zip_sizes(data: bytes) -> None:
    """Refuses a workbook whose members would inflate past the bounds (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception as exc:  # noqa: BLE001 - any failure to read the directory is a bad upload
        raise _unreadable(exc) from None
    if len(members) > MAX_XLSX_MEMBERS:
        raise invalid([problem(1, "", f"该 Excel 文件包含的部件过多（超过 {MAX_XLSX_MEMBERS} 个），不是有效的报名表")])
    total = sum(member.file_size for member in members)
    if total > MAX_XLSX_UNCOMPRESSED:
        limit = MAX_XLSX_UNCOMPRESSED // (1024 * 1024)
        raise invalid([problem(1, "", f"该 Excel 文件解压后超过 {limit} MB，已拒绝；请只保留报名表数据后重新上传")])
    for member in members:
        if member.file_size >= RATIO_CHECKED_FROM and member.file_size > MAX_XLSX_RATIO * max(member.compress_size, 1):
            raise invalid([problem(1, "", f"该 Excel 文件的压缩比异常（超过 {MAX_XLSX_RATIO} 倍），已拒绝")])


def _xlsx_records(data: bytes):
    from openpyxl import load_workbook

    _check_zip_sizes(data)
    # A damaged workbook can fail anywhere inside openpyxl (zip, XML, styles), while opening or
    # while reading rows: any such failure is a bad upload, never a server error.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001
        raise _unreadable(exc) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
        line = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001
                raise _unreadable(exc, line + 1) from None
            line += 1
            yield line, list(values)
    finally:
        workbook.close()


def _unreadable(exc: Exception, line: int = 1) -> DomainError:
    return invalid([problem(line, "", f"无法读取该 Excel 文件（{type(exc).__name__}），请检查文件是否损坏")])


def _records(data: bytes, filename: str):
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_records(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise invalid([problem(1, "", "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后上传")])
    if (filename or "").lower().endswith(".xlsx"):
        raise invalid([problem(1, "", "该文件不是有效的 .xlsx 文件")])
    return _csv_records(data)


# --- cells ------------------------------------------------------------------------------------


def _cell(value, key: str) -> tuple[str, str | None]:
    """(text, reason or None) of one cell; numbers Excel made of ID numbers are refused."""
    if value is None:
        return "", None
    if isinstance(value, bool):
        return str(value), None
    if isinstance(value, (int, float)):
        if key == "id_number":
            return str(value), "身份证号码被 Excel 存成了数字（末几位已丢失），请把该列设为“文本”后重新填写"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value), None
    text = str(value).replace("\u3000", " ").strip()
    if key == "id_number":
        text = text.replace(" ", "").lstrip("'")
    return text, None


def _is_blank(record) -> bool:
    return all(value is None or str(value).strip() == "" for value in record)


def read_enrollment_file(data: bytes, filename: str = "") -> list[EnrollmentRow]:
    """The data rows of an enrolment file; refuses (import_invalid, with rows) an empty file, no
    header, missing or repeated columns, more than MAX_ROWS rows, unreadable files."""
    if not data or not data.strip():
        raise invalid([problem(1, "", "文件是空的")])
    records = iter(_records(data, filename))
    header_line, mapping = _find_header(records)
    rows: list[EnrollmentRow] = []
    for line, record in records:
        if _is_blank(record):
            continue
        if len(rows) >= MAX_ROWS:
            raise invalid([problem(line, "", f"数据超过 {MAX_ROWS} 行，请分批导入")])
        row = EnrollmentRow(line)
        for index, key in mapping.items():
            text, reason = _cell(record[index] if index < len(record) else None, key)
            row.values[key] = text
            if reason:
                row.problems.append(problem(line, TITLES[key], reason))
        rows.append(row)
    if not rows:
        raise invalid([problem(header_line, "", "表头下面没有数据行")])
    return rows


def _find_header(records) -> tuple[int, dict[int, str]]:
    seen = 0
    for line, record in records:
        if _is_blank(record):
            continue
        seen += 1
        keys = [_column_key(value) for value in record]
        if sum(1 for key in keys if key) >= 2:
            return line, _header_mapping(line, keys)
        if seen >= HEADER_SEARCH_ROWS:
            break
    if seen == 0:
        raise invalid([problem(1, "", "文件是空的")])
    expected = "、".join(name for _key, name in COLUMNS)
    raise invalid([problem(1, "", f"找不到表头，第一行应为：{expected}")])


def _header_mapping(line: int, keys: list[str | None]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    problems = []
    for index, key in enumerate(keys):
        if key is None:
            continue
        if key in mapping.values():
            problems.append(problem(line, TITLES[key], "该列重复出现"))
            continue
        mapping[index] = key
    for key in REQUIRED_COLUMNS:
        if key not in mapping.values():
            problems.append(problem(line, TITLES[key], "缺少此列"))
    if problems:
        raise invalid(problems)
    return mapping


# --- the template -----------------------------------------------------------------------------

EXAMPLE_NOTE = [
    "填写说明：",
    "1. 第一行是表头，请勿修改；从第二行起每行一名学员。",
    "2. 姓名、身份证号必填；身份证号为18位，请把该列设为“文本”格式，以免 Excel 把号码变成数字。",
    "3. 性别可不填；填写时须与身份证号码一致（男/女）。",
    "4. 尚未注册的学员会按此表新建学员记录，学员日后用同一身份证号和姓名注册即可看到报名。",
    "5. 整个文件有任何一行出错都不会导入，页面会列出全部出错的行、列和原因。",
    "6. 也可以上传 CSV（UTF-8 或 Excel 默认的 GBK 编码均可）。",
]


def template_xlsx() -> bytes:
    from openpyxl.styles import Font

    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "报名表"
    append_row(sheet, [name for _key, name in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = {"A": 6, "B": 12, "C": 6, "D": 22, "E": 30, "F": 16, "G": 14, "H": 14}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for row in range(2, 502):  # ID numbers and phones as text, so Excel keeps every digit
        sheet.cell(row=row, column=4).number_format = "@"
        sheet.cell(row=row, column=8).number_format = "@"
    notes = workbook.create_sheet("填写说明")
    for line in EXAMPLE_NOTE:
        append_row(notes, [line])
    notes.column_dimensions["A"].width = 100
    return xlsx_bytes(workbook)


def template_csv() -> bytes:
    """UTF-8 with BOM, so Excel opens it with the Chinese intact."""
    return csv_bytes([[name for _key, name in COLUMNS]])
