"""Bearer tokens for the API: signed, expiring, and void after a password change."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from basesys.accounts.models import User
from basesys.extensions import db


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="basesys-api-token")


def issue_token(user: User, now: datetime) -> tuple[str, datetime]:
    hours = current_app.config["API_TOKEN_HOURS"]
    token = _serializer().dumps({"uid": user.id, "gen": user.token_generation})
    return token, now + timedelta(hours=hours)


@dataclass(frozen=True)
class TokenClaims:
    """What a token's signature vouches for; still to be checked against the user's row
    (active, same generation) by whoever reads it — see `api_endpoint(verify_user_in_view=True)`."""

    id: int
    generation: int

    def accepts(self, active: bool | None, generation: int | None) -> bool:
        return bool(active) and generation == self.generation


def claims_from_token(token: str) -> TokenClaims | None:
    """The claims of a well-signed, unexpired token, without reading the database."""
    max_age = current_app.config["API_TOKEN_HOURS"] * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int) or not isinstance(data.get("gen"), int):
        return None
    return TokenClaims(data["uid"], data["gen"])


def user_from_token(token: str) -> User | None:
    claims = claims_from_token(token)
    if claims is None:
        return None
    user = db.session.get(User, claims.id)
    if user is None or not claims.accepts(user.active, user.token_generation):
        return None
    return user
