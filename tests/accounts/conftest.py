"""Fixtures of the accounts tests: employers in the tenants' cities (DOMAIN.md §1)."""

import pytest

from basesys.accounts import services
from basesys.core.ids import make_credit_code
from tests.conftest import PASSWORD

CODE_A = make_credit_code("12370400MB5000001")
CODE_B = make_credit_code("12370800MB5000002")


@pytest.fixture
def employers(db, now, tenants):
    """枣庄 A 的单位 (city A), 区属单位 (county under A), 济宁 B 的单位 (city B); a reviewer for the first."""
    ns = tenants
    ns.emp_a = services.create_employer(None, name="枣庄市立医院", credit_code=CODE_A, bureau_id=ns.city_a.id, now=now)
    ns.emp_county = services.create_employer(
        None,
        name="市中区人民医院",
        credit_code=make_credit_code("12370402MB5000003"),
        bureau_id=ns.county_a.id,
        now=now,
    )
    ns.emp_b = services.create_employer(
        None, name="济宁市第一人民医院", credit_code=CODE_B, bureau_id=ns.city_b.id, now=now
    )
    ns.reviewer_a = services.create_staff_user(
        None, username="reviewer_a", password=PASSWORD, role="employer_reviewer", employer_id=ns.emp_a.id, now=now
    )
    db.session.commit()
    return ns
