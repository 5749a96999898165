from datetime import timedelta

import pytest

from basesys.accounts import services
from basesys.accounts.models import LoginAttempt, Trainee, User
from basesys.accounts.scope import bureau_subtree_ids
from basesys.accounts.tokens import issue_token, user_from_token
from basesys.core.audit import AuditRecord
from basesys.core.errors import DomainError, ValidationFailed
from basesys.core.policy import DEFAULT_POLICY
from tests.conftest import PASSWORD, valid_id_number


def test_register_trainee_derives_gender_and_audits(db, now):
    number = valid_id_number(male=False)
    trainee = services.register_trainee(id_number=number, name="王芳", password=PASSWORD, phone="13900000000", now=now)
    db.session.commit()
    assert trainee.gender == "F" and trainee.user.username == number and trainee.user.role == "trainee"
    assert db.session.scalar(db.select(AuditRecord.action)) == "trainee.registered"


def test_register_trainee_refuses_a_registered_id_number(db, now, make_trainee):
    trainee = make_trainee()
    with pytest.raises(DomainError) as error:
        services.register_trainee(id_number=trainee.id_number, name="张三", password=PASSWORD, phone="1", now=now)
    assert error.value.code == "duplicate_id_number" and error.value.status == 409


def test_register_trainee_claims_a_record_the_base_created(db, now, make_trainee):
    record = make_trainee(name="赵六", registered=False, employer="旧单位")
    claimed = services.register_trainee(
        id_number=record.id_number, name="赵六", password=PASSWORD, phone="13700000000", employer="新单位", now=now
    )
    db.session.commit()
    assert claimed.id == record.id and claimed.registered and claimed.employer == "新单位"
    assert db.session.scalar(db.select(db.func.count()).select_from(Trainee)) == 1


def test_register_trainee_refuses_another_name_for_a_base_record(db, now, make_trainee):
    record = make_trainee(name="赵六", registered=False)
    with pytest.raises(ValidationFailed) as error:
        services.register_trainee(id_number=record.id_number, name="赵七", password=PASSWORD, phone="1", now=now)
    assert error.value.code == "name_mismatch"
    assert db.session.get(Trainee, record.id).user_id is None


def test_register_trainee_refuses_short_password(db, now):
    with pytest.raises(ValidationFailed) as error:
        services.register_trainee(id_number=valid_id_number(), name="甲", password="short", phone="1", now=now)
    assert "password" in error.value.fields


def _log_in(username, password, address, now):
    return services.log_in(username, password, address=address, now=now, policy=DEFAULT_POLICY)


def test_log_in_locks_an_account_after_repeated_failures(db, now, make_user):
    user = make_user("sysadmin")
    for _ in range(DEFAULT_POLICY.login_max_failures):
        assert _log_in(user.username, "wrong", "1.2.3.4", now).refusal.code == "invalid_credentials"
    refused = _log_in(user.username, PASSWORD, "5.6.7.8", now)
    assert refused.user is None and refused.refusal.code == "too_many_attempts"
    assert refused.refusal.status == 429
    later = now + timedelta(minutes=DEFAULT_POLICY.login_lockout_minutes + 1)
    assert _log_in(user.username, PASSWORD, "5.6.7.8", later).user == user
    assert db.session.scalar(db.select(db.func.count()).select_from(LoginAttempt)) == 6


def test_log_in_limits_per_address(db, now, make_user):
    user = make_user("sysadmin")
    for i in range(DEFAULT_POLICY.login_max_failures_per_address):
        assert _log_in(f"nobody{i}", "x", "9.9.9.9", now).refusal is not None
    assert _log_in(user.username, PASSWORD, "9.9.9.9", now).refusal.code == "too_many_attempts"


def test_log_in_refuses_disabled_account(db, now, make_user):
    user = make_user("sysadmin")
    user.active = False
    outcome = _log_in(user.username, PASSWORD, "", now)
    assert outcome.user is None and outcome.refusal.code == "account_disabled"


def test_log_in_records_a_refused_attempt_that_survives_the_commit(db, now, make_user):
    user = make_user("sysadmin")
    assert _log_in(user.username, "wrong", "1.2.3.4", now).refusal.code == "invalid_credentials"
    db.session.commit()
    db.session.expire_all()
    attempt = db.session.scalar(db.select(LoginAttempt))
    assert attempt.username == user.username and attempt.success is False


def test_change_password_invalidates_tokens(app, db, now, make_user):
    user = make_user("sysadmin")
    token, expires = issue_token(user, now)
    assert user_from_token(token) == user and expires > now
    with pytest.raises(ValidationFailed):
        services.change_password(user, "wrong", "new-password-1", now=now)
    services.change_password(user, PASSWORD, "new-password-1", now=now)
    db.session.commit()
    assert user_from_token(token) is None


def test_create_bureau_checks_the_hierarchy(db, now, make_bureau):
    province = make_bureau(level="province")
    # Any level may be the top of a deployment (DOMAIN.md §1): a county without a parent is accepted.
    top = services.create_bureau(None, name="县", level="county", parent_id=None, now=now)
    assert top.parent_id is None and top.level == "county"
    with pytest.raises(ValidationFailed) as error:
        services.create_bureau(None, name="县2", level="county", parent_id=top.id, now=now)
    assert "parent_id" in error.value.fields
    city = services.create_bureau(None, name="市", level="city", parent_id=province.id, now=now)
    with pytest.raises(ValidationFailed):
        services.create_bureau(None, name="省2", level="province", parent_id=city.id, now=now)
    with pytest.raises(DomainError) as error:
        services.create_bureau(None, name="市", level="city", parent_id=province.id, now=now)
    assert error.value.code == "duplicate_name"


def test_update_bureau_refuses_a_cycle(db, now, make_bureau):
    city = make_bureau()
    county = make_bureau(level="county", parent=city)
    with pytest.raises(ValidationFailed):
        services.update_bureau(None, city, name=city.name, level="city", parent_id=county.id, now=now)


def test_update_bureau_refuses_a_level_not_above_its_children(db, now, make_bureau):
    city = make_bureau()
    make_bureau(level="county", parent=city)
    with pytest.raises(ValidationFailed) as error:
        services.update_bureau(None, city, name=city.name, level="county", parent_id=city.parent_id, now=now)
    assert "level" in error.value.fields


def test_create_base_validates_credit_code_and_bureau(db, now, make_bureau):
    bureau = make_bureau()
    with pytest.raises(ValidationFailed) as error:
        services.create_base(None, name="基地", level="municipal", credit_code="123", bureau_id=bureau.id, now=now)
    assert error.value.code == "invalid_credit_code"
    with pytest.raises(ValidationFailed) as error:
        services.create_base(None, name="基地", level="municipal", credit_code="x", bureau_id=999, now=now)
    assert "bureau_id" in error.value.fields


def test_create_staff_user_needs_the_scope_of_its_role(db, now, make_base):
    with pytest.raises(ValidationFailed) as error:
        services.create_staff_user(None, username="o", password=PASSWORD, role="bureau_officer", now=now)
    assert "bureau_id" in error.value.fields
    base = make_base()
    user = services.create_staff_user(
        None, username="a", password=PASSWORD, role="base_admin", base_id=base.id, now=now
    )
    assert user.base_id == base.id and user.bureau_id is None
    with pytest.raises(DomainError) as error:
        services.create_staff_user(None, username="a", password=PASSWORD, role="base_admin", base_id=base.id, now=now)
    assert error.value.code == "duplicate_username"


def test_update_staff_user_reset_password_and_disable(db, now, make_user, make_bureau):
    user = make_user("bureau_officer", bureau=make_bureau())
    generation = user.token_generation
    services.update_staff_user(
        None, user, role="bureau_officer", bureau_id=user.bureau_id, active=False, new_password="another-pass", now=now
    )
    assert not user.active and user.token_generation > generation


def test_scope_officer_sees_bureaus_below(tenants):  # bases: tests/accounts/test_scope_sql.py
    t = tenants
    assert bureau_subtree_ids(t.city_a.id) == {t.city_a.id, t.county_a.id}


def test_every_account_change_is_audited(db, tenants):
    actions = set(db.session.scalars(db.select(AuditRecord.action)))
    assert {"bureau.created", "base.created", "user.created", "trainee.registered"} <= actions
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) >= 10
