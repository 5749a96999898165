"""The quality evaluation in a real browser: a trainee with credited hours answers it on a phone-sized
page (390×844) from the home page's offer, once; the base admin then sees the anonymous results."""

from basesys.evaluation.models import EvaluationClaim, EvaluationResponse
from basesys.extensions import db
from tests.browser.conftest import browser_login
from tests.certificates import conftest as certificate_fixtures
from tests.conftest import PASSWORD

attend, finished = certificate_fixtures.attend, certificate_fixtures.finished

CHOSEN = {"content": 5, "teaching": 4, "organisation": 4, "venue": 3, "overall": 5}


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_trainee_answers_the_evaluation_on_a_phone(page, phone_page, finished, screenshot):
    db.session.commit()
    browser_login(phone_page, finished.trainee.id_number, PASSWORD)
    offer = phone_page.locator("#evaluation-panel")
    assert "请评估您参加的培训" in offer.inner_text()
    with phone_page.expect_navigation():
        offer.locator("a").first.tap()
    assert phone_page.url.endswith(f"/courses/{finished.course.id}/evaluate")
    assert "内容实用性" in phone_page.content() and _no_horizontal_scroll(phone_page)

    for name, score in CHOSEN.items():
        choice = phone_page.locator(f"#item-{name} label.score-choice").nth(score - 1)
        box = choice.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (name, box)  # a thumb's tap target
        choice.tap()
        assert phone_page.locator(f"#item-{name} input[value='{score}']").is_checked()
    phone_page.fill("textarea[name=comment]", "案例贴近工作，建议多安排讨论")
    screenshot(phone_page, "evaluation-form-phone")
    with phone_page.expect_navigation():
        phone_page.locator("#evaluation-submit").tap()
    assert "感谢您的评估" in phone_page.content()
    assert phone_page.locator("#evaluation-panel").count() == 0  # offered once
    screenshot(phone_page, "evaluation-done-phone")

    phone_page.goto(f"/courses/{finished.course.id}/evaluate")
    assert "您已评估过" in phone_page.content() and phone_page.locator("#evaluation-form").count() == 0

    db.session.commit()  # end the test's read snapshot: the live server wrote meanwhile
    (response,) = db.session.scalars(db.select(EvaluationResponse)).all()
    assert (response.content, response.teaching, response.venue, response.overall) == (5, 4, 3, 5)
    assert db.session.get(EvaluationClaim, (finished.course.id, finished.trainee.id)) is not None

    browser_login(page, finished.admin_a.username, PASSWORD)
    page.goto(f"/courses/{finished.course.id}/evaluation")
    text = page.inner_text("main")
    assert "案例贴近工作，建议多安排讨论" in text and "5.00" in text and "3.00" in text
    assert finished.trainee.name not in text
    screenshot(page, "evaluation-results")
    page.goto("/evaluations?year=2025")
    assert finished.course.title in page.inner_text("#trend-table") and page.locator("svg.trend rect").count() == 1
    screenshot(page, "evaluation-trend")
