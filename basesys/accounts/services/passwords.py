"""Password hashing and changing one's own password."""

from datetime import datetime

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from basesys.accounts.models import User
from basesys.accounts.services.inputs import check_password_strength
from basesys.accounts.transactions import begin_writes
from basesys.core.audit import audit
from basesys.core.errors import ValidationFailed
from basesys.extensions import db


def hash_password(password: str) -> str:
    # Tests use a cheaper scrypt cost (PASSWORD_HASH_METHOD); production keeps werkzeug's default.
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def password_matches(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password or "")


def change_password(actor: User, current_password: str, new_password: str, *, now: datetime) -> None:
    """The actor's own password; refuses a wrong current one (`wrong_password`) or a short new one.

    Right after a login with a one-time login code (`must_change_password`) the current password is
    not asked for (the trainee forgot it) and is ignored. Ends every other session and API token
    (the token generation moves on). The field names are the page's and the API's
    (`current_password`, `new_password`).
    """
    if not actor.must_change_password and not password_matches(actor, current_password):
        raise ValidationFailed({"current_password": "原密码不正确"}, code="wrong_password")
    check_password_strength(new_password, "new_password")
    password_hash = hash_password(new_password)
    begin_writes()  # both hashes outside SQLite's write lock (accounts/transactions.py)
    after_code = actor.must_change_password
    actor.password_hash = password_hash
    actor.token_generation += 1
    actor.must_change_password = False
    action = "account.password_set_after_login_code" if after_code else "account.password_changed"
    audit(actor, action, actor, now=now, base_id=actor.base_id, bureau_id=actor.bureau_id)
    db.session.flush()
