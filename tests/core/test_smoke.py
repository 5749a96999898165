"""Every GET route, as every demo role, on the demo data: nothing answers 5xx.

Route parameters are filled with the ids of real demo objects (and an unknown id), so pages with
data, empty pages and out-of-scope objects are all opened.
"""

import re

import pytest

from basesys.core.cli import load_demo

ROLES = ["admin", "officer_zz", "officer_szq", "admin_zz", "admin_jn", "trainee"]


@pytest.fixture
def demo(db, now):
    from basesys.core.time import now_utc

    ctx = load_demo(now_utc())
    db.session.commit()
    return ctx


def _values(name: str, demo) -> list:
    from basesys.certificates.models import Certificate
    from basesys.extensions import db

    if "number" in name:
        numbers = list(db.session.scalars(db.select(Certificate.number).limit(2)))
        return numbers + ["2099-9999-000001"]
    if name == "token":
        return ["not-a-token"]
    if name == "code":
        return ["zh"]
    return [1, 2, 3, 5, 8, 99999]


def _urls(app, demo):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/static"):
            continue
        names = re.findall(r"<(?:\w+:)?(\w+)>", rule.rule)
        if not names:
            yield rule.rule
            continue
        for value in _values(names[0], demo):
            yield re.sub(r"<(?:\w+:)?(\w+)>", str(value), rule.rule)


@pytest.mark.parametrize("role", ROLES)
def test_no_get_route_answers_5xx(app, client, demo, role):
    username = demo["trainees"][0].id_number if role == "trainee" else role
    response = client.post("/login", data={"username": username, "password": "demo1234"})
    assert response.status_code == 302
    token = client.post("/api/v1/auth/token", json={"username": username, "password": "demo1234"}).get_json()["token"]
    failures, opened = [], 0
    for url in _urls(app, demo):
        opened += 1
        headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
        response = client.get(url, headers=headers)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
    assert opened > 150, "the route enumeration found too few URLs to mean anything"
    assert failures == []
