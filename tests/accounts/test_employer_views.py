"""Employer pages and the trainee's profile link: scope (404 another city, 403 other roles), the
sysadmin's reviewer accounts, the reviewer's home page, the register form's credit code."""

import pytest

from basesys.accounts.models import Employer, User
from basesys.accounts.signals import trainee_employer_changed
from basesys.core.audit import AuditRecord
from basesys.core.ids import make_credit_code
from basesys.extensions import db
from tests.accounts.conftest import CODE_A, CODE_B
from tests.conftest import PASSWORD, valid_id_number


def test_an_officer_creates_an_employer_from_the_page(client, login, tenants):
    login(tenants.officer_a)
    form = client.get("/employers/new")
    assert form.status_code == 200 and tenants.city_b.name not in form.text and tenants.county_a.name in form.text
    response = client.post(
        "/employers/new", data={"name": "枣庄矿业集团", "credit_code": CODE_A, "bureau_id": tenants.city_a.id}
    )
    assert response.status_code == 302
    assert db.session.scalar(db.select(Employer).where(Employer.credit_code == CODE_A)).name == "枣庄矿业集团"


def test_the_employer_form_shows_a_bad_code_as_a_field_error(client, login, tenants):
    login(tenants.sysadmin)
    bad = CODE_A[:-1] + ("1" if CODE_A[-1] != "1" else "2")
    response = client.post(
        "/employers/new", data={"name": "某单位", "credit_code": bad, "bureau_id": tenants.city_a.id}
    )
    assert response.status_code == 422 and "统一社会信用代码无效" in response.text
    assert db.session.scalar(db.select(Employer.id)) is None


def test_the_list_shows_only_employers_in_scope(client, login, employers):
    login(employers.officer_a)
    page = client.get("/employers")
    assert page.status_code == 200 and "枣庄市立医院" in page.text and "市中区人民医院" in page.text
    assert "济宁市第一人民医院" not in page.text
    assert "济宁" not in client.get(f"/employers?q={CODE_B}").text.split("<table")[-1]
    assert "市中区人民医院" not in client.get("/employers?q=立医院").text


def test_an_officer_of_another_city_gets_404_for_the_employer_page(client, login, employers):
    login(employers.officer_b)
    assert client.get(f"/employers/{employers.emp_a.id}/edit").status_code == 404
    response = client.post(
        f"/employers/{employers.emp_a.id}/edit",
        data={"name": "x", "credit_code": CODE_A, "bureau_id": employers.city_b.id},
    )
    assert response.status_code == 404 and db.session.get(Employer, employers.emp_a.id).name == "枣庄市立医院"
    assert client.get(f"/employers/{employers.emp_b.id}/edit").status_code == 200


@pytest.mark.parametrize("who", ["reviewer_a", "admin_a", "trainee"])
def test_other_roles_get_403_for_the_employer_pages(client, login, employers, who):
    login(getattr(employers, who))
    for path in ("/employers", "/employers/new", f"/employers/{employers.emp_a.id}/edit"):
        assert client.get(path).status_code == 403, path


def test_the_sysadmin_creates_an_employer_reviewer(client, login, employers):
    login(employers.sysadmin)
    form = client.get("/admin/users/new")
    assert "枣庄市立医院" in form.text
    data = {"username": "reviewer_new", "password": "a-long-password", "role": "employer_reviewer"}
    missing = client.post("/admin/users/new", data=data)
    assert missing.status_code == 422
    response = client.post("/admin/users/new", data=data | {"employer_id": employers.emp_b.id})
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.username == "reviewer_new"))
    assert user.role == "employer_reviewer" and user.employer_id == employers.emp_b.id


def test_a_reviewer_logs_in_to_a_home_page_without_panels(client, login, employers):
    login(employers.reviewer_a)
    home = client.get("/")
    assert home.status_code == 200 and "退出" in home.text and "枣庄市立医院" in home.text
    assert 'href="/employers"' not in home.text and 'href="/admin/users"' not in home.text


def test_officer_nav_has_employers(client, login, employers):
    login(employers.officer_a)
    assert 'href="/employers"' in client.get("/").text


def test_the_profile_links_and_unlinks_the_employer(client, login, employers):
    seen = []

    def receiver(trainee, old_employer_id, new_employer_id, **kwargs):
        seen.append((old_employer_id, new_employer_id))

    trainee_employer_changed.connect(receiver)
    try:
        login(employers.trainee)
        page = client.get("/me/profile")
        assert page.status_code == 200 and "单位统一社会信用代码" in page.text
        assert client.post("/me/profile/employer", data={"employer_credit_code": CODE_A}).status_code == 302
        assert "枣庄市立医院" in client.get("/me/profile").text
        assert client.post("/me/profile/employer", data={"employer_credit_code": ""}).status_code == 302
    finally:
        trainee_employer_changed.disconnect(receiver)
    assert seen == [(None, employers.emp_a.id), (employers.emp_a.id, None)]
    actions = db.session.scalars(db.select(AuditRecord.action).where(AuditRecord.object_type == "trainee")).all()
    assert actions.count("trainee.employer_changed") == 2


def test_the_profile_refuses_an_unknown_code_with_a_field_error(client, login, employers):
    login(employers.trainee)
    response = client.post("/me/profile/employer", data={"employer_credit_code": make_credit_code("12370400MB5999999")})
    assert response.status_code == 422 and "没有以该统一社会信用代码登记的用人单位" in response.text
    db.session.expire_all()
    assert employers.trainee.employer_id is None


def test_the_old_profile_address_still_works(client, login, tenants):
    login(tenants.trainee)
    assert client.get("/account/profile").status_code == 200


def test_register_with_the_employer_code(client, employers):
    number = valid_id_number()
    response = client.post(
        "/register",
        data={
            "id_number": number, "name": "赵六", "phone": "13900000000", "password": PASSWORD, "confirm": PASSWORD,
            "employer": "枣庄市立医院", "employer_credit_code": CODE_A,
        },
    )  # fmt: skip
    assert response.status_code == 302, response.text[:500]
    user = db.session.scalar(db.select(User).where(User.username == number))
    assert user.trainee.employer_id == employers.emp_a.id
