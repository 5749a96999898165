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
