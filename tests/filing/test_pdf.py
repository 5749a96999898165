"""The filing form PDF (附件2): rendered, with the Chinese fields readable and the font embedded."""

import subprocess

from basesys.filing import services as filing
from basesys.filing.pdf import render_filing_pdf
from tests.conftest import at


def pdf_text(tmp_path, pdf: bytes) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return "".join(text.split())  # a cell's wrapped lines join up again


def test_filing_form_shows_every_field_and_both_opinions(db, now, new_course, tenants, tmp_path):
    course = new_course(
        ("2025-06-10", "09:00", "12:00"),
        ("2025-06-11", "14:00", "17:00"),
        kind="advanced_seminar",
        title="黄河流域生态保护高级研修班",
        apply_municipal_seminar=True,
    )
    filing.submit_filing(tenants.admin_a, course, now=now)
    filing.decide_filing(
        tenants.officer_a, course, decision="approve", comment="请按计划实施", now=at("2025-06-03", "10:00")
    )
    db.session.commit()
    text = pdf_text(tmp_path, render_filing_pdf(course, now=now))
    for expected in [
        "2025年度专业培训项目计划申报表",
        "申报单位",
        tenants.base_a.name,
        "申请培训项目名称",
        "黄河流域生态保护高级研修班",
        "负责人",
        "王主任",
        "联系人",
        "李老师",
        "0632-1234567",
        "是否申请为市级高级研修班",
        "培训计划",
        "数字化管理师培训",
        "计划培训对象",
        "全市工程系列专业技术人员",
        "计划培训人数",
        "计划培训时间",
        "2025年6月10日至2025年6月11日",
        "培训天数",
        "拟计算学时",
        "16",
        "培训地点及培训形式",
        "枣庄职业学院图书馆报告厅",
        "申报单位意见",
        "同意申报",
        "2025年6月2日",
        "人社部门审核意见",
        "同意备案。请按计划实施",
        "2025年6月3日",
        course.filing_number,
        "课次安排",
        "14:00—17:00",
    ]:
        expected = "".join(expected.split())
        assert expected in text, expected


def test_returned_filing_shows_the_comment_and_an_unfiled_form_blank_opinion(db, now, new_course, tenants, tmp_path):
    course = new_course()
    text = pdf_text(tmp_path, render_filing_pdf(course, now=now))
    assert "审核通过后生成" in text and "同意申报" in text
    filing.submit_filing(tenants.admin_a, course, now=now)
    filing.decide_filing(tenants.officer_a, course, decision="return", comment="培训对象不明确", now=now)
    text = pdf_text(tmp_path, render_filing_pdf(course, now=now))
    assert "退回修改：培训对象不明确" in text


def test_filing_pdf_embeds_a_truetype_cjk_font_and_renders(db, now, new_course, tmp_path):
    path = tmp_path / "form.pdf"
    path.write_bytes(render_filing_pdf(new_course(), now=now))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("TrueType" in " ".join(r) and r[-5] == "yes" for r in rows), fonts  # emb = yes
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 5000


def test_texts_longer_than_a_page_go_to_an_appendix(db, now, new_course, tenants, tmp_path):
    """A table row cannot break across pages: a 20,000-character plan (what the API allows), a
    2,000-character target and a 2,000-character return comment were a LayoutError, a 500 (found by
    schemathesis). They are printed in full after the form, with a pointer in their cells."""
    plan = "".join(f"第{n}天：专题讲座与案例研讨，结合本单位实际开展交流。\n" for n in range(1, 700))[:20000]
    course = new_course(plan=plan, target="全市工程系列专业技术人员" * 166)
    filing.submit_filing(tenants.admin_a, course, now=now)
    filing.decide_filing(tenants.officer_a, course, decision="return", comment="请补充师资情况。" * 250, now=now)
    db.session.commit()
    pdf = render_filing_pdf(course, now=now)
    text = pdf_text(tmp_path, pdf)
    for heading in ("培训计划", "计划培训对象", "人社部门审核意见"):
        assert f"（内容较长，全文见附页“{heading}”）" in text
    assert "附页" in text and plan.splitlines()[-1] in text and text.count("请补充师资情况。") == 250
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))) > 5


def test_a_short_plan_stays_in_its_cell(db, now, new_course, tmp_path):
    text = pdf_text(tmp_path, render_filing_pdf(new_course(plan="数字化管理师培训"), now=now))
    assert "附页" not in text and "数字化管理师培训" in text


def test_an_opinion_typed_as_the_decision_is_said_once_and_hours_have_one_decimal(
    db, now, new_course, tenants, tmp_path
):
    """Issue 15: "同意备案。同意备案。" when the officer typed "同意备案。", and a column mixing 4 and 4.5."""
    course = new_course(("2025-06-10", "09:00", "12:00"), ("2025-06-11", "14:00", "17:00", 3.5))
    filing.submit_filing(tenants.admin_a, course, now=now)
    filing.decide_filing(tenants.officer_a, course, decision="approve", comment="同意备案。", now=now)
    db.session.commit()
    text = pdf_text(tmp_path, render_filing_pdf(course, now=now))
    assert text.count("同意备案") == 1
    assert "09:00—12:004.0" in text and "14:00—17:003.5" in text  # 学时 column: one decimal each
    assert "拟计算学时7.5" in text


def test_a_comment_after_the_decision_words_keeps_them_once(db, now, new_course, tenants, tmp_path):
    course = new_course()
    filing.submit_filing(tenants.admin_a, course, now=now)
    filing.decide_filing(tenants.officer_a, course, decision="return", comment="退回修改：培训对象不明确", now=now)
    db.session.commit()
    text = pdf_text(tmp_path, render_filing_pdf(course, now=now))
    assert text.count("退回修改") == 1 and "退回修改：培训对象不明确" in text
