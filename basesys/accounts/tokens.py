"""The user behind a bearer token (core.tokens checks the signature; this checks the row)."""

from basesys.accounts.models import User
from basesys.core.tokens import TokenClaims, claims_from_token, issue_token
from basesys.extensions import db

__all__ = ["TokenClaims", "claims_from_token", "issue_token", "user_from_token"]


def user_from_token(token: str) -> User | None:
    claims = claims_from_token(token)
    if claims is None:
        return None
    user = db.session.get(User, claims.id)
    if user is None or not claims.accepts(user.active, user.token_generation):
        return None
    return user
