"""Login throttling behind a proxy (issue 10): the per-address pause must not lock out a whole office.

Behind nginx every request comes from the proxy's address unless ProxyFix (PROXY_FIX_X_FOR) reads
X-Forwarded-For; and a training base's NAT shares one address among its trainees. Failed attempts
from an address must not stop another user's right password from that address (the per-account
lockout stays); only a far higher number of failures pauses the address itself.
"""

import pytest

from basesys import create_app
from basesys.accounts import services
from basesys.accounts.models import LoginAttempt
from basesys.core.policy import DEFAULT_POLICY, PolicyOverride
from tests.conftest import PASSWORD, IsolatedClient

SHARED = "203.0.113.7"  # the proxy's or the NAT's one address


def _log_in(username, password, address, now, policy=DEFAULT_POLICY):
    return services.log_in(username, password, address=address, now=now, policy=policy)


def _fail_from(address, count, now, prefix="nobody"):
    for i in range(count):
        assert _log_in(f"{prefix}{i}", "wrong", address, now).refusal.code == "invalid_credentials"


def test_failures_from_an_address_do_not_stop_another_users_right_password(db, now, make_user):
    user = make_user("sysadmin")
    _fail_from(SHARED, DEFAULT_POLICY.login_max_failures_per_address - 1, now)
    assert DEFAULT_POLICY.login_max_failures_per_address - 1 >= 20  # the old pause came at 20
    assert _log_in(user.username, PASSWORD, SHARED, now).user == user


def test_the_address_pause_is_far_above_the_account_lockout():
    assert DEFAULT_POLICY.login_max_failures_per_address >= 10 * DEFAULT_POLICY.login_max_failures


def test_the_address_cap_still_pauses_a_spray_from_one_address(db, now, make_user):
    user = make_user("sysadmin")
    policy = DEFAULT_POLICY.with_values({"login_max_failures_per_address": 3})
    for i in range(3):
        assert _log_in(f"sprayed{i}", "wrong", SHARED, now, policy).refusal.code == "invalid_credentials"
    assert _log_in(user.username, PASSWORD, SHARED, now, policy).refusal.code == "too_many_attempts"
    assert _log_in(user.username, PASSWORD, "198.51.100.1", now, policy).user == user


def test_the_account_lockout_still_holds_from_a_shared_address(db, now, make_user):
    user, other = make_user("sysadmin"), make_user("sysadmin")
    for _ in range(DEFAULT_POLICY.login_max_failures):
        assert _log_in(user.username, "wrong", SHARED, now).refusal.code == "invalid_credentials"
    assert _log_in(user.username, PASSWORD, SHARED, now).refusal.code == "too_many_attempts"
    assert _log_in(other.username, PASSWORD, SHARED, now).user == other


def test_page_login_after_failures_from_the_same_address(client, make_user):
    user = make_user("sysadmin")
    for i in range(25):
        response = client.post("/login", data={"username": f"nobody{i}", "password": "x"})
        assert response.status_code == 422
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def test_api_login_after_failures_from_the_same_address(client, make_user):
    user = make_user("sysadmin")
    for i in range(25):
        response = client.post("/api/v1/auth/token", json={"username": f"nobody{i}", "password": "x"})
        assert response.status_code == 401
    response = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200 and response.get_json()["token"]


# --- behind a proxy -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def proxied_app(app):
    """The same database, served as behind one trusted proxy (PROXY_FIX_X_FOR=1)."""
    proxied = create_app({**app.config, "PROXY_FIX_X_FOR": 1, "PROXY_FIX_X_PROTO": 1})
    proxied.test_client_class = IsolatedClient
    return proxied


def _from(client_address):
    # what nginx sends: the proxy connects from loopback and names the client in X-Forwarded-For
    return {"environ_base": {"REMOTE_ADDR": "127.0.0.1"}, "headers": {"X-Forwarded-For": client_address}}


@pytest.fixture
def address_cap_of_three(db):
    db.session.add(PolicyOverride(bureau_id=None, year=None, values={"login_max_failures_per_address": 3}))
    db.session.commit()


def test_behind_a_proxy_two_clients_are_throttled_separately(db, proxied_app, make_user, address_cap_of_three):
    user = make_user("sysadmin")
    client = proxied_app.test_client()
    for i in range(3):
        wrong = client.post("/api/v1/auth/token", json={"username": f"x{i}", "password": "x"}, **_from("198.51.100.1"))
        assert wrong.status_code == 401
    right = {"username": user.username, "password": PASSWORD}
    assert client.post("/api/v1/auth/token", json=right, **_from("198.51.100.1")).status_code == 429
    assert client.post("/api/v1/auth/token", json=right, **_from("198.51.100.2")).status_code == 200
    page = client.post("/login", data=right, **_from("198.51.100.3"))
    assert page.status_code == 302
    addresses = set(db.session.scalars(db.select(LoginAttempt.address)))
    assert addresses == {"198.51.100.1", "198.51.100.2", "198.51.100.3"}


def test_without_proxy_fix_x_forwarded_for_is_not_believed(db, client, make_user, address_cap_of_three):
    """Not behind a proxy (the default), a client cannot pick its address to dodge the pause."""
    for i in range(3):
        wrong = client.post("/login", data={"username": f"x{i}", "password": "x"}, **_from(f"198.51.100.{i}"))
        assert wrong.status_code == 422
    assert set(db.session.scalars(db.select(LoginAttempt.address))) == {"127.0.0.1"}
    user = make_user("sysadmin")
    again = client.post("/login", data={"username": user.username, "password": PASSWORD}, **_from("198.51.100.9"))
    assert again.status_code == 429
