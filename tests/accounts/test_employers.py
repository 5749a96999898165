"""Employers (DOMAIN.md §1): credit code, duplicates, scope; employer reviewers; the trainee's
employer link (audited, `trainee_employer_changed` sent only when it changed)."""

import pytest

from basesys.accounts import services
from basesys.accounts.models import Employer, Role
from basesys.accounts.scope import can_see_employer, in_employer_scope
from basesys.accounts.signals import trainee_employer_changed
from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError
from basesys.core.ids import make_credit_code
from tests.accounts.conftest import CODE_A, CODE_B
from tests.conftest import PASSWORD, valid_id_number


def wrong_check_digit(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


# --- services -------------------------------------------------------------------------------------


def test_create_employer_normalises_the_code_and_audits(db, now, tenants):
    employer = services.create_employer(
        tenants.officer_a, name=" 枣庄矿业集团 ", credit_code=CODE_A.lower(), bureau_id=tenants.city_a.id, now=now
    )
    db.session.commit()
    assert (employer.name, employer.credit_code, employer.bureau_id) == ("枣庄矿业集团", CODE_A, tenants.city_a.id)
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "employer.created"))
    assert record.after["credit_code"] == CODE_A and record.actor_id == tenants.officer_a.id


def test_create_employer_refuses_a_wrong_check_digit(db, now, tenants):
    with pytest.raises(DomainError) as e:
        services.create_employer(
            tenants.sysadmin, name="某单位", credit_code=wrong_check_digit(CODE_A), bureau_id=tenants.city_a.id, now=now
        )
    assert e.value.code == "invalid_credit_code" and e.value.status == 422


def test_create_employer_refuses_a_duplicate_code(db, now, employers):
    with pytest.raises(DomainError) as e:
        services.create_employer(
            employers.sysadmin, name="另一家", credit_code=CODE_A, bureau_id=employers.city_b.id, now=now
        )
    assert e.value.code == "duplicate_credit_code" and e.value.status == 409


def test_an_officer_creates_under_its_subtree_only(db, now, tenants):
    county = services.create_employer(
        tenants.officer_a, name="区属单位", credit_code=CODE_A, bureau_id=tenants.county_a.id, now=now
    )
    assert county.bureau_id == tenants.county_a.id
    for bureau in (tenants.city_b, tenants.province):
        with pytest.raises(DomainError) as e:
            services.create_employer(
                tenants.officer_a, name="越界单位", credit_code=CODE_B, bureau_id=bureau.id, now=now
            )
        assert e.value.code == "not_found"


def test_create_employer_refuses_an_unknown_bureau_and_other_roles(db, now, tenants):
    with pytest.raises(DomainError) as e:
        services.create_employer(tenants.sysadmin, name="某单位", credit_code=CODE_A, bureau_id=999999, now=now)
    assert e.value.code == "not_found"
    with pytest.raises(DomainError) as e:
        services.create_employer(
            tenants.admin_a, name="某单位", credit_code=CODE_A, bureau_id=tenants.city_a.id, now=now
        )
    assert e.value.code == "forbidden"


def test_update_employer_audits_before_and_after(db, now, employers):
    services.update_employer(
        employers.officer_a, employers.emp_a, name="枣庄市立医院（新院区）", credit_code=CODE_A,
        bureau_id=employers.county_a.id, now=now,
    )  # fmt: skip
    db.session.commit()
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "employer.updated"))
    assert record.before["name"] == "枣庄市立医院" and record.after["bureau_id"] == employers.county_a.id


def test_update_employer_outside_scope_is_not_found(db, now, employers):
    with pytest.raises(DomainError) as e:
        services.update_employer(
            employers.officer_a, employers.emp_b, name="x", credit_code=CODE_B, bureau_id=employers.city_a.id, now=now
        )
    assert e.value.code == "not_found"


def test_find_employer_by_credit_code(db, employers):
    assert services.find_employer_by_credit_code(f" {CODE_A.lower()} ") == employers.emp_a
    assert services.find_employer_by_credit_code("") is None
    assert services.find_employer_by_credit_code(make_credit_code("12370400MB5999999")) is None


def test_employer_scope_per_role(db, employers):
    def visible(user):
        return set(db.session.scalars(db.select(Employer.id).where(in_employer_scope(user, Employer.id))))

    t = employers
    assert visible(t.sysadmin) == {t.emp_a.id, t.emp_county.id, t.emp_b.id}
    assert visible(t.officer_province) == {t.emp_a.id, t.emp_county.id, t.emp_b.id}
    assert visible(t.officer_a) == {t.emp_a.id, t.emp_county.id}
    assert visible(t.officer_county) == {t.emp_county.id}
    assert visible(t.officer_b) == {t.emp_b.id}
    assert visible(t.reviewer_a) == {t.emp_a.id}
    assert visible(t.admin_a) == set() and visible(t.trainee.user) == set()
    assert can_see_employer(t.reviewer_a, t.emp_a) and not can_see_employer(t.reviewer_a, t.emp_b)


def test_list_employers_searches_name_or_code(db, employers):
    assert [e.id for e in services.list_employers(employers.officer_a, "立医院")] == [employers.emp_a.id]
    assert [e.id for e in services.list_employers(employers.sysadmin, CODE_B.lower())] == [employers.emp_b.id]
    assert services.list_employers(employers.officer_a, CODE_B) == []


def test_an_employer_reviewer_needs_an_existing_employer(db, now, employers):
    for employer_id in (None, 999999):
        with pytest.raises(DomainError) as e:
            services.create_staff_user(
                None, username="r2", password=PASSWORD, role="employer_reviewer", employer_id=employer_id, now=now
            )
        assert e.value.code == "validation_failed" and "employer_id" in e.value.fields
    assert (
        employers.reviewer_a.role == Role.EMPLOYER_REVIEWER and employers.reviewer_a.employer_id == employers.emp_a.id
    )


# --- the trainee's link ---------------------------------------------------------------------------


@pytest.fixture
def received():
    """Every `trainee_employer_changed` sent during the test, as (trainee id, old, new)."""
    seen = []

    def receiver(trainee, old_employer_id, new_employer_id, actor, now):
        seen.append((trainee.id, old_employer_id, new_employer_id))

    trainee_employer_changed.connect(receiver)
    yield seen
    trainee_employer_changed.disconnect(receiver)


def test_link_employer_sets_clears_audits_and_signals(db, now, employers, received):
    trainee = employers.trainee
    services.link_employer(trainee.user, trainee, CODE_A.lower(), now=now)
    assert trainee.employer_id == employers.emp_a.id and trainee.rules_bureau_id == employers.city_a.id
    services.link_employer(trainee.user, trainee, CODE_A, now=now)  # unchanged: nothing sent, nothing audited
    services.link_employer(trainee.user, trainee, "", now=now)
    db.session.commit()
    assert trainee.employer_id is None
    assert received == [(trainee.id, None, employers.emp_a.id), (trainee.id, employers.emp_a.id, None)]
    records = db.session.scalars(
        db.select(AuditRecord).where(AuditRecord.action == "trainee.employer_changed").order_by(AuditRecord.id)
    ).all()
    assert [(r.before["employer_credit_code"], r.after["employer_credit_code"]) for r in records] == [
        ("", CODE_A),
        (CODE_A, ""),
    ]


def test_link_employer_refuses_malformed_and_unknown_codes(db, now, employers, received):
    trainee = employers.trainee
    with pytest.raises(DomainError) as e:
        services.link_employer(trainee.user, trainee, wrong_check_digit(CODE_A), now=now)
    assert e.value.code == "invalid_credit_code"
    with pytest.raises(DomainError) as e:
        services.link_employer(trainee.user, trainee, make_credit_code("12370400MB5999999"), now=now)
    assert e.value.code == "employer_unknown" and "employer_credit_code" in e.value.fields
    assert trainee.employer_id is None and received == []


def test_the_signal_sees_the_changed_row(db, now, employers):
    seen = []

    def receiver(trainee, **kwargs):
        seen.append(trainee.employer_id)

    trainee_employer_changed.connect(receiver)
    try:
        services.link_employer(employers.trainee.user, employers.trainee, CODE_B, now=now)
    finally:
        trainee_employer_changed.disconnect(receiver)
    assert seen == [employers.emp_b.id]


def test_register_with_an_employer_code_links_it(db, now, employers, received):
    trainee = services.register_trainee(
        id_number=valid_id_number(), name="新学员", password=PASSWORD, phone="13900000001",
        employer_credit_code=CODE_A, now=now,
    )  # fmt: skip
    db.session.commit()
    assert trainee.employer_id == employers.emp_a.id and received == [(trainee.id, None, employers.emp_a.id)]


def test_register_with_an_unknown_code_stores_nothing(db, now, employers):
    number = valid_id_number()
    with pytest.raises(DomainError) as e:
        services.register_trainee(
            id_number=number, name="新学员", password=PASSWORD, phone="13900000001",
            employer_credit_code=make_credit_code("12370400MB5999999"), now=now,
        )  # fmt: skip
    assert e.value.code == "employer_unknown"
    db.session.rollback()
    assert services.get_trainee_by_id_number(number) is None
