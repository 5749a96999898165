"""Local redirects: every `next=` goes through core.web.local_target."""

import pytest

from basesys.core.web import local_target


@pytest.mark.parametrize("target", ["/courses", "/q/abc?x=1", "/admin/bureaus/1/edit#top"])
def test_a_path_of_this_site_is_kept(target):
    assert local_target(target) == target


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "/\t/evil.example", "/\n/evil.example", "/\\evil.example", "https://evil.example/", "evil", ""],
)
def test_anything_a_browser_reads_as_another_site_is_refused(target):
    assert local_target(target) is None


@pytest.mark.parametrize(
    "path", ["/login?next=/%09/evil.example", "/login?next=/a%0d%0aSet-Cookie:x=1", "/lang/en?next=/%5Cevil.example"]
)
def test_the_login_and_language_pages_stay_on_the_site(client, make_user, path):
    user = make_user("sysadmin")
    if path.startswith("/login"):
        response = client.post(path, data={"username": user.username, "password": "secret-pass-1"})
    else:
        response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://localhost/", "http://testserver/")
