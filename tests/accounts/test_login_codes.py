"""One-time login codes (DOMAIN.md §2), through the services: who may issue one, what is stored,
single use, expiry with `now`, the limit of wrong tries, a new code killing the old one."""

from datetime import timedelta

import pytest

from basesys.accounts import services
from basesys.accounts.models import LoginCode, Trainee, User
from basesys.accounts.services.login_codes import NO_PASSWORD
from basesys.core.audit import AuditRecord
from basesys.core.audit_text import entry
from basesys.core.errors import DomainError
from basesys.core.policy import DEFAULT_POLICY
from basesys.extensions import db
from tests.conftest import PASSWORD, valid_id_number

POLICY = DEFAULT_POLICY
ADDRESS = "10.0.0.1"


@pytest.fixture
def enrolled(tenants, make_course, enroll):
    """The trainee on a course of base A (city A, under the province)."""
    course = make_course(base=tenants.base_a)
    enroll(course, tenants.trainee)
    return tenants.trainee


def issue(actor, trainee, now, policy=POLICY):
    issued = services.issue_login_code(actor, id_number=trainee.id_number, now=now, policy=policy)
    services_commit()
    return issued


def services_commit():
    db.session.commit()  # as the caller of a service does, once


def log_in(trainee, code, now, policy=POLICY, address=ADDRESS):
    outcome = services.log_in_with_code(trainee.id_number, code, address=address, now=now, policy=policy)
    services_commit()
    return outcome


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# --- issuing ------------------------------------------------------------------------------------


def test_issue_login_code_gives_six_digits_valid_for_the_policy_minutes(tenants, enrolled, now):
    issued = issue(tenants.admin_a, enrolled, now)
    assert len(issued.code) == 6 and issued.code.isdigit()
    assert issued.expires_at == now + timedelta(minutes=POLICY.login_code_minutes)
    assert issued.trainee.id == enrolled.id


def test_issue_login_code_stores_only_a_hash(tenants, enrolled, now, db):
    issued = issue(tenants.admin_a, enrolled, now)
    row = db.session.scalar(db.select(LoginCode).where(LoginCode.trainee_id == enrolled.id))
    stored = [str(getattr(row, column.key)) for column in LoginCode.__table__.columns]
    assert not any(issued.code in value for value in stored)
    assert len(row.code_hash) == 64 and row.tries == 0 and row.used_at is None


def test_issue_login_code_is_audited_without_the_code(tenants, enrolled, now, db):
    issued = issue(tenants.admin_a, enrolled, now)
    record = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "account.login_code_issued"))
    assert record.actor_id == tenants.admin_a.id and record.base_id == tenants.base_a.id
    assert record.object_type == "trainee" and record.object_id == enrolled.id
    assert issued.code not in str(record.before) + str(record.after) + str(record.subject) + record.reason
    text = entry(record, tenants.admin_a, tenants.base_a.name).text
    assert "为学员李四" in text and "签发了一次性登录码" in text and "有效至 2025-06-02 09:15" in text
    assert issued.code not in text


def test_issue_login_code_respects_the_policy(tenants, enrolled, now):
    issued = issue(tenants.admin_a, enrolled, now, POLICY.with_values({"login_code_minutes": 5}))
    assert issued.expires_at == now + timedelta(minutes=5)


def test_base_admin_issues_only_to_trainees_enrolled_at_its_base(tenants, enrolled, now):
    with pytest.raises(DomainError) as refused:
        issue(tenants.admin_b, enrolled, now)
    assert refused.value.code == "not_found" and refused.value.status == 404
    with pytest.raises(DomainError) as other:
        issue(tenants.admin_a, tenants.other_trainee, now)  # registered, enrolled nowhere
    assert other.value.code == "not_found"


def test_unknown_id_number_is_the_same_not_found(tenants, now):
    for number in (valid_id_number(), "not-an-id", "\u00a0"):
        with pytest.raises(DomainError) as refused:
            services.issue_login_code(tenants.admin_a, id_number=number, now=now, policy=POLICY)
        assert refused.value.code == "not_found"


@pytest.mark.parametrize(
    ("officer", "allowed"),
    [("officer_a", True), ("officer_province", True), ("officer_b", False), ("officer_county", False)],
)
def test_officer_issues_to_trainees_enrolled_at_bases_it_supervises(tenants, enrolled, now, officer, allowed):
    actor = getattr(tenants, officer)
    if allowed:
        assert issue(actor, enrolled, now).trainee.id == enrolled.id
    else:
        with pytest.raises(DomainError) as refused:
            issue(actor, enrolled, now)
        assert refused.value.code == "not_found"


def test_officer_issues_to_trainees_registered_with_its_bureau(tenants, make_trainee, now):
    trainee = make_trainee(name="赵六", bureau_id=tenants.county_a.id)
    assert issue(tenants.officer_county, trainee, now).trainee.id == trainee.id
    assert issue(tenants.officer_a, trainee, now).trainee.id == trainee.id  # the county is below city A
    with pytest.raises(DomainError):
        issue(tenants.officer_b, trainee, now)


def test_sysadmin_issues_to_anyone(tenants, now):
    assert issue(tenants.sysadmin, tenants.other_trainee, now).trainee.id == tenants.other_trainee.id


def test_a_trainee_may_not_issue_codes(tenants, now):
    with pytest.raises(DomainError) as refused:
        issue(tenants.trainee.user, tenants.other_trainee, now)
    assert refused.value.code == "forbidden"


def test_issue_by_trainee_id_applies_the_same_scope(tenants, enrolled, now):
    issued = services.issue_login_code(tenants.admin_a, trainee_id=enrolled.id, now=now, policy=POLICY)
    assert issued.trainee.id == enrolled.id
    with pytest.raises(DomainError):
        services.issue_login_code(tenants.admin_b, trainee_id=enrolled.id, now=now, policy=POLICY)


# --- logging in ---------------------------------------------------------------------------------


def test_log_in_with_code_logs_in_once_and_owes_a_new_password(tenants, enrolled, now, db):
    generation = enrolled.user.token_generation
    issued = issue(tenants.admin_a, enrolled, now)
    outcome = log_in(enrolled, issued.code, now + timedelta(minutes=3))
    assert outcome.refusal is None and outcome.user.id == enrolled.user_id
    user = db.session.get(User, enrolled.user_id)
    assert user.must_change_password and user.token_generation == generation + 1
    again = log_in(enrolled, issued.code, now + timedelta(minutes=4))
    assert again.refusal.code == "invalid_credentials" and again.refusal.status == 401
    used = db.session.scalar(db.select(AuditRecord).where(AuditRecord.action == "account.login_code_used"))
    assert used.actor_id == user.id and used.base_id == tenants.base_a.id  # in the issuer's log too


def test_log_in_with_code_until_it_expires(tenants, enrolled, now):
    issued = issue(tenants.admin_a, enrolled, now)
    expiry = now + timedelta(minutes=POLICY.login_code_minutes)
    assert log_in(enrolled, issued.code, expiry).refusal.code == "invalid_credentials"
    fresh = issue(tenants.admin_a, enrolled, now)
    assert log_in(enrolled, fresh.code, expiry - timedelta(seconds=1)).refusal is None


def test_log_in_with_code_expires_across_local_midnight(tenants, enrolled, now):
    late = now.replace(hour=23, minute=50)  # 15:50 UTC; the code ends 00:05 local, 16:05 UTC
    issued = issue(tenants.admin_a, enrolled, late)
    assert log_in(enrolled, issued.code, late + timedelta(minutes=16)).refusal is not None
    again = issue(tenants.admin_a, enrolled, late)
    assert log_in(enrolled, again.code, late + timedelta(minutes=14)).refusal is None


def test_wrong_tries_are_limited_then_the_code_is_dead(tenants, enrolled, now, db):
    issued = issue(tenants.admin_a, enrolled, now)
    for _ in range(POLICY.login_code_max_tries):
        assert log_in(enrolled, wrong(issued.code), now).refusal.code == "invalid_credentials"
    assert log_in(enrolled, issued.code, now).refusal.code == "invalid_credentials"
    row = db.session.scalar(db.select(LoginCode).where(LoginCode.trainee_id == enrolled.id))
    assert row.tries == POLICY.login_code_max_tries and row.used_at is None


def test_fewer_wrong_tries_than_the_limit_still_let_the_code_in(tenants, enrolled, now):
    issued = issue(tenants.admin_a, enrolled, now)
    for attempt in ["abc", "", "1234567", wrong(issued.code)][: POLICY.login_code_max_tries - 1]:
        assert log_in(enrolled, attempt, now).refusal is not None
    assert log_in(enrolled, issued.code, now).refusal is None


def test_the_tries_limit_is_policy(tenants, enrolled, now):
    policy = POLICY.with_values({"login_code_max_tries": 1})
    issued = issue(tenants.admin_a, enrolled, now, policy)
    assert log_in(enrolled, wrong(issued.code), now, policy).refusal is not None
    assert log_in(enrolled, issued.code, now, policy).refusal is not None


def test_a_new_code_kills_the_old_one(tenants, enrolled, now, db):
    first = issue(tenants.admin_a, enrolled, now)
    second = issue(tenants.officer_a, enrolled, now + timedelta(minutes=1))
    assert db.session.scalar(db.select(db.func.count()).select_from(LoginCode)) == 1
    if first.code != second.code:
        assert log_in(enrolled, first.code, now + timedelta(minutes=2)).refusal is not None
    assert log_in(enrolled, second.code, now + timedelta(minutes=2)).refusal is None


def test_a_new_code_starts_with_no_wrong_tries(tenants, enrolled, now):
    first = issue(tenants.admin_a, enrolled, now)
    for _ in range(POLICY.login_code_max_tries):
        log_in(enrolled, wrong(first.code), now)
    second = issue(tenants.admin_a, enrolled, now)
    assert log_in(enrolled, second.code, now).refusal is None


def test_a_code_of_one_trainee_does_not_log_in_another(tenants, enrolled, now):
    issued = issue(tenants.sysadmin, tenants.other_trainee, now)
    assert log_in(enrolled, issued.code, now).refusal.code == "invalid_credentials"


def test_the_password_lockout_does_not_stop_a_code(tenants, enrolled, now):
    for _ in range(POLICY.login_max_failures):
        services.log_in(enrolled.id_number, "wrong", address=ADDRESS, now=now, policy=POLICY)
    services_commit()
    locked = services.log_in(enrolled.id_number, PASSWORD, address=ADDRESS, now=now, policy=POLICY)
    assert locked.refusal.code == "too_many_attempts"
    issued = issue(tenants.admin_a, enrolled, now)
    assert log_in(enrolled, issued.code, now).refusal is None


def test_an_address_spraying_guesses_is_paused(tenants, enrolled, now):
    policy = POLICY.with_values({"login_max_failures_per_address": 3})
    issued = issue(tenants.admin_a, enrolled, now)
    for _ in range(3):
        log_in(tenants.other_trainee, "000000", now, policy)
    assert log_in(enrolled, issued.code, now, policy).refusal.code == "too_many_attempts"
    assert log_in(enrolled, issued.code, now, policy, address="10.0.0.2").refusal is None


def test_a_disabled_account_is_refused_and_keeps_its_code(tenants, enrolled, now, db):
    issued = issue(tenants.admin_a, enrolled, now)
    db.session.get(User, enrolled.user_id).active = False
    db.session.commit()
    assert log_in(enrolled, issued.code, now).refusal.code == "account_disabled"
    db.session.get(User, enrolled.user_id).active = True
    db.session.commit()
    assert log_in(enrolled, issued.code, now).refusal is None


def test_an_unregistered_trainee_gets_an_account_without_a_password(tenants, make_trainee, make_course, enroll, now):
    trainee = make_trainee(name="钱七", registered=False)
    enroll(make_course(base=tenants.base_a), trainee)
    issued = issue(tenants.admin_a, trainee, now)
    outcome = log_in(trainee, issued.code, now)
    assert outcome.refusal is None and outcome.user.username == trainee.id_number
    user = db.session.get(User, outcome.user.id)
    assert user.password_hash == NO_PASSWORD and user.must_change_password
    assert db.session.get(Trainee, trainee.id).user_id == user.id
    assert services.log_in(trainee.id_number, NO_PASSWORD, address=ADDRESS, now=now, policy=POLICY).refusal
    services_commit()
    services.change_password(user, "", "a-brand-new-pass", now=now)
    services_commit()
    assert services.log_in(trainee.id_number, "a-brand-new-pass", address=ADDRESS, now=now, policy=POLICY).user


# --- the new password ---------------------------------------------------------------------------


def test_after_a_code_the_password_is_set_without_the_current_one(tenants, enrolled, now, db):
    issued = issue(tenants.admin_a, enrolled, now)
    user = log_in(enrolled, issued.code, now).user
    services.change_password(user, "", "a-brand-new-pass", now=now)
    services_commit()
    user = db.session.get(User, enrolled.user_id)
    assert not user.must_change_password
    actions = db.session.scalars(db.select(AuditRecord.action).order_by(AuditRecord.id)).all()
    assert actions[-1] == "account.password_set_after_login_code"
    with pytest.raises(DomainError) as refused:  # owed no more: the current password is asked again
        services.change_password(user, "", "yet-another-pass", now=now)
    assert refused.value.code == "wrong_password"


def test_without_a_code_the_current_password_is_still_needed(tenants, now):
    with pytest.raises(DomainError) as refused:
        services.change_password(tenants.trainee.user, "", "a-brand-new-pass", now=now)
    assert refused.value.code == "wrong_password"


def test_a_password_login_clears_what_a_code_left_owed(tenants, enrolled, now, db):
    issued = issue(tenants.admin_a, enrolled, now)
    log_in(enrolled, issued.code, now)
    assert services.log_in(enrolled.id_number, PASSWORD, address=ADDRESS, now=now, policy=POLICY).user
    services_commit()
    assert not db.session.get(User, enrolled.user_id).must_change_password
