"""Every POST/PATCH route, API and pages, as every demo role, with empty, wrong-typed and junk
input, on the demo data: a 4xx or a redirect, never a 5xx (bad input loses nothing and never 500s)."""

import re

import pytest

from basesys.core.cli import load_demo

ROLES = ["admin", "officer_zz", "admin_zz", "trainee"]
BODIES = [
    {},
    {
        "decision": "maybe",
        "comment": 5,
        "reason": None,
        "id_number": 12,
        "purpose": "x",
        "at": "yesterday",
        "sessions": "none",
        "title": ["x"],
        "token": 7,
        "session_id": "a",
        "code": {},
    },
    [1, 2],
    "not json",
]


@pytest.fixture
def demo(db):
    from basesys.core.time import now_utc

    ctx = load_demo(now_utc())
    db.session.commit()
    return ctx


def _write_urls(app, demo):
    numbers = []
    from basesys.certificates.models import Certificate
    from basesys.extensions import db

    numbers = list(db.session.scalars(db.select(Certificate.number).limit(1)))
    for rule in app.url_map.iter_rules():
        methods = rule.methods & {"POST", "PATCH"}
        if not methods or rule.rule in ("/login", "/logout", "/register"):
            continue
        names = re.findall(r"<(?:\w+:)?(\w+)>", rule.rule)
        values = (
            (numbers + ["x"]) if names and "number" in names[0] else ["not-a-token"] if names == ["token"] else [1, 3]
        )
        for value in values if names else [None]:
            url = re.sub(r"<(?:\w+:)?(\w+)>", str(value), rule.rule)
            for method in methods:
                yield method, url


@pytest.mark.parametrize("role", ROLES)
def test_no_write_route_answers_5xx_to_bad_input(app, client, demo, role):
    username = demo["trainees"][0].id_number if role == "trainee" else role
    assert client.post("/login", data={"username": username, "password": "demo1234"}).status_code == 302
    token = client.post("/api/v1/auth/token", json={"username": username, "password": "demo1234"}).get_json()["token"]
    failures, tried = [], 0
    for method, url in _write_urls(app, demo):
        for body in BODIES:
            tried += 1
            if url.startswith("/api/"):
                headers = {"Authorization": f"Bearer {token}", "X-Device-Id": "fuzz"}
                if isinstance(body, str):
                    response = client.open(
                        url, method=method, data=body, headers=headers, content_type="application/json"
                    )
                else:
                    response = client.open(url, method=method, json=body, headers=headers)
            else:
                form = {k: str(v) for k, v in body.items()} if isinstance(body, dict) else {"junk": str(body)}
                response = client.open(url, method=method, data=form)
            if response.status_code >= 500:
                failures.append((method, url, repr(body)[:40], response.status_code))
    assert tried > 100
    assert failures == []
