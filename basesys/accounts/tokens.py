"""Bearer tokens for the API: signed, expiring, and void after a password change."""

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


def user_from_token(token: str) -> User | None:
    max_age = current_app.config["API_TOKEN_HOURS"] * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active or user.token_generation != data.get("gen"):
        return None
    return user
