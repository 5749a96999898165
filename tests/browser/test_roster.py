"""Roster filing in a real browser: the base submits, the officer accepts and downloads the XLSX,
and the trainee's hours page then shows the hours as recognized (已认定)."""

import io
from pathlib import Path

from openpyxl import load_workbook

from basesys.extensions import db
from basesys.rosters.models import Roster
from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD
from tests.rosters import conftest as roster_fixtures
from tests.rosters.test_exports import SECTION_9
from tests.rosters.test_summary import pdf_text

# The roster tests' fixtures: a course finalised with two completers and one who did not complete.
finalize, finished = roster_fixtures.finalize, roster_fixtures.finished


def test_officer_accepts_downloads_and_the_trainee_sees_recognized_hours(page, tenants, finished, screenshot, clock):
    db.session.commit()

    # The base admin sees the roster waiting on the home page and submits it.
    browser_login(page, tenants.admin_a.username, PASSWORD)
    assert "待处理的培训项目" in page.content()
    screenshot(page, "base-admin-home-rosters")
    page.goto(f"/courses/{finished.id}/roster")
    page.fill("textarea[name=summary_text]", "本期培训组织有序，学员反馈良好。")
    page.check("input[name=confirm]")
    page.click("#submit-button")
    page.wait_for_load_state()
    assert "学员名单已报送人社部门" in page.content()
    page.context.clear_cookies()

    # The officer finds it on the home page, accepts it and downloads the XLSX.
    browser_login(page, tenants.officer_a.username, PASSWORD)
    assert page.locator("svg.chart").count() == 1
    screenshot(page, "bureau-home")
    page.click("text=待审核的学员名单")
    page.wait_for_load_state()
    page.click(f"a[href='/courses/{finished.id}/roster']")
    page.wait_for_load_state()
    assert "本期培训组织有序" in page.content()  # the training summary beside the rows (§9)
    screenshot(page, "roster-review")
    page.click("#decide-roster button[value=accept]")
    page.wait_for_load_state()
    assert "学员名单已接收，学员学时已认定" in page.content()
    with page.expect_download() as info:
        page.click("text=下载 Excel")
    download = info.value
    assert download.suggested_filename == f"roster-{finished.id}.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    assert [c.value for c in sheet[1]] == SECTION_9
    ids = [sheet.cell(row=r, column=4).value for r in range(2, sheet.max_row + 1)]
    assert tenants.trainee.id_number in ids and all(isinstance(v, str) and len(v) == 18 for v in ids)
    with page.expect_download() as info:
        page.click("text=下载培训情况总结（PDF）")
    summary = info.value
    assert summary.suggested_filename == f"roster-summary-{finished.id}.pdf"
    summary_text = pdf_text(Path(summary.path()).read_bytes())
    assert "培训情况总结" in summary_text and "本期培训组织有序" in summary_text
    db.session.commit()  # end the test's read snapshot: the live server wrote meanwhile
    assert db.session.scalar(db.select(Roster)).status == "accepted"
    page.context.clear_cookies()

    # The trainee's hours page shows the course's hours as recognized.
    browser_login(page, tenants.trainee.id_number, PASSWORD)
    page.goto("/me/hours?year=2025")
    entry = page.locator("li", has_text=finished.title)
    assert entry.count() == 1 and "已认定" in entry.inner_text()
    screenshot(page, "hours-recognized")
