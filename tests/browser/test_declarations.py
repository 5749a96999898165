"""Hour declarations in a real browser (issue 14's Done-when): a trainee declares a paper on a phone
(WeChat's browser) with a real small PDF, sees the hours before submitting; the employer reviewer
approves, the bureau officer returns it with a reason; the trainee edits and submits it again; both
approve; the hours appear in the year's progress (/me/hours) and on the year's annual statement,
whose verification page and offline signature check both pass."""

import itertools
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from basesys.accounts.models import Employer, User
from basesys.accounts.services.passwords import hash_password
from basesys.core.ids import make_credit_code
from basesys.declarations import services
from basesys.declarations.models import Declaration, DeclarationStatus
from basesys.extensions import db
from tests.browser.conftest import WECHAT_UA, browser_login
from tests.certificates.test_pdf import decode_qr, pdf_text
from tests.conftest import PASSWORD

RULES = Path(__file__).resolve().parents[2] / "basesys" / "declarations" / "rules" / "jining-2025.yaml"
TITLE = "基层医院护理质量控制研究"
_codes = itertools.count(500)


def small_pdf(path: Path, text: str) -> Path:
    """A real one-page PDF, as a phone's scanner app would save it."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawString(72, 760, text)
    pdf.showPage()
    pdf.save()
    return path


@pytest.fixture
def chain(tenants, runner, now, clock):
    """Jining (city_b) with its 2025 rules; an employer it audits with a reviewer; the trainee on its staff."""
    result = runner.invoke(
        args=["load-declaration-rules", "--bureau", str(tenants.city_b.id), "--year", "2025", str(RULES)]
    )
    assert result.exit_code == 0, result.output
    employer = Employer(
        name="济宁市第一人民医院",
        credit_code=make_credit_code(f"91370800MA{next(_codes):07d}"),
        bureau_id=tenants.city_b.id,
        created_at=now,
    )
    db.session.add(employer)
    db.session.flush()
    reviewer = User(
        username="hospital-reviewer",
        password_hash=hash_password(PASSWORD),
        role="employer_reviewer",
        employer_id=employer.id,
        created_at=now,
    )
    db.session.add(reviewer)
    tenants.trainee.employer_id = employer.id
    db.session.commit()
    tenants.reviewer = reviewer
    rule_set = services.rules_for_trainee(tenants.trainee, 2025)
    paper = next(r for r in rule_set.rules if "论文" in r.name or "科研" in r.name)
    option = paper.option("paper") or paper.options[0]  # 学术、技术论文
    tenants.paper, tenants.paper_key = paper, f"{paper.code}:{option.code}"
    return tenants


def _context(browser, live_server, phone=False):
    if phone:
        return browser.new_context(
            base_url=live_server.url,
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            user_agent=WECHAT_UA,
            locale="zh-CN",
        )
    return browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 800}, locale="zh-CN")


def _decide(page, declaration_id: int, decision: str, comment: str = "") -> None:
    page.goto("/declarations/review")
    with page.expect_navigation():
        page.locator(f"a[href='/declarations/{declaration_id}']").click()
    page.check(f"input[name=decision][value={decision}]")
    if comment:
        page.fill("textarea[name=comment]", comment)
    with page.expect_navigation():
        page.click("#decide")
    assert page.locator(".flash-success").count() == 1, page.inner_text("main")


def _stored(declaration_id: int) -> Declaration:
    db.session.commit()  # end the test's read snapshot: the live server wrote meanwhile
    return db.session.get(Declaration, declaration_id)


def declare_and_recognise(chain, browser, live_server, tmp_path, screenshot):
    """The whole review chain through the pages; returns the recognised declaration's id and the
    trainee's (phone) page."""
    trainee = _context(browser, live_server, phone=True).new_page()
    browser_login(trainee, chain.trainee.id_number, PASSWORD)
    trainee.goto("/me/declarations")
    with trainee.expect_navigation():
        trainee.click("#declare")
    trainee.select_option("#rule_option", chain.paper_key)
    trainee.fill("input[name=quantity]", "1")
    trainee.fill("input[name=title]", TITLE)
    trainee.set_input_files("input[name=evidence]", str(small_pdf(tmp_path / "论文.pdf", "Nursing quality")))
    # The hours before submitting: the live preview (JS) answers what "计算" would.
    trainee.wait_for_function("document.getElementById('preview-body').innerText.includes('10.0')")
    assert "30.0" in trainee.inner_text("#preview-body") or "剩余" in trainee.inner_text("#preview-body")
    assert trainee.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    screenshot(trainee, "declaration-form-phone")
    with trainee.expect_navigation():
        trainee.click("#decl-submit")
    assert "已提交" in trainee.inner_text("main")
    declaration_id = int(trainee.url.rstrip("/").rsplit("/", 1)[1])
    assert _stored(declaration_id).status == DeclarationStatus.SUBMITTED

    reviewer = _context(browser, live_server).new_page()
    browser_login(reviewer, chain.reviewer.username, PASSWORD)
    reviewer.goto(f"/declarations/{declaration_id}")
    assert chain.trainee.id_number_masked in reviewer.inner_text("main")
    evidence_url = reviewer.locator("a.evidence-link").first.get_attribute("href")
    served = reviewer.request.get(evidence_url)
    assert served.ok and served.headers["content-type"].startswith("application/pdf")
    assert served.headers["content-disposition"] == "inline" and served.body().startswith(b"%PDF-")
    screenshot(reviewer, "declaration-review-employer")
    _decide(reviewer, declaration_id, "approve")
    assert _stored(declaration_id).status == DeclarationStatus.EMPLOYER_APPROVED

    officer = _context(browser, live_server).new_page()
    browser_login(officer, chain.officer_b.username, PASSWORD)
    officer.goto(f"/declarations/{declaration_id}")
    officer.check("input[name=decision][value=return]")
    with officer.expect_navigation():
        officer.click("#decide")  # no reason: the form refuses
    assert "退回须填写理由" in officer.inner_text("#decision")
    _decide(officer, declaration_id, "return", "请补充期刊封面和目录页")
    assert _stored(declaration_id).status == DeclarationStatus.RETURNED

    trainee.goto(f"/me/declarations/{declaration_id}")
    assert "请补充期刊封面和目录页" in trainee.inner_text("#return-reason") and "已退回" in trainee.inner_text("main")
    trainee.fill("#edit input[name=title]", TITLE + "（含目录页）")
    trainee.set_input_files("#edit input[name=evidence]", str(small_pdf(tmp_path / "目录页.pdf", "Contents")))
    screenshot(trainee, "declaration-edit-phone")
    with trainee.expect_navigation():
        trainee.click("#decl-submit")
    assert "已提交" in trainee.inner_text("main")
    resubmitted = _stored(declaration_id)
    assert resubmitted.status == DeclarationStatus.SUBMITTED and len(resubmitted.evidence) == 2

    _decide(reviewer, declaration_id, "approve")
    _decide(officer, declaration_id, "approve")
    recognised = _stored(declaration_id)
    assert recognised.status == DeclarationStatus.RECOGNIZED and recognised.hours_granted == 10

    trainee.goto(f"/me/declarations/{declaration_id}")
    assert "已认定" in trainee.inner_text("main")
    trainee.goto("/")  # the home panel's year figures (hours_totals: every ledger entry of the year)
    assert "10.0 / " in trainee.inner_text("main"), trainee.inner_text("main")
    # /me/hours lists the year's entries: with i14/statements' outer join on Course (course_id is
    # NULL for a declaration's entry) the paper is among them and in the progress bars.
    trainee.goto("/me/hours?year=2025")
    progress = trainee.inner_text("main")
    assert "10.0 / " in progress, progress  # the professional subjects' progress counts the paper
    screenshot(trainee, "declaration-hours-phone")
    return declaration_id, trainee


def test_a_paper_declared_on_a_phone_is_reviewed_returned_resubmitted_counted_and_on_the_statement(
    chain, browser, live_server, _csrf_on, tmp_path, screenshot, runner
):
    """Issue 14's Done-when, end to end: the review chain through the pages, then the year's annual
    statement (学时证明): the signed PDF lists the paper, its QR code leads to a public verification
    page that says it is valid, and the offline signature check passes."""
    _declaration_id, trainee = declare_and_recognise(chain, browser, live_server, tmp_path, screenshot)

    # The hours page offers the signed statement of the year shown; the trainee downloads it.
    link = trainee.locator("#annual-statement")
    assert link.count() == 1
    pdf = trainee.request.get(link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"].startswith("application/pdf")
    data = pdf.body()
    text = pdf_text(data, tmp_path)
    assert TITLE[:8] in text and "10.0" in text

    # Its QR code points at the public verification page, which anyone (logged out) can open.
    url = decode_qr(data, tmp_path)
    assert "/vs/" in url and "?c=" in url
    public = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    assert url.startswith(live_server.url)  # BASE_URL, as QR codes use it
    public.goto(url)
    assert public.locator("[data-status=valid]").count() == 1, public.inner_text("main")
    screenshot(public, "statement-verification")

    # Offline: the payload and signature the public API answers, checked with the published key only.
    number, code = url.split("/vs/")[1].split("?c=")
    answer = public.request.get(f"/api/v1/statements/{number}?code={code}").json()
    key = public.request.get("/api/v1/certificates/public-key").json()["public_key"]
    payload_file = tmp_path / "statement.json"
    payload_file.write_text(answer["signed"]["payload"], encoding="utf-8")
    result = runner.invoke(
        args=[
            "verify-statement",
            "--payload-file",
            str(payload_file),
            "--signature",
            answer["signed"]["signature"],
            "--public-key",
            key,
        ]
    )
    assert result.exit_code == 0, result.output
    assert TITLE[:8] in answer["signed"]["payload"]
