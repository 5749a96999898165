"""Logging in. Every attempt is recorded, refused or not: failures count toward the lockout.

A refusal is therefore a *result* (`LoginOutcome.refusal`), not an exception: the caller's one
commit keeps the recorded attempt, then it answers with the refusal (the page shows it on the form,
the API answers its error body). Raising would roll the attempt back and undo the lockout.

Two pauses, both counting failed attempts in the last `login_lockout_minutes`: an account after
`login_max_failures` (from any address), and an address after `login_max_failures_per_address`
(on any accounts). The second is set far higher: behind a proxy or a training base's NAT one
address is many people, and their typos must not keep a colleague with the right password out
(a per (address, account) count would add nothing: the account's own count already bounds it).
It still stops one address spraying guesses over many accounts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func

from basesys.accounts.models import LoginAttempt, User
from basesys.accounts.services.passwords import password_matches
from basesys.accounts.transactions import begin_writes
from basesys.core.errors import DomainError
from basesys.core.ids import id_number_if_shaped
from basesys.core.policy import Policy
from basesys.extensions import db


@dataclass(frozen=True)
class LoginOutcome:
    """The user who logged in, or the refusal to answer with (never both)."""

    user: User | None = None
    refusal: DomainError | None = None


def normalise_username(username: str) -> str:
    """The page and the API log in the same name: an ID number as stored (full-width digits, spaces,
    lower-case x normalised by core.ids), any other username stripped."""
    return (id_number_if_shaped(username) or "").strip()


def _recent_failures(column, value: str, since: datetime) -> int:
    return db.session.scalar(
        db.select(func.count())
        .select_from(LoginAttempt)
        .where(column == value, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    )


def _paused(policy: Policy) -> DomainError:
    return DomainError("too_many_attempts", f"登录失败次数过多，请 {policy.login_lockout_minutes} 分钟后再试。")


def address_lockout(address: str, *, now: datetime, policy: Policy) -> DomainError | None:
    """The refusal when this address failed too often lately (any accounts), else None."""
    since = now - timedelta(minutes=policy.login_lockout_minutes)
    if _recent_failures(LoginAttempt.address, address, since) >= policy.login_max_failures_per_address:
        return _paused(policy)
    return None


def _lockout(username: str, address: str, *, now: datetime, policy: Policy) -> DomainError | None:
    since = now - timedelta(minutes=policy.login_lockout_minutes)
    if _recent_failures(LoginAttempt.username, username, since) >= policy.login_max_failures:
        return _paused(policy)
    return address_lockout(address, now=now, policy=policy)


def log_in(username: str, password: str, *, address: str, now: datetime, policy: Policy) -> LoginOutcome:
    """Records the attempt; refuses `too_many_attempts`, `invalid_credentials`, `account_disabled`.

    The password is checked before the write transaction (accounts/transactions.py); the lockout
    is checked again inside it, so attempts made meanwhile still count.
    """
    username = normalise_username(username)
    if (refusal := _lockout(username, address, now=now, policy=policy)) is not None:
        return LoginOutcome(refusal=refusal)  # not even hashed: a paused account costs nothing
    user = db.session.scalar(db.select(User).where(User.username == username))
    ok = user is not None and password_matches(user, password)
    begin_writes()
    if (refusal := _lockout(username, address, now=now, policy=policy)) is not None:
        return LoginOutcome(refusal=refusal)
    db.session.add(LoginAttempt(username=username, address=address, at=now, success=ok))
    db.session.flush()
    if not ok:
        return LoginOutcome(refusal=DomainError("invalid_credentials"))
    if not user.active:
        return LoginOutcome(refusal=DomainError("account_disabled"))
    # The password is known after all: a new one is no longer owed for an unfinished login-code login.
    user.must_change_password = False
    return LoginOutcome(user=user)
