"""The trainee's personal check-in code (个人签到码, DOMAIN §6): signed, naming the trainee, expiring,
renewable; drawn on the home page as an inline SVG QR code (decoded here from the served page)."""

import re
from datetime import timedelta

import cv2
import numpy
import pytest

from basesys.attendance import personal_codes
from basesys.attendance.services import checkin_code, renew_checkin_code, trainee_of_code
from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError
from basesys.core.policy import DEFAULT_POLICY
from tests.conftest import at

RECT = re.compile(r"M(\d+),(\d+)H(\d+)V(\d+)H\d+z")


def decode_svg_qr(svg: str, scale: int = 8) -> str:
    """Rasterise qrcode's SvgPathImage (one rectangle per dark module) and decode it with OpenCV."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    image = numpy.full((size * scale, size * scale), 255, dtype=numpy.uint8)
    for x0, y0, x1, y1 in RECT.findall(svg):
        image[int(y0) * scale : int(y1) * scale, int(x0) * scale : int(x1) * scale] = 0
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
    return text


def home_qr(client) -> str:
    page = client.get("/").get_data(as_text=True)
    block = re.search(r'<div class="personal-qr" data-code="([^"]+)">(.*?)</div>', page, re.S)
    assert block, "no personal code on the home page"
    assert decode_svg_qr(block.group(2)) == block.group(1)
    return block.group(1)


def test_the_home_page_shows_the_code_as_a_qr_code_the_api_gives_too(client, login, tenants, api_headers, clock):
    login(tenants.trainee)
    code = home_qr(client)
    assert code == client.get("/api/v1/me/checkin-code", headers=api_headers(tenants.trainee)).get_json()["code"]
    assert trainee_of_code(code, now=clock()) == tenants.trainee.id


def test_renewing_voids_earlier_codes_and_is_audited(client, login, tenants, clock, db):
    login(tenants.trainee)
    old = home_qr(client)
    response = client.post("/attendance/checkin-code/renew")
    assert response.status_code == 302 and response.headers["Location"].endswith("/#checkin-code")
    new = home_qr(client)
    assert new != old and new.startswith(f"K1-{tenants.trainee.id}-1-")
    with pytest.raises(DomainError) as refused:
        trainee_of_code(old, now=clock())
    assert refused.value.code == "checkin_code_expired"
    assert trainee_of_code(new, now=clock()) == tenants.trainee.id
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "attendance.checkin_code_renewed"))
    assert (record.before, record.after, record.object_id) == ({"generation": 0}, {"generation": 1}, tenants.trainee.id)


def test_only_a_trainee_renews(client, login, tenants):
    login(tenants.admin_a)
    assert client.post("/attendance/checkin-code/renew").status_code == 403


def test_a_code_expires_after_the_policy_days(db, tenants, app):
    now = at("2025-06-02", "23:59")
    issued = checkin_code(tenants.trainee, now=now, policy=DEFAULT_POLICY)
    assert issued.expires_at == at("2026-06-02", "00:00")
    assert trainee_of_code(issued.code, now=at("2026-06-01", "23:59")) == tenants.trainee.id
    with pytest.raises(DomainError) as refused:
        trainee_of_code(issued.code, now=at("2026-06-02", "00:00"))
    assert refused.value.code == "checkin_code_expired"
    short = checkin_code(tenants.trainee, now=now, policy=DEFAULT_POLICY.with_values({"checkin_code_days": 7}))
    assert short.expires_at - at("2025-06-02", "00:00") == timedelta(days=7)


def test_codes_cannot_be_forged_or_moved_to_another_trainee(db, tenants, app):
    issued = checkin_code(tenants.trainee, now=at("2025-06-02", "09:00"), policy=DEFAULT_POLICY)
    prefix, trainee_id, generation, day, mac = issued.code.split("-")
    for forged in (
        f"{prefix}-{tenants.other_trainee.id}-{generation}-{day}-{mac}",  # another trainee
        f"{prefix}-{trainee_id}-{generation}-{int(day) + 3650}-{mac}",  # a later expiry
        f"{prefix}-{trainee_id}-{generation}-{day}-{'A' * 16}",
        personal_codes.make_code("another-secret", tenants.trainee.id, 0, issued.expires_at.date()),
        "",
        "K1-0-0-0-AAAAAAAAAAAAAAAA",
        "K1-1-0-99999999-AAAAAAAAAAAAAAAA",
    ):
        with pytest.raises(DomainError) as refused:
            trainee_of_code(forged, now=at("2025-06-02", "09:00"))
        assert refused.value.code == "checkin_code_invalid", forged
    assert trainee_of_code(issued.code.lower(), now=at("2025-06-02", "09:00")) == tenants.trainee.id


def test_the_code_is_short_for_a_small_qr_code(db, tenants):
    import qrcode

    code = checkin_code(tenants.trainee, now=at("2025-06-02", "09:00"), policy=DEFAULT_POLICY).code
    matrix = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    matrix.add_data(code)
    matrix.make(fit=True)
    assert matrix.version <= 2, (code, matrix.version)  # 25 × 25 modules, alphanumeric mode


def test_two_renewals_make_two_generations(db, tenants, now):
    renew_checkin_code(None, tenants.trainee, now=now, policy=DEFAULT_POLICY)
    issued = renew_checkin_code(None, tenants.trainee, now=now, policy=DEFAULT_POLICY)
    db.session.commit()
    assert issued.generation == 2
