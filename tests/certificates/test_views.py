"""Certificate pages: one happy path each, the tenant walls, the public verification page."""

import io
import zipfile

from basesys.certificates.models import Certificate, CourseResult
from tests.conftest import at


def test_my_hours_page_and_statement(client, login, finalized):
    login(finalized.trainee)
    page = client.get("/me/hours?year=2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert finalized.course.title in html and "16.0" in html and finalized.certificate.number in html
    statement = client.get("/me/hours.pdf?year=2025")
    assert statement.status_code == 200 and statement.mimetype == "application/pdf"


def test_my_hours_is_for_trainees(client, login, finalized):
    login(finalized.admin_a)
    assert client.get("/me/hours").status_code == 403
    assert client.get("/me/certificates").status_code == 403


def test_my_certificates_page_and_download(client, login, finalized):
    login(finalized.trainee)
    html = client.get("/me/certificates").get_data(as_text=True)
    number = finalized.certificate.number
    assert number in html and finalized.certificate.check_code in html
    response = client.get(f"/certificates/{number}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]


def test_another_trainee_cannot_download(client, login, finalized):
    login(finalized.other_trainee)
    assert client.get(f"/certificates/{finalized.certificate.number}.pdf").status_code == 404


def test_verification_page_is_public(client, finalized):
    certificate = finalized.certificate
    page = client.get(f"/v/{certificate.number}?c={certificate.check_code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-status="valid"' in html and "李*" in html and "李四" not in html
    assert finalized.course.title in html and "16.0" in html and finalized.course.filing_number in html


def test_verification_page_with_a_wrong_code_says_not_found(client, finalized):
    page = client.get(f"/v/{finalized.certificate.number}?c=WRONG")
    assert page.status_code == 404 and 'data-status="not_found"' in page.get_data(as_text=True)
    assert "李" not in page.get_data(as_text=True).split("<main")[1].split("<form")[0]


def test_verification_form_redirects_to_the_result(client, finalized):
    certificate = finalized.certificate
    response = client.get(f"/verify?number={certificate.number}&code={certificate.check_code}")
    assert response.status_code == 302 and f"/v/{certificate.number}?c={certificate.check_code}" in response.location
    assert client.get("/verify").status_code == 200


def test_finalize_page_previews_then_finalises(client, login, finished, db):
    login(finished.admin_a)
    page = client.get(f"/courses/{finished.course.id}/finalize")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "李四" in html and "王五" in html and "未结业" in html
    response = client.post(f"/courses/{finished.course.id}/finalize", data={"confirm": "y"})
    assert response.status_code == 302 and response.location.endswith(f"/courses/{finished.course.id}/certificates")
    assert db.session.scalar(db.select(db.func.count()).select_from(CourseResult)) == 2
    listing = client.get(f"/courses/{finished.course.id}/certificates").get_data(as_text=True)
    number = db.session.scalar(db.select(Certificate.number))
    assert number in listing and "王五" in listing


def test_finalize_page_refuses_before_the_end(client, login, tenants, make_course, enroll):
    course = make_course(base=tenants.base_a, sessions=[(at("2099-06-10", "09:00"), at("2099-06-10", "12:00"))])
    login(tenants.admin_a)
    response = client.post(f"/courses/{course.id}/finalize", data={"confirm": "y"})
    assert response.status_code == 422
    assert "尚未结束" in response.get_data(as_text=True)


def test_finalize_page_walls(client, login, finished):
    login(finished.admin_b)
    assert client.get(f"/courses/{finished.course.id}/finalize").status_code == 404
    assert client.post(f"/courses/{finished.course.id}/finalize").status_code == 404


def test_officer_sees_the_course_certificates_and_the_zip(client, login, finalized):
    login(finalized.officer_province)
    assert client.get(f"/courses/{finalized.course.id}/certificates").status_code == 200
    response = client.get(f"/courses/{finalized.course.id}/certificates.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert archive.namelist() == [f"{finalized.certificate.number}.pdf"]


def test_other_base_and_other_bureau_do_not_see_the_certificates(client, login, finalized):
    for user in (finalized.admin_b, finalized.officer_b):
        login(user)
        assert client.get(f"/courses/{finalized.course.id}/certificates").status_code == 404
        assert client.get(f"/courses/{finalized.course.id}/certificates.zip").status_code == 404
        assert client.get(f"/certificates/{finalized.certificate.number}/revoke").status_code == 404
        client.post("/logout")


def test_revoke_page_needs_a_reason_then_revokes(client, login, finalized, db):
    number = finalized.certificate.number
    login(finalized.officer_a)
    assert client.get(f"/certificates/{number}/revoke").status_code == 200
    assert client.post(f"/certificates/{number}/revoke", data={"reason": ""}).status_code == 422
    response = client.post(f"/certificates/{number}/revoke", data={"reason": "虚假出勤", "fraud": "y"})
    assert response.status_code == 302
    certificate = db.session.scalar(db.select(Certificate))
    assert certificate.status == "revoked" and certificate.trainee.fraud_flag
    page = client.get(f"/v/{number}?c={certificate.check_code}").get_data(as_text=True)
    assert 'data-status="revoked"' in page and "虚假出勤" in page


def test_home_panels(client, login, finished):
    login(finished.admin_a)
    html = client.get("/").get_data(as_text=True)
    assert finished.course.title in html and f"/courses/{finished.course.id}/finalize" in html
    client.post("/logout")
    login(finished.trainee)
    assert "/me/hours" in client.get("/").get_data(as_text=True)


def _certified(make_course, enroll, finalize, trainee, day, title):
    course = make_course(sessions=[(at(day, "09:00"), at(day, "12:00"))], title=title)
    enroll(course, trainee)
    return finalize(course, {trainee: (3.0, True)})


def test_my_certificates_show_this_year_a_page_at_a_time(clock, client, login, tenants, make_course, enroll, finalize):
    _certified(make_course, enroll, finalize, tenants.trainee, "2024-03-05", "去年的培训")
    for i in range(22):
        _certified(make_course, enroll, finalize, tenants.trainee, f"2025-0{1 + i // 9}-{10 + i % 9}", f"今年第{i}期")
    login(tenants.trainee)
    first = client.get("/me/certificates").text
    assert first.count('class="card cert-card') == 20 and "今年第21期" in first and "今年第1期" not in first
    assert "去年的培训" not in first and 'href="/me/certificates?year=2024"' in first and "更多" in first
    more = first.split('id="more" href="')[1].split('"')[0].replace("&amp;", "&")
    assert "year=2025" in more
    second = client.get(more).text
    assert second.count('class="card cert-card') == 2 and "今年第0期" in second and "更多" not in second
    assert "去年的培训" in client.get("/me/certificates?year=2024").text
    assert "2023 年暂无证书" in client.get("/me/certificates?year=2023").text
    assert client.get("/me/certificates?year=2025&after=2147483647").status_code == 422


def test_my_certificates_open_on_the_latest_year_held_when_this_year_has_none(
    clock, client, login, tenants, make_course, enroll, finalize
):
    _certified(make_course, enroll, finalize, tenants.other_trainee, "2024-03-05", "去年的培训")
    login(tenants.other_trainee)
    assert "去年的培训" in client.get("/me/certificates").text
    login(tenants.trainee)
    assert "暂无证书。培训基地" in client.get("/me/certificates").text  # none at all: no year tabs
