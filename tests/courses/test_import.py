"""Importing the 报名表 (DOMAIN.md §5): all or nothing, every bad row reported, encodings, size."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook

from basesys.accounts.models import Trainee
from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError
from basesys.core.ids import id_check_digit
from basesys.core.phones import PHONE_MESSAGE
from basesys.courses.enrollment_file import read_enrollment_file, template_csv, template_xlsx
from basesys.courses.models import Enrollment
from basesys.courses.services import import_enrollments
from tests.conftest import valid_id_number

HEADER = ["序号", "姓名", "性别", "身份证号", "工作单位", "专业技术系列", "职称", "手机"]


def person_id(i: int, male: bool = True) -> str:
    born = date(1970, 1, 1) + timedelta(days=i // 40)
    body = "370402" + born.strftime("%Y%m%d") + f"{i % 40:02d}{1 if male else 2}"
    return body + id_check_digit(body)


def row(i, name=None, gender="", number=None, employer="枣庄医院", series="卫生", title="医师", phone="13800000000"):
    return [
        str(i),
        f"学员{i}" if name is None else name,
        gender,
        number or person_id(i),
        employer,
        series,
        title,
        phone,
    ]


def csv_bytes(rows, header=HEADER, encoding="utf-8", delimiter=","):
    text = "\r\n".join(delimiter.join(r) for r in [header, *rows]) + "\r\n"
    return text.encode(encoding)


def xlsx_bytes(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def course(make_course, tenants):
    return make_course(base=tenants.base_a, status="draft")


def refused(course, data, admin, now, filename="名单.csv"):
    with pytest.raises(DomainError) as error:
        import_enrollments(admin, course, data, filename=filename, now=now)
    assert error.value.code == "import_invalid" and error.value.status == 422
    return error.value.details["rows"]


def enrolled(db, course):
    db.session.rollback()
    return db.session.scalar(
        db.select(db.func.count()).select_from(Enrollment).where(Enrollment.course_id == course.id)
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_common_encoding_is_read(encoding):
    rows = read_enrollment_file(csv_bytes([row(1, name="张三"), row(2, name="李四")], encoding=encoding))
    assert [(r.line, r.values["name"]) for r in rows] == [(2, "张三"), (3, "李四")]


def test_excel_unicode_text_with_tabs_is_read():
    data = csv_bytes([row(1, name="王五")], encoding="utf-16", delimiter="\t")
    assert read_enrollment_file(data)[0].values["name"] == "王五"


def test_xlsx_is_read_and_its_template_round_trips():
    assert read_enrollment_file(xlsx_bytes([row(1, name="张三")]), "a.xlsx")[0].values["id_number"] == person_id(1)
    with pytest.raises(DomainError) as error:  # the template has no data rows yet
        read_enrollment_file(template_xlsx(), "模板.xlsx")
    assert error.value.details["rows"][0]["reason"] == "表头下面没有数据行"
    assert template_csv().startswith(b"\xef\xbb\xbf\xe5\xba\x8f\xe5\x8f\xb7")  # BOM + 序号


def test_import_creates_unknown_trainees_and_enrols_everyone(db, now, tenants, course):
    data = csv_bytes(
        [row(1, name="张三", gender="男"), row(2, name=tenants.trainee.name, number=tenants.trainee.id_number)]
    )
    result = import_enrollments(tenants.admin_a, course, data, filename="名单.csv", now=now)
    db.session.commit()
    assert (result.imported, result.created_trainees, result.already_enrolled) == (2, 1, 0)
    created = db.session.scalar(db.select(Trainee).where(Trainee.id_number == person_id(1)))
    assert (created.name, created.employer, created.gender, created.registered) == ("张三", "枣庄医院", "M", False)
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "enrollment.imported"))
    assert record.after["imported"] == 2 and record.after["created_trainee_ids"] == [created.id]


def test_reimporting_the_same_file_skips_those_already_enrolled(db, now, tenants, course):
    data = csv_bytes([row(1), row(2)])
    import_enrollments(tenants.admin_a, course, data, now=now)
    result = import_enrollments(tenants.admin_a, course, csv_bytes([row(1), row(2), row(3)]), now=now)
    assert (result.imported, result.already_enrolled) == (1, 2)


def test_every_bad_row_is_reported_and_nothing_imported(db, now, tenants, course):
    bad_checksum = person_id(3)[:-1] + ("0" if person_id(3)[-1] != "0" else "1")
    data = csv_bytes(
        [
            row(1),
            row(2, name=""),
            row(3, number=bad_checksum),
            row(4, number=person_id(1)),  # the same person as line 2
            row(5, gender="女"),  # the ID number is a man's
            row(6, number=tenants.trainee.id_number, name="不是李四"),
            row(7, employer="单" * 121),
        ]
    )
    rows = refused(course, data, tenants.admin_a, now)
    assert [(r["row"], r["column"]) for r in rows] == [
        (3, "姓名"),
        (4, "身份证号"),
        (5, "身份证号"),
        (6, "性别"),
        (7, "姓名"),
        (8, "工作单位"),
    ]
    assert "与第 2 行" in rows[2]["reason"] and "应为男" in rows[3]["reason"]
    assert enrolled(db, course) == 0
    assert db.session.scalar(db.select(Trainee).where(Trainee.id_number == person_id(1))) is None


def test_empty_file_is_refused(db, now, tenants, course):
    assert refused(course, b"", tenants.admin_a, now)[0]["reason"] == "文件是空的"
    assert refused(course, b"\r\n \r\n", tenants.admin_a, now)[0]["reason"] == "文件是空的"


def test_header_without_rows_is_refused(db, now, tenants, course):
    assert refused(course, csv_bytes([]), tenants.admin_a, now)[0]["reason"] == "表头下面没有数据行"


def test_missing_columns_are_each_reported(db, now, tenants, course):
    header = ["序号", "姓名", "性别", "身份证号", "工作单位"]
    rows = refused(course, csv_bytes([row(1)[:5]], header=header), tenants.admin_a, now)
    assert [(r["row"], r["column"], r["reason"]) for r in rows] == [
        (1, "专业技术系列", "缺少此列"),
        (1, "职称", "缺少此列"),
        (1, "手机", "缺少此列"),
    ]


def test_a_file_without_any_known_header_is_refused(db, now, tenants, course):
    rows = refused(course, b"a,b,c\r\n1,2,3\r\n", tenants.admin_a, now)
    assert rows[0]["row"] == 1 and "找不到表头" in rows[0]["reason"]


def test_title_rows_above_the_header_keep_file_line_numbers(db, now, tenants, course):
    data = ("2025年度专业技术人员继续教育报名表\r\n填报单位：\r\n" + ",".join(HEADER) + "\r\n").encode("gbk")
    data += ",".join(row(1, name="")).encode("gbk") + b"\r\n"
    assert refused(course, data, tenants.admin_a, now)[0]["row"] == 4


def test_header_aliases_of_the_dezhou_form_are_accepted():
    header = ["序号", "姓名", "性别", "身份证号码", "单位", "专业技术系列", "职称", "手机号码"]
    assert read_enrollment_file(csv_bytes([row(1)], header=header))[0].values["employer"] == "枣庄医院"


def test_old_xls_and_garbage_are_refused(db, now, tenants, course):
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert ".xls" in refused(course, xls, tenants.admin_a, now, "a.xls")[0]["reason"]
    garbage = bytes(range(256)) * 20
    assert refused(course, garbage, tenants.admin_a, now, "a.csv")
    assert refused(course, b"PK\x03\x04broken zip", tenants.admin_a, now, "a.xlsx")


def test_damaged_workbooks_are_refused_not_crashed(db, now, tenants, course):
    import zipfile

    good = xlsx_bytes([row(1)])
    source, damaged = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    assert "无法读取" in refused(course, damaged.getvalue(), tenants.admin_a, now, "a.xlsx")[0]["reason"]
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as target:
        target.writestr("readme.txt", "not a workbook")
    assert "无法读取" in refused(course, other_zip.getvalue(), tenants.admin_a, now, "a.xlsx")[0]["reason"]


def test_id_numbers_excel_turned_into_numbers_are_explained(db, now, tenants, course):
    data = xlsx_bytes([[1, "张三", "", 370402198001011234, "单位", "卫生", "医师", 13800000000]])
    rows = refused(course, data, tenants.admin_a, now, "a.xlsx")
    assert rows[0]["column"] == "身份证号" and "文本" in rows[0]["reason"]


def test_import_respects_the_capacity(db, now, tenants, make_course):
    course = make_course(base=tenants.base_a, capacity=2)
    with pytest.raises(DomainError) as error:
        import_enrollments(tenants.admin_a, course, csv_bytes([row(1), row(2), row(3)]), now=now)
    assert error.value.code == "course_full"
    assert enrolled(db, course) == 0


def test_ten_thousand_rows_import_in_one_piece(db, now, tenants, course):
    """How fast is bench/'s business (README "Benchmarks"); this checks that all 10,000 arrive."""
    rows = [row(i, name=f"学员{i}") for i in range(1, 10001)]
    rows[5000] = row(5001, name=tenants.trainee.name, number=tenants.trainee.id_number)
    data = xlsx_bytes(rows)
    result = import_enrollments(tenants.admin_a, course, data, filename="大名单.xlsx", now=now)
    db.session.commit()
    assert (result.imported, result.created_trainees) == (10000, 9999)
    assert enrolled(db, course) == 10000


def test_ten_thousand_rows_with_one_bad_row_import_nothing(db, now, tenants, course):
    rows = [row(i) for i in range(1, 10001)]
    rows[9998] = row(9999, number=valid_id_number()[:-1] + "Y")
    rows_found = refused(course, csv_bytes(rows, encoding="gbk"), tenants.admin_a, now)
    assert [r["row"] for r in rows_found] == [10000]
    assert enrolled(db, course) == 0


def test_a_malformed_phone_is_a_bad_cell_and_an_empty_one_is_allowed(db, course, tenants, now):
    """Issue 15: the import accepted the phone `12345`. Mobiles and landlines pass; the phone is
    optional (API.md), so an empty cell is no problem."""
    rows = [row(1, phone="12345"), row(2, phone="0632-1234567"), row(3, phone=""), row(4, phone="1380013800")]
    problems = refused(course, csv_bytes(rows), tenants.admin_a, now)
    assert [(p["row"], p["column"]) for p in problems] == [(2, "手机"), (5, "手机")]
    assert problems[0]["reason"] == PHONE_MESSAGE
    assert enrolled(db, course) == 0
    good = [row(1, phone="13800138000"), row(2, phone="0632-1234567"), row(3, phone="")]
    assert import_enrollments(tenants.admin_a, course, xlsx_bytes(good), filename="名单.xlsx", now=now).imported == 3
