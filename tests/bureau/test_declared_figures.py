"""The bureau's figures of recognised hour declarations (§11): by the declaring bureau, in scope,
in the year of recognition; and past years selectable on the bureau's home."""

from datetime import timedelta

from basesys.bureau import stats
from basesys.courses import month_figures


def test_declared_hours_are_counted_by_the_declarations_bureau_in_scope(db, tenants, declared, make_trainee):
    declared(tenants.trainee, tenants.county_a, hours=10)
    declared(tenants.trainee, tenants.county_a, hours=5, category="public")
    declared(tenants.other_trainee, tenants.city_a, hours=8)
    declared(make_trainee(name="赵六"), tenants.city_b, hours=30)
    declared(tenants.trainee, tenants.city_a, hours=7, status="void")
    declared(tenants.trainee, tenants.city_a, months_at_work=4)  # a requirement, no hours
    assert stats.declared_figures(tenants.officer_a, 2025) == stats.DeclaredFigures(3, 2, 23.0)
    assert stats.declared_figures(tenants.officer_county, 2025) == stats.DeclaredFigures(2, 1, 15.0)
    assert stats.declared_figures(tenants.officer_b, 2025) == stats.DeclaredFigures(1, 1, 30.0)
    assert stats.declared_figures(tenants.officer_province, 2025).hours == 53.0
    assert stats.declared_figures(tenants.officer_a, 2024) == stats.DeclaredFigures()


def test_declared_figures_are_of_the_year_of_recognition(db, tenants, declared, now):
    from basesys.certificates.models import LedgerEntry

    declared(tenants.trainee, tenants.city_a, hours=10, year=2024)
    entry = db.session.scalar(db.select(LedgerEntry))
    entry.recognized_at = now - timedelta(days=365)
    db.session.commit()
    assert stats.declared_figures(tenants.officer_a, 2024).hours == 10.0
    assert stats.declared_figures(tenants.officer_a, 2025).hours == 0.0


def test_the_home_shows_declared_hours_and_past_years(db, client, clock, tenants, declared, login, now):
    declared(tenants.trainee, tenants.city_a, hours=10)
    month_figures.add(tenants.base_a.id, now - timedelta(days=400), trainee_times=1)  # figures of 2024
    db.session.commit()
    login(tenants.officer_a)
    html = client.get("/").get_data(as_text=True)
    assert 'id="bureau-declared"' in html and "10" in html.split('id="bureau-declared"')[1][:300]
    assert 'id="bureau-years"' in html and "year=2024" in html
    past = client.get("/?year=2024").get_data(as_text=True)
    assert "2024" in past.split('id="bureau-figures"')[1][:200]
