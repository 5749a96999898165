"""One-time login codes for a trainee who forgot the password (DOMAIN.md §2).

Staff in scope (accounts.scope.in_trainee_scope) issue a code: 6 digits, valid policy
`login_code_minutes`, single use, dead after `login_code_max_tries` wrong tries. The trainee logs
in with it once (page or API) and must then set a new password (`User.must_change_password`).

Only an HMAC of the code is stored (keyed by the app's secret, salted per code): a copy of the
database does not give the codes away. The trainee has one row, rewritten by each new code, so a
new code kills the old one by construction.

Wrong tries under concurrency: each try is one UPDATE whose WHERE holds the rule (not used, not
expired, fewer wrong tries than allowed, and for the right code the same hash). PostgreSQL locks
the row for the first UPDATE and re-checks the WHERE of the others against the committed row, so
ten simultaneous wrong tries count five and a code is spent at most once; on SQLite every write
transaction takes the database's one write lock (core.database), so they run one after another.
Like a password login, a refused try is a result, not an exception: the caller's one commit keeps
the counted try (raising would roll it back and lift the limit).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from basesys.accounts.models import LoginAttempt, LoginCode, Role, Trainee, User
from basesys.accounts.scope import in_trainee_scope
from basesys.accounts.services.login import LoginOutcome, address_lockout, normalise_username
from basesys.accounts.transactions import begin_writes
from basesys.core.audit import audit
from basesys.core.errors import DomainError
from basesys.core.ids import normalize_code
from basesys.core.policy import Policy
from basesys.extensions import db

CODE_DIGITS = 6
# A trainee account made by a login code has no password until the trainee sets one: werkzeug
# reads this as no known hash method, so no password ever matches it.
NO_PASSWORD = "!login-code"
CODE_REFUSED = "登录码错误、已使用或已过期，请向培训基地管理员或人社部门重新申请。"


@dataclass(frozen=True)
class IssuedCode:
    """A new code: shown once to the staff member who issued it, never stored."""

    trainee: Trainee
    code: str
    expires_at: datetime


def _digest(trainee_id: int, salt: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"login-code:{trainee_id}:{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def trainee_for_login_code(actor: User, *, id_number: str | None = None, trainee_id: int | None = None) -> Trainee:
    """The trainee the actor may issue a code to; NotFound (404) for an unknown ID number or
    trainee and for one outside the actor's scope alike (never reveal who exists elsewhere)."""
    if actor.role not in (Role.SYSADMIN, Role.BASE_ADMIN, Role.BUREAU_OFFICER):
        raise DomainError("forbidden")
    query = db.select(Trainee).where(in_trainee_scope(actor))
    if trainee_id is not None:
        query = query.where(Trainee.id == trainee_id)
    else:
        query = query.where(Trainee.id_number == normalize_code(id_number or ""))
    trainee = db.session.scalar(query)
    if trainee is None:
        raise DomainError("not_found", "未找到该学员（或不在您的管理范围内）。")
    return trainee


def _audit_scope(actor: User) -> dict:
    """Whose audit log shows the issue: the admin's base, the officer's bureau (and those above)."""
    if actor.role == Role.BASE_ADMIN:
        return {"base_id": actor.base_id}
    if actor.role == Role.BUREAU_OFFICER:
        return {"bureau_id": actor.bureau_id}
    return {}


def issue_login_code(
    actor: User, *, id_number: str | None = None, trainee_id: int | None = None, now: datetime, policy: Policy
) -> IssuedCode:
    """A new code for a trainee in the actor's scope, killing any code before it; refuses
    `not_found` (unknown or outside scope) and `forbidden` (not staff). Audited, without the code."""
    trainee = trainee_for_login_code(actor, id_number=id_number, trainee_id=trainee_id)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(16)
    expires_at = now + timedelta(minutes=policy.login_code_minutes)
    values = {
        "salt": salt,
        "code_hash": _digest(trainee.id, salt, code),
        "issued_at": now,
        "issued_by_id": actor.id,
        "expires_at": expires_at,
        "tries": 0,
        "used_at": None,
    }
    row = db.session.scalar(db.select(LoginCode).where(LoginCode.trainee_id == trainee.id).with_for_update())
    if row is None:
        try:
            with db.session.begin_nested():  # PostgreSQL: a first code issued for them meanwhile
                db.session.add(LoginCode(trainee_id=trainee.id, **values))
        except IntegrityError:
            row = db.session.scalar(db.select(LoginCode).where(LoginCode.trainee_id == trainee.id).with_for_update())
    if row is not None:
        for name, value in values.items():
            setattr(row, name, value)
    audit(
        actor,
        "account.login_code_issued",
        trainee,
        now=now,
        after={"login_code_expires_at": expires_at.isoformat()},
        **_audit_scope(actor),
    )
    db.session.flush()
    return IssuedCode(trainee, code, expires_at)


def _live(row_id: int, now: datetime, policy: Policy):
    return (
        LoginCode.id == row_id,
        LoginCode.used_at.is_(None),
        LoginCode.expires_at > now,
        LoginCode.tries < policy.login_code_max_tries,
    )


def _try_code(trainee: Trainee | None, code: str, now: datetime, policy: Policy) -> LoginCode | None:
    """Spends the trainee's live code if `code` is it (the row), else counts a wrong try (None)."""
    row = db.session.scalar(db.select(LoginCode).where(LoginCode.trainee_id == trainee.id)) if trainee else None
    if row is None:
        return None
    candidate = _digest(trainee.id, row.salt, code) if code.isdigit() and len(code) == CODE_DIGITS else ""
    if candidate and hmac.compare_digest(candidate, row.code_hash):
        spend = update(LoginCode).where(*_live(row.id, now, policy), LoginCode.code_hash == candidate)
        spent = db.session.execute(spend.values(used_at=now).execution_options(synchronize_session=False))
        return row if spent.rowcount == 1 else None
    wrong = update(LoginCode).where(*_live(row.id, now, policy)).values(tries=LoginCode.tries + 1)
    db.session.execute(wrong.execution_options(synchronize_session=False))
    return None


def _account_of(trainee: Trainee, now: datetime) -> User | None:
    """The trainee's account; a trainee a base registered who never set up an account gets one
    now, without a password (they set it next). None if the ID number is taken meanwhile."""
    if trainee.user is not None:
        return trainee.user
    user = User(
        username=trainee.id_number,
        password_hash=NO_PASSWORD,
        role=Role.TRAINEE.value,
        display_name=trainee.name,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
            trainee.user_id = user.id
            db.session.flush()
    except IntegrityError:  # a registration with this ID number committed meanwhile
        return None
    return user


def log_in_with_code(username: str, code: str, *, address: str, now: datetime, policy: Policy) -> LoginOutcome:
    """Records the attempt; refuses `too_many_attempts` (the address), `invalid_credentials`
    (wrong, used, expired or dead code, unknown ID number) and `account_disabled`.

    The account's password lockout does not apply (the trainee who forgot the password has often
    just failed it): the code's own wrong tries are the limit. Logging in ends every other
    session and token of the account (a new token generation) and asks for a new password.
    """
    begin_writes()  # nothing to hash: the whole login is one write transaction
    username = normalise_username(username)
    if (refusal := address_lockout(address, now=now, policy=policy)) is not None:
        return LoginOutcome(refusal=refusal)
    trainee = db.session.scalar(db.select(Trainee).where(Trainee.id_number == username))
    if trainee is not None and trainee.user is not None and not trainee.user.active:
        return LoginOutcome(refusal=DomainError("account_disabled"))
    spent = _try_code(trainee, (code or "").strip(), now, policy)
    user = _account_of(trainee, now) if spent is not None else None
    db.session.add(LoginAttempt(username=username, address=address, at=now, success=user is not None))
    db.session.flush()
    if user is None:
        return LoginOutcome(refusal=DomainError("invalid_credentials", CODE_REFUSED))
    user.must_change_password = True
    user.token_generation += 1
    # In the log of whoever issued the code, beside the issue.
    issuer = db.session.get(User, spent.issued_by_id) if spent.issued_by_id is not None else None
    audit(user, "account.login_code_used", trainee, now=now, **(_audit_scope(issuer) if issuer else {}))
    db.session.flush()
    return LoginOutcome(user=user)
