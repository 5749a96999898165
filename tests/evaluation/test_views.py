"""Evaluation pages: the trainee's form (offered once), the results and trend pages, the walls."""

from basesys.evaluation import services
from basesys.evaluation.models import EvaluationResponse
from basesys.extensions import db
from tests.evaluation.conftest import SCORES

FORM = {**SCORES, "comment": "课程安排合理"}


def test_home_offers_the_evaluation_once(finished, login):
    browser = login(finished.trainee)
    home = browser.get("/").text
    assert "请评估您参加的培训" in home and f"/courses/{finished.course.id}/evaluate" in home
    page = browser.get(f"/courses/{finished.course.id}/evaluate")
    assert page.status_code == 200 and "内容实用性" in page.text and "场地与服务" in page.text
    done = browser.post(f"/courses/{finished.course.id}/evaluate", data=FORM)
    assert done.status_code == 302
    assert db.session.scalar(db.select(EvaluationResponse.comment)) == "课程安排合理"
    assert f"/courses/{finished.course.id}/evaluate" not in browser.get("/").text
    again = browser.get(f"/courses/{finished.course.id}/evaluate")
    assert again.status_code == 200 and "您已评估过" in again.text and "evaluation-form" not in again.text


def test_posting_twice_from_the_page_stores_one(finished, login):
    browser = login(finished.trainee)
    browser.post(f"/courses/{finished.course.id}/evaluate", data=FORM)
    second = browser.post(f"/courses/{finished.course.id}/evaluate", data=FORM, follow_redirects=True)
    assert "每人只能评估一次" in second.text
    assert db.session.scalar(db.select(db.func.count()).select_from(EvaluationResponse)) == 1


def test_the_form_wants_every_item(finished, login):
    browser = login(finished.trainee)
    refused = browser.post(f"/courses/{finished.course.id}/evaluate", data={"content": "5", "comment": "x"})
    assert refused.status_code == 422 and "请选择 1 至 5 分" in refused.text
    bad = browser.post(f"/courses/{finished.course.id}/evaluate", data={**FORM, "venue": "9"})
    assert bad.status_code == 422
    assert not services.has_answered(finished.course, finished.trainee)


def test_a_trainee_without_credited_hours_is_not_offered(finished, absent, login):
    browser = login(absent)
    assert "请评估您参加的培训" not in browser.get("/").text
    page = browser.get(f"/courses/{finished.course.id}/evaluate")
    assert page.status_code == 403 and "evaluation-form" not in page.text
    refused = browser.post(f"/courses/{finished.course.id}/evaluate", data=FORM, follow_redirects=True)
    assert "获得认定学时" in refused.text
    assert not services.has_answered(finished.course, absent)


def test_a_course_the_trainee_cannot_see_is_404(tenants, make_course, login):
    draft = make_course(base=tenants.base_a, status="draft")
    browser = login(tenants.trainee)
    assert browser.get(f"/courses/{draft.id}/evaluate").status_code == 404
    assert browser.post(f"/courses/{draft.id}/evaluate", data=FORM).status_code == 404


def _answer(finished, now):
    services.submit_evaluation(finished.trainee, finished.course, scores=SCORES, comment="讲得很清楚", now=now)
    other = {**SCORES, "venue": 1}
    services.submit_evaluation(finished.other_trainee, finished.course, scores=other, comment="", now=now)
    db.session.commit()


def test_results_page_for_the_base_and_its_bureaus(finished, login, now):
    _answer(finished, now)
    for who in (finished.admin_a, finished.officer_a, finished.officer_province):
        page = login(who).get(f"/courses/{finished.course.id}/evaluation")
        assert page.status_code == 200, who.username
        assert "讲得很清楚" in page.text and "4.00" in page.text and "<svg" in page.text
        assert finished.trainee.name not in page.text and finished.other_trainee.name not in page.text


def test_results_page_walls(finished, login):
    url = f"/courses/{finished.course.id}/evaluation"
    assert login(finished.admin_b).get(url).status_code == 404
    assert login(finished.officer_b).get(url).status_code == 404
    assert login(finished.officer_county).get(url).status_code == 404
    assert login(finished.trainee).get(url).status_code == 403


def test_course_page_shows_the_summary_to_its_base(finished, login, now):
    _answer(finished, now)
    page = login(finished.admin_a).get(f"/courses/{finished.course.id}").text
    assert "evaluation-course-panel" in page and "2 份评估" in page


def test_trend_page_of_the_base(finished, login, now):
    _answer(finished, now)
    page = login(finished.admin_a).get("/evaluations?year=2025")
    assert page.status_code == 200 and finished.course.title in page.text and "<svg" in page.text
    assert "100.0%" in page.text  # two answers of two trainees with credited hours
    assert finished.course.title not in login(finished.admin_a).get("/evaluations?year=2024").text


def test_trend_page_of_a_bureau_picks_bases_in_scope(finished, login, now):
    _answer(finished, now)
    officer = login(finished.officer_a)
    page = officer.get(f"/evaluations?year=2025&base_id={finished.base_a.id}")
    assert page.status_code == 200 and finished.course.title in page.text
    assert officer.get(f"/evaluations?base_id={finished.base_b.id}").status_code == 404
    other = login(finished.officer_b).get("/evaluations?year=2025")
    assert other.status_code == 200 and finished.course.title not in other.text
    assert login(finished.trainee).get("/evaluations").status_code == 403


def test_trend_page_ignores_a_nonsense_year(finished, login):
    assert login(finished.admin_a).get("/evaluations?year=99999999999").status_code == 200


def test_my_courses_links_the_waiting_evaluation(finished, absent, login, now):
    page = login(finished.trainee).get("/me/courses")
    assert page.status_code == 200 and f"/courses/{finished.course.id}/evaluate" in page.text
    assert f"/courses/{finished.course.id}/evaluate" not in login(absent).get("/me/courses").text


def test_the_audit_log_says_an_answer_came_without_whose(finished, api_headers, client, now):
    _answer(finished, now)
    body = client.get(f"/api/v1/audit?q={finished.course.title}", headers=api_headers(finished.admin_a)).get_json()
    records = [item for item in body["items"] if item["action"] == "evaluation.answer"]
    assert len(records) == 2, body
    for record in records:
        assert "匿名质量评估" in record["text"] and finished.course.title in record["text"]
        assert finished.trainee.name not in repr(record) and finished.other_trainee.name not in repr(record)
        assert record["changes"] == [] and "讲得很清楚" not in repr(record)


def test_ids_beyond_the_database_are_404(finished, login, api_headers, client):
    browser = login(finished.trainee)
    assert browser.get("/courses/99999999999/evaluate").status_code == 404
    assert browser.post("/courses/99999999999/evaluate", data=FORM).status_code == 404
    assert login(finished.admin_a).get("/courses/99999999999/evaluation").status_code == 404
    answer = client.get("/api/v1/courses/99999999999/evaluation", headers=api_headers(finished.admin_a))
    assert answer.status_code == 404


def test_a_nul_in_the_comment_is_a_form_error(finished, login):
    url = f"/courses/{finished.course.id}/evaluate"
    refused = login(finished.trainee).post(url, data={**FORM, "comment": "a\x00b"})
    assert refused.status_code == 422
    assert not services.has_answered(finished.course, finished.trainee)


def test_the_scan_result_page_offers_the_waiting_evaluation(app, finished):
    """After a scan (its result page, not a refusal), the evaluation waiting for the trainee is
    offered there too, through the "scan_result" panel slot."""
    from flask_login import login_user

    from basesys.attendance import scan_page

    with app.test_request_context("/"):
        login_user(finished.trainee.user)
        page = scan_page.result_page(200, "device-1", staff=True).get_data(as_text=True)
    assert f"/courses/{finished.course.id}/evaluate" in page
