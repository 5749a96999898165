"""The bureau's lists: filters, scope (a county officer sees its subtree only), roles."""

import pytest

from basesys.bureau import lists
from basesys.certificates.models import Certificate
from basesys.extensions import db
from tests.conftest import at


@pytest.mark.parametrize("path", ["/bureau/courses", "/bureau/certificates", "/bureau/audit"])
def test_roles(clock, client, login, tenants, path):
    assert client.get(path).status_code == 302  # to the login page
    for actor in (tenants.admin_a, tenants.trainee):
        login(actor)
        assert client.get(path).status_code == 403
    for actor in (tenants.officer_a, tenants.sysadmin):
        login(actor)
        assert client.get(path).status_code == 200


def test_courses_list_filters_and_scope(clock, client, login, tenants, finished, make_course):
    make_course(base=tenants.base_a, title="待审项目", status="submitted",
                sessions=[(at("2025-07-01", "09:00"), at("2025-07-01", "12:00"))])  # fmt: skip
    make_course(base=tenants.base_a, title="草稿项目", status="draft")
    make_course(
        base=tenants.base_county, title="区里项目", sessions=[(at("2025-06-15", "09:00"), at("2025-06-15", "12:00"))]
    )
    make_course(base=tenants.base_b, title="济宁项目")
    login(tenants.officer_a)
    page = client.get("/bureau/courses").text
    assert "安全生产专题培训" in page and "待审项目" in page and "区里项目" in page
    assert "草稿项目" not in page and "济宁项目" not in page
    assert "待报送" in page  # the finished course's roster
    only_submitted = client.get("/bureau/courses?status=submitted").text
    assert "待审项目" in only_submitted and "安全生产专题培训" not in only_submitted
    by_base = client.get(f"/bureau/courses?base={tenants.base_county.id}").text
    assert "区里项目" in by_base and "待审项目" not in by_base
    by_dates = client.get("/bureau/courses?start=2025-06-01&end=2025-06-30").text
    assert "区里项目" in by_dates and "待审项目" not in by_dates and "安全生产专题培训" not in by_dates
    assert "待审项目" in client.get("/bureau/courses?q=待审").text
    assert client.get("/bureau/courses?start=bad&page=x").status_code == 200
    login(tenants.officer_county)
    page = client.get("/bureau/courses").text
    assert "区里项目" in page and "安全生产专题培训" not in page
    # Another city's base asked for by id shows nothing of it.
    assert "济宁项目" not in client.get(f"/bureau/courses?base={tenants.base_b.id}").text


def test_course_search_finds_a_title_part_or_a_filing_number_whatever_its_case(
    clock, client, login, tenants, make_course, db
):
    course = make_course(base=tenants.base_a, title="BIM 建模进阶班", status="submitted")
    login(tenants.officer_a)
    assert "BIM 建模进阶班" in client.get("/bureau/courses?q=建模进").text  # the middle of a title
    assert "BIM 建模进阶班" in client.get("/bureau/courses?q=bim").text
    assert "BIM 建模进阶班" not in client.get("/bureau/courses?q=建模%25阶").text  # % is a character
    course.title = "装配式建筑研修"
    course.filing_number = "备2025-0001-000777"
    db.session.commit()
    assert course.search_text == "装配式建筑研修\n备2025-0001-000777"
    assert "装配式建筑研修" in client.get("/bureau/courses?q=000777").text
    assert "装配式建筑研修" not in client.get("/bureau/courses?q=建模").text


def test_courses_list_date_filter_uses_local_dates(clock, client, login, tenants, make_course):
    # 00:30 on 06-16 in Shanghai is 16:30 UTC on 06-15.
    make_course(
        base=tenants.base_a, title="凌晨项目", sessions=[(at("2025-06-16", "00:30"), at("2025-06-16", "02:00"))]
    )
    login(tenants.officer_a)
    assert "凌晨项目" not in client.get("/bureau/courses?start=2025-06-15&end=2025-06-15").text
    assert "凌晨项目" in client.get("/bureau/courses?start=2025-06-16&end=2025-06-16").text


def test_certificates_lookup_filters_and_revocation_link(clock, client, login, tenants, finished):
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.trainee_id == tenants.trainee.id))
    login(tenants.officer_a)
    page = client.get("/bureau/certificates").text
    assert certificate.number in page and "赵六" in page and "王五" not in page  # only completers have one
    assert tenants.trainee.id_number_masked in page and tenants.trainee.id_number not in page
    assert f"/certificates/{certificate.number}/revoke" in page
    assert "赵六" not in client.get(f"/bureau/certificates?q={certificate.number}").text
    assert certificate.number in client.get(f"/bureau/certificates?q={tenants.trainee.id_number}").text
    assert certificate.number in client.get("/bureau/certificates?q=李四").text
    assert certificate.number in client.get("/bureau/certificates?q=李").text  # a name by its beginning
    assert certificate.number not in client.get("/bureau/certificates?q=四").text  # not by its middle
    assert certificate.number in client.get(f"/bureau/certificates?q={certificate.number[:9].lower()}").text
    assert certificate.number not in client.get("/bureau/certificates?status=revoked").text
    assert certificate.number in client.get("/bureau/certificates?start=2025-05-20&end=2025-05-20").text
    assert certificate.number not in client.get("/bureau/certificates?start=2025-05-21").text
    login(tenants.sysadmin)
    page = client.get("/bureau/certificates").text
    assert certificate.number in page and "/revoke" not in page
    for outsider in (tenants.officer_b, tenants.officer_county):
        login(outsider)
        assert certificate.number not in client.get("/bureau/certificates").text


def test_revoking_from_the_list_comes_back_to_it(clock, client, login, tenants, finished):
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.trainee_id == tenants.trainee.id))
    login(tenants.officer_a)
    back = "/bureau/certificates?status=valid"
    response = client.post(
        f"/certificates/{certificate.number}/revoke?next={back}", data={"reason": "冒名顶替", "fraud": "y"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(back)
    assert db.session.get(Certificate, certificate.id).status == "revoked"
    assert "已撤销" in client.get("/bureau/certificates?status=revoked").text


def test_malformed_filters_are_ignored_not_errors(clock, client, login, tenants):
    login(tenants.officer_a)
    for path in ("/bureau/courses", "/bureau/certificates", "/bureau/audit", "/rosters/inbox"):
        response = client.get(f"{path}?base=abc&start=2025-13-40&end=x&status=<b>&q={'长' * 300}&page=-3")
        assert response.status_code == 200, path


def test_a_long_list_counts_up_to_the_cap(client, login, tenants, make_course, monkeypatch):
    """A province's certificate list holds millions: it counts up to COUNT_CAP and says "more than"."""
    monkeypatch.setattr(lists, "COUNT_CAP", 3)
    for n in range(5):
        make_course(base=tenants.base_a, title=f"长列表{n}")
    login(tenants.officer_a)
    page = client.get("/bureau/courses").text
    assert "超过 3 条" in page
    result = lists.courses(tenants.officer_a, at("2025-06-02", "09:00"), lists.Filters(), 1, 2)
    assert (result.total, result.capped, len(result.items)) == (3, True, 2)


def test_the_course_list_shows_plan_against_actual(login, finished, tenants):
    """`finished`: three enrolled, two completers with certificates (rosters/conftest.py)."""
    finished.planned_headcount = 40
    db.session.commit()
    page = login(tenants.officer_a).get("/bureau/courses").text
    row = next(line for line in page.split("<tr>") if "安全生产专题培训" in line)
    assert "3 / 40" in row  # enrolled / planned
    assert ">2<" in row.replace(" ", "")  # completed


@pytest.mark.parametrize("few", [True, False])
def test_certificate_pages_are_the_same_read_base_by_base_or_along_the_index(
    tenants, make_course, make_trainee, enroll, finalize, monkeypatch, few
):
    """A scope of a few bases is read base by base (core.paging.first_rows_per_key), a larger one
    along the issued_at index: the same certificates, in the same order, page after page."""
    from basesys.core import paging

    if not few:
        monkeypatch.setattr(paging, "FEW_KEYS", 1)
    for n, base in enumerate([tenants.base_a, tenants.base_county, tenants.base_a]):
        course = make_course(base=base, sessions=[(at(f"2025-05-0{n + 1}", "09:00"), at(f"2025-05-0{n + 1}", "12:00"))])
        trainees = [make_trainee(name=f"页{n}{k}") for k in range(3)]
        enroll(course, *trainees)
        finalize(course, {t: (3.0, True) for t in trainees}, when=at(f"2025-05-0{n + 1}", "14:00"))
    expected = db.session.scalars(
        db.select(Certificate.number)
        .where(Certificate.base_id.in_([tenants.base_a.id, tenants.base_county.id]))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ).all()
    pages = [lists.certificates(tenants.officer_a, lists.Filters(), page, 4) for page in (1, 2, 3)]
    assert [row[0].number for p in pages for row in p.items] == expected and len(expected) == 9
    assert pages[0].total == 9
    county = lists.certificates(tenants.officer_county, lists.Filters(), 1, 50)
    assert {row[0].base_id for row in county.items} == {tenants.base_county.id} and len(county.items) == 3
