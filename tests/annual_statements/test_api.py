"""The "Annual statement" endpoints and pages: the trainee's JSON and PDF, the public verification
(JSON and the page the QR code opens), tenant walls, and a constant number of statements."""

import base64
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.certificates.test_pdf import decode_qr, pdf_text
from tests.statements import counted


def get_statement(client, api_headers, trainee, year=2025):
    response = client.get(f"/api/v1/me/statements/{year}", headers=api_headers(trainee))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def test_my_statement_json_is_signed_and_stable(db, client, clock, finalized, declared, api_headers):
    declared(finalized.trainee, finalized.city_a, hours=10, title="科研成果 · 论文《桥梁检测》")
    body = get_statement(client, api_headers, finalized.trainee)
    assert body["year"] == 2025 and body["status"] == "valid" and body["number"].startswith("XS2025-")
    assert body["required"] == {"public": 30.0, "professional": 60.0, "total": 90.0}
    assert body["issued"]["total"] == 16.0 and body["recognized"]["total"] == 10.0
    assert [e["source"] for e in body["entries"]] == ["course", "declaration"]
    key = client.get("/api/v1/certificates/public-key").get_json()["public_key"]
    signed = body["signed"]
    Ed25519PublicKey.from_public_bytes(base64.b64decode(key)).verify(
        base64.b64decode(signed["signature"]), signed["payload"].encode()
    )
    assert get_statement(client, api_headers, finalized.trainee)["number"] == body["number"]


def test_public_verification(db, client, clock, finalized, declared, api_headers):
    first = get_statement(client, api_headers, finalized.trainee)
    answer = client.get(f"/api/v1/statements/{first['number']}?code={first['code']}")
    assert answer.status_code == 200
    public = answer.get_json()
    assert public == {
        "number": first["number"],
        "year": 2025,
        "name_masked": "李*",
        "totals": {"public": 0.0, "professional": 16.0, "total": 16.0},
        "required": {"public": 30.0, "professional": 60.0, "total": 90.0},
        "status": "valid",
        "issued_on": "2025-06-02",
        "signed": first["signed"],
    }
    assert client.get(f"/api/v1/statements/{first['number']}?code=WRONG234").status_code == 404
    assert client.get(f"/api/v1/statements/{first['number']}").status_code == 404
    assert client.get("/api/v1/statements/XS2025-99999999?code=ABC").status_code == 404
    declared(finalized.trainee, finalized.city_a, hours=10)
    second = get_statement(client, api_headers, finalized.trainee)
    assert second["number"] != first["number"]
    old = client.get(f"/api/v1/statements/{first['number']}?code={first['code']}").get_json()
    assert old["status"] == "superseded" and old["totals"]["total"] == 16.0


def test_tenant_walls(db, client, clock, finalized, api_headers):
    mine = get_statement(client, api_headers, finalized.trainee)
    theirs = get_statement(client, api_headers, finalized.other_trainee)
    assert theirs["number"] != mine["number"] and theirs["entries"] == []  # /me is only ever one's own
    for path in ("/api/v1/me/statements/2025", "/api/v1/me/statements/2025.pdf"):
        assert client.get(path).status_code == 401
        for staff in (finalized.admin_a, finalized.officer_a, finalized.sysadmin):
            assert client.get(path, headers=api_headers(staff)).get_json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/me/statements/2031", headers=api_headers(finalized.trainee)).status_code == 404


def test_the_pdf_lists_everything_and_its_qr_opens_the_verification_page(
    db, client, clock, finalized, declared, api_headers, tmp_path
):
    declared(finalized.trainee, finalized.city_a, hours=10, title="科研成果 · 论文《桥梁检测》")
    body = get_statement(client, api_headers, finalized.trainee)
    response = client.get("/api/v1/me/statements/2025.pdf", headers=api_headers(finalized.trainee))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    assert decode_qr(data, tmp_path) == f"http://testserver/vs/{body['number']}?c={body['code']}"
    text = pdf_text(data, tmp_path)
    for expected in (
        "2025 年度专业技术人员继续教育学时证明",
        "李四",
        finalized.trainee.id_number_masked,
        finalized.course.title,
        "科研成果 · 论文《桥梁检测》",
        "培训",
        "申报",
        "已认定",
        "26.0",
        "90.0",
        "尚未完成本年度学时要求",
        body["number"],
        body["code"],
        json.loads(body["signed"]["payload"])["kid"],
        body["signed"]["signature"][:44],
    ):
        assert expected in text, expected
    assert finalized.trainee.id_number not in text


def test_the_pdf_page_is_inline_in_wechat(db, client, clock, finalized, login):
    login(finalized.trainee)
    plain = client.get("/me/statements/2025.pdf")
    assert plain.status_code == 200 and plain.headers["Content-Disposition"].startswith("attachment")
    wechat = client.get("/me/statements/2025.pdf", headers={"User-Agent": "Mozilla/5.0 MicroMessenger/8.0.47"})
    assert wechat.headers["Content-Disposition"].startswith("inline") and wechat.data.startswith(b"%PDF")


def test_the_verification_page(db, client, clock, finalized, declared, api_headers):
    first = get_statement(client, api_headers, finalized.trainee)
    page = client.get(f"/vs/{first['number']}?c={first['code']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-status="valid"' in html and "李*" in html and "李四" not in html
    assert 'name="viewport"' in html
    wrong = client.get(f"/vs/{first['number']}?c=WRONG234")
    assert wrong.status_code == 404 and 'data-status="not_found"' in wrong.get_data(as_text=True)
    declared(finalized.trainee, finalized.city_a, hours=10)
    get_statement(client, api_headers, finalized.trainee)
    old = client.get(f"/vs/{first['number']}?c={first['code']}").get_data(as_text=True)
    assert 'data-status="superseded"' in old


def test_a_name_no_font_can_draw_refuses_the_pdf(db, client, clock, finalized, api_headers):
    finalized.trainee.name = "张𠀀"
    db.session.commit()
    response = client.get("/api/v1/me/statements/2025.pdf", headers=api_headers(finalized.trainee))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "statement_not_printable"


def test_statements_stay_constant_in_the_ledger(db, client, clock, tenants, declared, api_headers):
    headers = api_headers(tenants.trainee)
    declared(tenants.trainee, tenants.city_a, hours=1)
    client.get("/api/v1/me/statements/2025", headers=headers)  # issued: later calls answer it or reissue
    declared(tenants.trainee, tenants.city_a, hours=1)
    with counted(db.engine) as few:
        assert client.get("/api/v1/me/statements/2025", headers=headers).status_code == 200
    for _ in range(15):
        declared(tenants.trainee, tenants.city_a, hours=1)
    with counted(db.engine) as many:
        body = client.get("/api/v1/me/statements/2025", headers=headers).get_json()
    assert len(body["entries"]) == 17 and len(many) == len(few)
    with counted(db.engine) as unchanged:
        client.get("/api/v1/me/statements/2025", headers=headers)
    assert len(unchanged) < len(many)
