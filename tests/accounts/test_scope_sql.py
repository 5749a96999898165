"""Scope in SQL (accounts.scope.in_base_scope / in_bureau_scope): the same walls as the Python sets,
as one clause with a fixed number of parameters however many bases and bureaus a scope holds."""

from basesys.accounts.models import Base, Bureau
from basesys.accounts.scope import in_base_scope, in_bureau_scope


def _bases(db, user) -> set[int]:
    return set(db.session.scalars(db.select(Base.id).where(in_base_scope(user, Base.id))))


def _bureaus(db, user) -> set[int]:
    return set(db.session.scalars(db.select(Bureau.id).where(in_bureau_scope(user, Bureau.id))))


def test_the_sql_scope_is_the_same_wall(db, tenants):
    everyone = set(db.session.scalars(db.select(Base.id)))
    t = tenants
    assert _bases(db, t.officer_province) == {t.base_a.id, t.base_b.id, t.base_county.id}
    assert _bureaus(db, t.officer_province) == {t.province.id, t.city_a.id, t.county_a.id, t.city_b.id}
    assert _bureaus(db, t.officer_a) == {t.city_a.id, t.county_a.id}
    assert _bases(db, t.officer_b) == {t.base_b.id} and _bureaus(db, t.officer_b) == {t.city_b.id}
    assert _bases(db, tenants.officer_a) == {tenants.base_a.id, tenants.base_county.id}
    assert _bases(db, tenants.officer_county) == {tenants.base_county.id}
    assert _bases(db, tenants.admin_a) == {tenants.base_a.id}
    assert _bases(db, tenants.sysadmin) == everyone
    assert _bases(db, tenants.trainee.user) == set()
    assert _bureaus(db, tenants.admin_a) == set()


def test_the_sql_scope_binds_no_parameter_per_base(db, tenants, make_base):
    for n in range(30):
        make_base(bureau=tenants.county_a, name=f"区属基地{n}")
    clause = in_base_scope(tenants.officer_province, Base.id).compile()
    assert len(clause.params) <= 2
    assert len(_bases(db, tenants.officer_province)) == 33


def test_two_scope_clauses_in_one_query(db, tenants):
    """Each clause has its own (anonymous) CTE, so a query may filter by both."""
    query = db.select(Base.id).join(Bureau, Bureau.id == Base.bureau_id)
    query = query.where(in_base_scope(tenants.officer_a, Base.id), in_bureau_scope(tenants.officer_a, Bureau.id))
    assert set(db.session.scalars(query)) == {tenants.base_a.id, tenants.base_county.id}
