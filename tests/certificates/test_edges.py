"""Issue 15: the certificate a bureau expects (issuer block, labelled category and form, a
verification footer) and a public verification page that gives the dates and the hours' status."""

from basesys.certificates.pdf import CertificatePage, certificate_pdf
from basesys.certificates.services import recognize_course_entries, revoke_certificate
from tests.certificates.test_pdf import pdf_text


def test_certificate_pdf_has_an_issuer_block_labels_and_the_signature_in_a_footer(db, finalized, tmp_path):
    certificate = finalized.certificate
    text = pdf_text(certificate_pdf(CertificatePage.of(certificate, "http://testserver")), tmp_path)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert any(line.startswith("发证单位（盖章）") and "基地甲" in line for line in lines)
    assert any(line.startswith("科目类别") and "专业科目" in line for line in lines)
    assert any(line.startswith("培训形式") and "培训班" in line for line in lines)  # its own labelled line
    # The technical line is the last one, a footer, not body text.
    assert "Ed25519" in lines[-1] and certificate.key_id in lines[-1]
    assert not any("Ed25519" in line for line in lines[:-1])


def test_verification_page_shows_the_training_dates_and_the_hours_status(client, db, finalized, now):
    certificate = finalized.certificate
    url = f"/v/{certificate.number}?c={certificate.check_code}"
    html = client.get(url).get_data(as_text=True)
    assert "2025-05-26" in html and "2025-05-27" in html
    assert 'data-hours-status="issued"' in html and "待人社部门认定" in html
    recognize_course_entries(finalized.officer_a, finalized.course, now=now)
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert 'data-hours-status="recognized"' in html and "已认定" in html
    answer = client.get(f"/api/v1/certificates/{certificate.number}?code={certificate.check_code}").get_json()
    assert answer["starts_on"] == "2025-05-26" and answer["ends_on"] == "2025-05-27"
    assert answer["hours_status"] == "recognized"


def test_verification_of_a_revoked_certificate_says_its_hours_are_void(client, db, finalized, now):
    certificate = finalized.certificate
    revoke_certificate(finalized.admin_a, certificate, reason="代签到", now=now)
    db.session.commit()
    html = client.get(f"/v/{certificate.number}?c={certificate.check_code}").get_data(as_text=True)
    assert 'data-hours-status="void"' in html and "代签到" in html


def test_finalize_page_shows_the_preview_before_the_action_and_asks_for_confirmation(client, login, finished, db):
    from basesys.certificates.models import CourseResult

    login(finished.admin_a)
    html = client.get(f"/courses/{finished.course.id}/finalize").get_data(as_text=True)
    assert html.index("<table") < html.index('id="finalize-action"')  # the action comes after its preview
    assert 'name="confirm"' in html and "data-busy=" in html and "js/busy.js" in html
    response = client.post(f"/courses/{finished.course.id}/finalize")
    assert response.status_code == 422 and "请勾选确认已核对预览" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(CourseResult)) == 0
    response = client.post(f"/courses/{finished.course.id}/finalize", data={"confirm": "y"})
    assert response.status_code == 302


def test_certificates_zip_link_says_it_is_working_and_cannot_be_clicked_twice(client, login, finalized):
    login(finalized.admin_a)
    html = client.get(f"/courses/{finalized.course.id}/certificates").get_data(as_text=True)
    assert 'data-busy="正在打包 1 份证书' in html and 'data-busy-seconds="5"' in html
