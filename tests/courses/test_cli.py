"""The import CLI goes through the same service (all or nothing, every bad row listed)."""

from basesys.courses.models import Enrollment
from tests.conftest import valid_id_number


def test_cli_imports_a_file(runner, tenants, make_course, tmp_path, db):
    course = make_course(base=tenants.base_a, status="draft")
    path = tmp_path / "名单.csv"
    path.write_bytes(
        f"姓名,身份证号,工作单位,专业技术系列,职称,手机\r\n张三,{valid_id_number()},单位,工程,工程师,13800000000\r\n".encode(
            "gbk"
        )
    )
    result = runner.invoke(args=["import-enrollments", str(course.id), str(path), "--as", tenants.admin_a.username])
    assert result.exit_code == 0, result.output
    assert "imported 1" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Enrollment)) == 1


def test_cli_lists_bad_rows_and_imports_nothing(runner, tenants, make_course, tmp_path, db):
    course = make_course(base=tenants.base_a, status="draft")
    path = tmp_path / "bad.csv"
    path.write_text("姓名,身份证号,工作单位,专业技术系列,职称,手机\r\n,123,单位,工程,工程师,1\r\n", encoding="utf-8")
    result = runner.invoke(args=["import-enrollments", str(course.id), str(path), "--as", tenants.admin_a.username])
    assert result.exit_code != 0
    assert "第 2 行 姓名" in result.output and "import_invalid" in result.output
    other = runner.invoke(args=["import-enrollments", str(course.id), str(path), "--as", tenants.admin_b.username])
    assert "not_found" in other.output
