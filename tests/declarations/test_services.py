"""Every row of the Jining 2025 table (DOMAIN.md §11) through the services: its hours, category and
cap, declared, approved by the employer and recognised by the bureau; Zaozhuang's differences by
the same declaration under its rules."""

import pytest

from basesys.certificates.models import LedgerEntry, RequirementReduction
from basesys.core.errors import DomainError
from basesys.declarations import services
from basesys.declarations.models import DeclarationStatus
from basesys.extensions import db
from tests.declarations.conftest import approve, declare


def entries(declaration):
    rows = db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.declaration_id == declaration.id)).all()
    return {row.category: float(row.hours) for row in rows}


def recognise(decl, declaration, employer_reviewer=None, officer=None):
    reviewers = [r for r in (employer_reviewer, officer) if r is not None]
    return approve(declaration, *reviewers)


def full(decl, trainee, *args, **kwargs):
    """Declared by a Jining trainee of employer_jn and recognised through the chain."""
    declaration = declare(trainee, *args, **kwargs)
    return recognise(decl, declaration, decl.reviewer_jn, decl.officer_b)


def test_posting_is_pro_rata_by_months_in_both_categories(decl):
    declaration = full(decl, decl.trainee, "posting", "posting", 6, title="援疆")
    assert declaration.status == DeclarationStatus.RECOGNIZED
    assert entries(declaration) == {"public": 15.0, "professional": 30.0}


def test_posting_a_whole_year_and_no_more_than_twelve_months(decl):
    preview = services.preview(decl.trainee, year=2025, rule="posting", option="posting", quantity=12)
    assert (preview.hours_public, preview.hours_professional) == (30.0, 60.0)
    with pytest.raises(DomainError) as error:
        services.preview(decl.trainee, year=2025, rule="posting", option="posting", quantity=13)
    assert error.value.code == "validation_failed"


@pytest.mark.parametrize("level,hours", [("a", 30.0), ("b", 20.0), ("c", 10.0)])
def test_foreign_language_levels_are_public_hours(decl, level, hours):
    declaration = full(decl, decl.trainee, "foreign_language", level)
    assert entries(declaration) == {"public": hours}


def test_computer_modules_are_five_each_capped_at_thirty(decl):
    first = full(decl, decl.trainee, "computer", "module", 4)
    assert entries(first) == {"public": 20.0}
    assert services.preview(decl.trainee, year=2025, rule="computer", option="module", quantity=4).left_in_cap == 10.0
    second = full(decl, decl.trainee, "computer", "module", 4)
    assert entries(second) == {"public": 10.0}
    assert second.grant_note == "本年度该项剩余 10 学时，核定 10 学时"
    with pytest.raises(DomainError) as error:
        declare(decl.trainee, "computer", "module", 1)
    assert error.value.code == "cap_reached"


@pytest.mark.parametrize(
    "level,category,hours",
    [
        ("national", "public", 5.0),
        ("provincial", "public", 4.0),
        ("city", "public", 3.0),
        ("county", "public", 3.0),
        ("national", "professional", 30.0),
        ("provincial", "professional", 20.0),
        ("city", "professional", 10.0),
        ("county", "professional", 5.0),
    ],
)
def test_competition_counts_in_one_category_chosen_per_event(decl, level, category, hours):
    declaration = full(decl, decl.trainee, "competition", level, category=category)
    assert entries(declaration) == {category: hours}


def test_competition_needs_the_category_chosen(decl):
    with pytest.raises(DomainError) as error:
        declare(decl.trainee, "competition", "national")
    assert error.value.code == "validation_failed" and "category" in error.value.fields


def test_self_study_is_ten_per_course_capped_at_forty(decl):
    first = full(decl, decl.trainee, "self_study", "course", 3)
    assert entries(first) == {"professional": 30.0}
    second = full(decl, decl.trainee, "self_study", "course", 3)
    assert entries(second) == {"professional": 10.0}
    assert "剩余 10 学时" in second.grant_note


@pytest.mark.parametrize("option", ["paper", "patent", "award", "book"])
def test_achievements_are_ten_each_capped_at_thirty(decl, option):
    first = full(decl, decl.trainee, "achievement", option, 2)
    assert entries(first) == {"professional": 20.0}
    second = full(decl, decl.trainee, "achievement", option, 2)
    assert entries(second) == {"professional": 10.0}


def test_qualification_exam_is_sixteen_professional(decl):
    assert entries(full(decl, decl.trainee, "qualification", "passed")) == {"professional": 16.0}


@pytest.mark.parametrize(
    "level,hours",
    [("chief", 30.0), ("special", 25.0), ("senior_technician", 20.0), ("technician", 15.0), ("senior_worker", 10.0)],
)
def test_skill_levels_are_thirty_down_to_ten(decl, level, hours):
    assert entries(full(decl, decl.trainee, "skill_level", level)) == {"professional": hours}


def test_one_item_rules_take_quantity_one_whatever_is_sent(decl):
    declaration = full(decl, decl.trainee, "qualification", "passed", 5)
    assert float(declaration.quantity) == 1.0 and entries(declaration) == {"professional": 16.0}


def test_an_unknown_rule_or_option_is_refused(decl):
    for rule, option in (("nope", "x"), ("computer", "nope")):
        with pytest.raises(DomainError) as error:
            declare(decl.trainee, rule, option)
        assert error.value.code == "rule_unknown"


def test_a_bureau_without_rules_inherits_none_from_a_sibling(decl, make_bureau):
    lone = make_bureau(name="德州市人社局", parent=decl.province)
    assert services.rules_in_force(lone.id, 2025) is None
    county = services.rules_in_force(decl.county_a.id, 2025)  # below Zaozhuang: Zaozhuang's rules
    assert county is not None and county.bureau_id == decl.city_a.id
    assert services.rules_in_force(decl.city_b.id, 2026) is None


# --- Zaozhuang's differences: the same declaration under the two bureaus ---------------------------


def test_competition_is_ten_per_event_capped_at_thirty_in_zaozhuang(decl):
    jn = full(decl, decl.trainee, "competition", "national", category="professional")
    assert entries(jn) == {"professional": 30.0}
    for _ in range(3):
        zz = approve(
            declare(decl.zz_trainee, "competition", "national", category="professional"),
            decl.reviewer_zz,
            decl.officer_a,
        )
        assert entries(zz) == {"professional": 10.0}
    with pytest.raises(DomainError) as error:
        declare(decl.zz_trainee, "competition", "county", category="public")
    assert error.value.code == "cap_reached"
    # Jining has no cap on competitions: a second national event counts in full.
    assert entries(full(decl, decl.trainee, "competition", "national", category="professional")) == {
        "professional": 30.0
    }


def test_self_study_and_degree_study_share_forty_in_zaozhuang(decl):
    zz = approve(declare(decl.zz_trainee, "self_study", "course", 3), decl.reviewer_zz, decl.officer_a)
    assert entries(zz) == {"professional": 30.0}
    degree = approve(declare(decl.zz_trainee, "degree_study", "course", 2), decl.reviewer_zz, decl.officer_a)
    assert entries(degree) == {"professional": 10.0} and "剩余 10 学时" in degree.grant_note
    # Jining has no 在职学历 rule at all.
    with pytest.raises(DomainError) as error:
        declare(decl.trainee, "degree_study", "course", 1)
    assert error.value.code == "rule_unknown"


def test_software_copyright_and_standards_are_achievements_only_in_zaozhuang(decl):
    for option in ("software", "standard"):
        zz = approve(declare(decl.zz_trainee, "achievement", option), decl.reviewer_zz, decl.officer_a)
        assert entries(zz) == {"professional": 10.0}
        with pytest.raises(DomainError) as error:
            declare(decl.trainee, "achievement", option)
        assert error.value.code == "rule_unknown"


def test_the_employers_bureau_decides_whose_rules_apply(decl):
    """A trainee registered with Zaozhuang but working for a Jining employer declares under Jining."""
    decl.zz_trainee.employer_id = decl.employer_jn.id
    db.session.commit()
    db.session.expire_all()
    declaration = declare(decl.zz_trainee, "foreign_language", "a")
    assert declaration.bureau_id == decl.city_b.id and declaration.employer_id == decl.employer_jn.id


# --- long absence -----------------------------------------------------------------------------------


def test_a_long_sick_leave_reduces_the_requirement_by_months_at_work(decl):
    from datetime import date

    declaration = declare(
        decl.trainee, "absence", "sick_leave", started_on=date(2025, 1, 1), ended_on=date(2025, 8, 31)
    )
    assert declaration.months_at_work == 4 and declaration.kind == "requirement"
    approve(declaration, decl.reviewer_jn, decl.officer_b)
    reduction = db.session.scalar(
        db.select(RequirementReduction).where(RequirementReduction.declaration_id == declaration.id)
    )
    assert reduction.months_at_work == 4 and reduction.year == 2025
    assert entries(declaration) == {}


def test_sick_leave_of_six_months_or_less_is_refused_but_maternity_is_not(decl):
    from datetime import date

    with pytest.raises(DomainError) as error:
        declare(decl.trainee, "absence", "sick_leave", started_on=date(2025, 1, 1), ended_on=date(2025, 6, 30))
    assert error.value.code == "validation_failed"
    declaration = declare(decl.trainee, "absence", "maternity", started_on=date(2025, 3, 1), ended_on=date(2025, 6, 30))
    assert declaration.months_at_work == 8


# --- evidence and the year --------------------------------------------------------------------------


def test_a_declaration_needs_evidence_of_its_own_trainee_not_used_elsewhere(decl):
    from tests.declarations.conftest import upload

    with pytest.raises(DomainError) as error:
        declare(decl.trainee, "qualification", "passed", evidence=[])
    assert error.value.code == "evidence_missing"
    someone_elses = upload(decl.free)
    with pytest.raises(DomainError) as error:
        declare(decl.trainee, "qualification", "passed", evidence=[someone_elses])
    assert error.value.code == "evidence_missing"
    used = declare(decl.trainee, "qualification", "passed").evidence
    with pytest.raises(DomainError) as error:
        declare(decl.trainee, "foreign_language", "a", evidence=used)
    assert error.value.code == "evidence_missing"


def test_a_future_year_is_refused_and_an_earlier_one_needs_its_rules(decl):
    with pytest.raises(DomainError) as error:
        declare(decl.trainee, "qualification", "passed", year=2026)
    assert error.value.code == "validation_failed" and "year" in error.value.fields
    with pytest.raises(DomainError) as error:
        declare(decl.trainee, "qualification", "passed", year=2024)
    assert error.value.code == "rule_unknown"
