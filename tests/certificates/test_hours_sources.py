"""The year's hours from both sources (DOMAIN.md §10, §11): course entries and recognised
declarations, the requirement of the rules bureau pro-rated by a long absence, past years."""

import pytest

from basesys.accounts.models import Employer
from basesys.certificates.services import hours_summary, hours_totals
from basesys.certificates.services.queries import ledger_years, pro_rated, requirement_note
from basesys.core.ids import make_credit_code
from basesys.core.policy import PolicyOverride
from tests.statements import counted


def test_hours_count_course_and_declaration_entries(db, finalized, declared):
    t = finalized
    declared(t.trainee, t.city_a, hours=10, category="professional", title="科研成果 · 论文《桥梁检测》")
    declared(t.trainee, t.city_a, hours=5, category="public", title="计算机应用能力 · 模块一")
    summary = hours_summary(t.trainee, 2025)
    assert [(e.source, e.display_title) for e in summary.entries] == [
        ("course", t.course.title),
        ("declaration", "科研成果 · 论文《桥梁检测》"),
        ("declaration", "计算机应用能力 · 模块一"),
    ]
    assert summary.issued == {"public": 0.0, "professional": 16.0, "total": 16.0}
    assert summary.recognized == {"public": 5.0, "professional": 10.0, "total": 15.0}
    totals = hours_totals(t.trainee, 2025)
    assert (totals.issued, totals.recognized) == (summary.issued, summary.recognized)


def test_a_void_declaration_entry_counts_for_nothing(db, tenants, declared):
    declared(tenants.trainee, tenants.city_a, hours=10, status="void")
    summary = hours_summary(tenants.trainee, 2025)
    assert [e.status for e in summary.entries] == ["void"] and summary.counted_entries == []
    assert summary.recognized["total"] == 0 and hours_totals(tenants.trainee, 2025).recognized["total"] == 0


def test_past_years_are_kept_apart_and_listed(db, tenants, declared):
    declared(tenants.trainee, tenants.city_a, hours=10, year=2023)
    declared(tenants.trainee, tenants.city_a, hours=20, year=2024)
    assert hours_summary(tenants.trainee, 2024).recognized["total"] == 20.0
    assert hours_summary(tenants.trainee, 2023).recognized["total"] == 10.0
    assert hours_summary(tenants.trainee, 2025).entries == []
    assert ledger_years(tenants.trainee) == [2024, 2023]


@pytest.mark.parametrize(
    ("hours", "months", "expected"),
    [(30, 4, 10.0), (60, 4, 20.0), (90, 4, 30.0), (30, 5, 12.5), (45, 1, 4.0), (60, 0, 0.0), (60, 12, 60.0)],
)
def test_pro_rating_rounds_up_to_a_half_hour(hours, months, expected):
    assert pro_rated(hours, months) == expected


def test_a_long_absence_pro_rates_the_requirement(db, tenants, declared):
    declared(tenants.trainee, tenants.city_a, months_at_work=4)
    summary = hours_summary(tenants.trainee, 2025)
    assert summary.required == {"public": 10.0, "professional": 20.0, "total": 30.0}
    assert summary.full_required == {"public": 30, "professional": 60, "total": 90}
    assert summary.months_at_work == 4 and "4 个月" in requirement_note(summary)
    assert hours_totals(tenants.trainee, 2025).required == summary.required
    assert hours_summary(tenants.trainee, 2024).required["total"] == 90  # another year: in full


def test_the_smallest_months_at_work_applies_and_void_reductions_do_not(db, tenants, declared):
    declared(tenants.trainee, tenants.city_a, months_at_work=2, void=True)
    declared(tenants.trainee, tenants.city_a, months_at_work=8)
    declared(tenants.trainee, tenants.city_a, months_at_work=6)
    summary = hours_summary(tenants.trainee, 2025)
    assert summary.months_at_work == 6 and summary.required == {"public": 15.0, "professional": 30.0, "total": 45.0}


def test_the_requirement_is_the_employers_bureaus(db, tenants, now):
    trainee = tenants.trainee
    trainee.bureau_id = tenants.city_a.id
    employer = Employer(
        name="济宁某设计院",
        credit_code=make_credit_code("91370800MA0000001"),
        bureau_id=tenants.city_b.id,
        created_at=now,
    )
    db.session.add(employer)
    db.session.add(PolicyOverride(bureau_id=tenants.city_b.id, year=2025, values={"required_public_hours": 24}))
    db.session.commit()
    assert hours_summary(trainee, 2025).required["public"] == 30.0  # its own bureau (city A): the default
    trainee.employer_id = employer.id
    db.session.commit()
    db.session.expire(trainee)
    assert hours_summary(trainee, 2025).required == {"public": 24.0, "professional": 60.0, "total": 84.0}


def test_me_hours_lists_a_declaration_entry(db, client, finalized, declared, api_headers):
    declared(finalized.trainee, finalized.city_a, hours=10, title="科研成果 · 论文《桥梁检测》")
    body = client.get("/api/v1/me/hours?year=2025", headers=api_headers(finalized.trainee)).get_json()
    assert body["entries"][1] == {
        "source": "declaration",
        "course_id": None,
        "title": "科研成果 · 论文《桥梁检测》",
        "category": "professional",
        "hours": 10.0,
        "status": "recognized",
        "certificate_number": None,
    }
    assert body["entries"][0]["source"] == "course" and body["recognized"]["total"] == 10.0


def test_me_hours_statements_stay_constant_in_the_ledger(db, client, tenants, declared, api_headers):
    headers = api_headers(tenants.trainee)
    declared(tenants.trainee, tenants.city_a, hours=1)
    with counted(db.engine) as few:
        assert client.get("/api/v1/me/hours?year=2025", headers=headers).status_code == 200
    for _ in range(12):
        declared(tenants.trainee, tenants.city_a, hours=1)
    with counted(db.engine) as many:
        assert client.get("/api/v1/me/hours?year=2025", headers=headers).get_json()["recognized"]["total"] == 13.0
    assert len(many) == len(few)


def test_the_hours_page_shows_declarations_the_reduction_and_the_statement_button(
    db, client, clock, tenants, declared, login
):
    declared(tenants.trainee, tenants.city_a, hours=10, title="科研成果 · 论文《桥梁检测》", year=2024)
    declared(tenants.trainee, tenants.city_a, months_at_work=4, year=2024)
    login(tenants.trainee)
    html = client.get("/me/hours?year=2024").get_data(as_text=True)
    assert "科研成果 · 论文《桥梁检测》" in html and 'id="requirement-reduced"' in html and "在岗 4 个月" in html
    assert 'href="/me/statements/2024.pdf"' in html
    assert 'href="/me/hours?year=2024"' in html and 'href="/me/hours?year=2025"' in html  # past year selectable
