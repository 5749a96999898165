"""Every route of the app, enumerated: nothing but the public ones answers an anonymous visitor.

This runs over whatever routes the features register, so a page or API endpoint that forgets its
guard fails here even if its own tests never tried it anonymously.
"""

import re

import pytest

from basesys.core.api import ENDPOINTS

# Pages anyone may open (login, registration, language, health, public certificate verification,
# the QR landing page which itself sends a logged-out phone to the login), and /metrics, which
# answers only the addresses of METRICS_ALLOW_FROM (test_observability: any other address gets 404).
# The scanner's service worker is a static script served inside its scope (attendance/scanner.py).
PUBLIC_PAGE_PREFIXES = (
    "/login",
    "/register",
    "/lang/",
    "/healthz",
    "/static/",
    "/v/",
    "/q/",
    "/verify",
    "/metrics",
    "/attendance/scanner/sw.js",
)


# Public pages matched exactly (a prefix "/c" would match every /courses page): the projector's short
# address of the numeric code page, which redirects to it (the code page itself asks for a login).
PUBLIC_PAGES = {"/c"}


def _concrete(rule: str) -> str:
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m.group(1) in ("int", None) else "x", rule)


def _public_api_rules() -> set[tuple[str, str]]:
    from basesys.core.api import API_PREFIX

    publics = set()
    for spec in ENDPOINTS:
        if spec.roles is None:
            publics.add((spec.rule, spec.method))
    publics.add((API_PREFIX + "/openapi.json", "GET"))
    return publics


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.rule, method


def test_anonymous_visitors_reach_only_public_pages(app, client):
    offenders = []
    for rule, method in _routes(app):
        if rule.startswith("/api/") or rule.startswith(PUBLIC_PAGE_PREFIXES) or rule in PUBLIC_PAGES:
            continue
        response = client.open(_concrete(rule), method=method)
        if response.status_code not in (302, 401, 403, 404, 405):
            offenders.append((method, rule, response.status_code))
        elif response.status_code == 302 and "/login" not in response.headers.get("Location", ""):
            offenders.append((method, rule, response.headers.get("Location")))
    assert offenders == []


def test_api_without_token_is_401_except_public_endpoints(app, client):
    from basesys.core.api import ENDPOINTS

    declared_public = {(s.rule, s.method) for s in ENDPOINTS if s.roles is None}
    offenders = []
    for rule, method in _routes(app):
        if not rule.startswith("/api/v1/") or rule == "/api/v1/openapi.json":
            continue
        response = client.open(_concrete(rule), method=method, json={})
        if response.status_code == 401:
            continue
        if (rule, method) in declared_public and response.status_code in (200, 201, 400, 404, 422):
            continue
        offenders.append((method, rule, response.status_code))
    assert offenders == []


@pytest.mark.parametrize("role", ["bureau_officer", "base_admin", "trainee"])
def test_sysadmin_only_api_is_403_for_other_roles(app, client, tenants, api_headers, role):
    actor = {"bureau_officer": tenants.officer_a, "base_admin": tenants.admin_a, "trainee": tenants.trainee}[role]
    offenders = []
    for spec in ENDPOINTS:
        if spec.roles == ("sysadmin",):
            response = client.open(_concrete(spec.rule), method=spec.method, json={}, headers=api_headers(actor))
            if response.status_code != 403:
                offenders.append((spec.method, spec.rule, response.status_code))
    assert offenders == []
