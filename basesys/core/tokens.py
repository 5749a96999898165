"""Bearer tokens for the API: signed, expiring, and void after a password change.

The signature is checked here without the database; turning the claims into a user (active, same
token generation) is the accounts feature's, which provides it to the API plumbing at start-up.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="basesys-api-token")


def issue_token(user, now: datetime) -> tuple[str, datetime]:
    """A token for a user (anything with `id` and `token_generation`) and when it expires."""
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
