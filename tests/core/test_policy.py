from basesys.core.policy import DEFAULT_POLICY, PolicyOverride, get_policy


def test_defaults_are_those_of_the_domain_rules(db):
    policy = get_policy()
    assert (policy.minutes_per_credit_hour, policy.daily_cap_hours, policy.qr_period_seconds) == (45, 8, 30)
    assert (policy.pass_ratio, policy.roster_due_days, policy.required_total_hours) == (0.8, 30, 90)


def test_bureau_and_year_overrides_inherit_down_the_tree(db, make_bureau):
    province = make_bureau(level="province")
    city = make_bureau(parent=province)
    county = make_bureau(level="county", parent=city)
    db.session.add_all(
        [
            PolicyOverride(bureau_id=province.id, year=None, values={"daily_cap_hours": 7}),
            PolicyOverride(bureau_id=city.id, year=2025, values={"required_public_hours": 24}),
            PolicyOverride(bureau_id=None, year=None, values={"qr_period_seconds": 20, "unknown": 1}),
        ]
    )
    db.session.commit()
    assert get_policy(county, 2025).daily_cap_hours == 7
    assert get_policy(county, 2025).required_public_hours == 24
    assert get_policy(county, 2024).required_public_hours == DEFAULT_POLICY.required_public_hours
    assert get_policy(None).qr_period_seconds == 20
