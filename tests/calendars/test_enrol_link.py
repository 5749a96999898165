"""The self-enrolment link of an approved course: link, QR code (PNG, SVG), printable poster; it
lands on the course's catalogue page. The base admin's, for approved courses of their base only."""

import io

import pytest
from PIL import Image

from tests.conftest import at

pytestmark = pytest.mark.usefixtures("clock")


def test_course_page_shows_the_link_and_qr_for_an_approved_course(app, client, login, tenants, make_course):
    course = make_course(base=tenants.base_a)
    login(tenants.admin_a)
    page = client.get(f"/courses/{course.id}").text
    url = f"{app.config['BASE_URL']}/catalog/{course.id}"
    assert f'value="{url}"' in page and 'id="enrol-url"' in page
    assert '<svg class="qr"' in page
    for link in ("enrol-qr.png", "enrol-qr.svg", "poster"):
        assert f"/courses/{course.id}/{link}" in page


def test_no_enrolment_link_before_approval(client, login, tenants, make_course):
    course = make_course(base=tenants.base_a, status="submitted")
    login(tenants.admin_a)
    assert 'id="enrol-url"' not in client.get(f"/courses/{course.id}").text
    for link in ("enrol-qr.png", "enrol-qr.svg", "poster"):
        assert client.get(f"/courses/{course.id}/{link}").status_code == 404


def test_qr_png_is_a_png_to_download(client, login, tenants, make_course):
    course = make_course(base=tenants.base_a)
    login(tenants.admin_a)
    response = client.get(f"/courses/{course.id}/enrol-qr.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "attachment" in response.headers["Content-Disposition"]
    image = Image.open(io.BytesIO(response.data))
    assert image.size[0] == image.size[1] >= 200


def test_qr_svg_is_an_svg_to_download(client, login, tenants, make_course):
    course = make_course(base=tenants.base_a)
    login(tenants.admin_a)
    response = client.get(f"/courses/{course.id}/enrol-qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.text.startswith("<svg") and "<path" in response.text


def test_unknown_qr_format_is_404(client, login, tenants, make_course):
    course = make_course(base=tenants.base_a)
    login(tenants.admin_a)
    assert client.get(f"/courses/{course.id}/enrol-qr.gif").status_code == 404


def test_poster_has_the_course_the_qr_and_the_link(app, client, login, tenants, make_course):
    course = make_course(base=tenants.base_a, title="海报上的课")
    login(tenants.admin_a)
    page = client.get(f"/courses/{course.id}/poster")
    assert page.status_code == 200
    assert "海报上的课" in page.text and tenants.base_a.name in page.text and "2025-06-10" in page.text
    assert f"{app.config['BASE_URL']}/catalog/{course.id}" in page.text and '<svg class="qr"' in page.text
    assert course.filing_number in page.text


def test_enrolment_link_of_another_base_is_404(client, login, tenants, make_course):
    course = make_course(base=tenants.base_b)
    login(tenants.admin_a)
    for link in ("enrol-qr.png", "enrol-qr.svg", "poster"):
        assert client.get(f"/courses/{course.id}/{link}").status_code == 404


@pytest.mark.parametrize("who", ["officer_a", "sysadmin"])
def test_enrolment_link_is_the_base_admins(client, login, tenants, make_course, who):
    course = make_course(base=tenants.base_a)
    login(getattr(tenants, who))
    assert 'id="enrol-url"' not in client.get(f"/courses/{course.id}").text
    assert client.get(f"/courses/{course.id}/poster").status_code == 403


def test_the_link_lands_on_the_catalogue_page_and_enrols(client, login, tenants, make_course):
    """A trainee scanning the poster: logged out, they log in and come back to enrol."""
    course = make_course(base=tenants.base_a, sessions=[(at("2025-06-20", "09:00"), at("2025-06-20", "12:00"))])
    landing = client.get(f"/catalog/{course.id}")
    assert landing.status_code == 302 and "login" in landing.headers["Location"]
    login(tenants.trainee)
    page = client.get(f"/catalog/{course.id}")
    assert page.status_code == 200 and 'id="enrol"' in page.text
    assert client.post(f"/catalog/{course.id}/enrol").status_code == 302
    assert 'id="enrolled-badge"' in client.get(f"/catalog/{course.id}").text
