"""The "Accounts" endpoints of API.md."""

from flask import current_app, jsonify, request

from basesys.accounts import services
from basesys.accounts.schemas import (
    BaseAnswer,
    BaseCreate,
    BureauAnswer,
    BureauCreate,
    EmployerAnswer,
    EmployerCreate,
    LoginCodeAnswer,
    LoginCodeCreate,
    PasswordChange,
    ProfileAnswer,
    ProfilePatch,
    TokenAnswer,
    TokenRequest,
    TraineeAnswer,
    TraineeCreate,
    UserAnswer,
    UserCreate,
)
from basesys.accounts.scope import trainee_of
from basesys.accounts.tokens import issue_token
from basesys.accounts.transactions import reads_first
from basesys.core.api import api_blueprint, api_endpoint, error_body
from basesys.core.errors import NotFound, ValidationFailed
from basesys.core.openapi import openapi_document
from basesys.core.policy import get_policy
from basesys.core.time import iso, now_utc

bp = api_blueprint("accounts_api", __name__)


@api_endpoint(
    bp,
    "/auth/token",
    "POST",
    summary="Exchange username and password (or a trainee's one-time login_code) for a bearer token",
    body=TokenRequest,
    public=True,
    answer=TokenAnswer,
    refuses=("invalid_credentials", "account_disabled", "too_many_attempts"),
)
def create_token(actor, body: TokenRequest):
    if (body.password is None) == (body.login_code is None):
        message = "必填项" if body.password is None else "password 与 login_code 只能提供一个"
        raise ValidationFailed({"password": message})
    now, address, policy = now_utc(), request.remote_addr or "", get_policy()
    if body.login_code is not None:
        outcome = services.log_in_with_code(body.username, body.login_code, address=address, now=now, policy=policy)
    else:
        outcome = services.log_in(body.username, body.password, address=address, now=now, policy=policy)
    if outcome.refusal is not None:
        # Answered, not raised: api_endpoint commits the recorded attempt first (it counts for the lockout).
        return error_body(outcome.refusal), outcome.refusal.status
    token, expires_at = issue_token(outcome.user, now)
    answer = {"token": token, "role": outcome.user.role, "expires_at": iso(expires_at)}
    if body.login_code is not None:
        answer["must_change_password"] = outcome.user.must_change_password
    return answer


@api_endpoint(
    bp,
    "/login-codes",
    "POST",
    summary="Issue a one-time login code to a trainee in scope (a new code kills the one before)",
    roles=["base_admin", "bureau_officer", "sysadmin"],
    body=LoginCodeCreate,
    answer=LoginCodeAnswer,
    status=201,
    refuses=("not_found",),
)
def create_login_code(actor, body: LoginCodeCreate):
    issued = services.issue_login_code(actor, id_number=body.id_number, now=now_utc(), policy=get_policy())
    return {"code": issued.code, "expires_at": iso(issued.expires_at)}, 201


def bureau_json(bureau):
    return {"id": bureau.id, "name": bureau.name, "level": bureau.level, "parent_id": bureau.parent_id}


def base_json(base):
    return {
        "id": base.id,
        "name": base.name,
        "level": base.level,
        "credit_code": base.credit_code,
        "bureau_id": base.bureau_id,
        "address": base.address,
    }


@api_endpoint(
    bp,
    "/bureaus",
    "POST",
    summary="Create a bureau",
    roles=["sysadmin"],
    body=BureauCreate,
    answer=BureauAnswer,
    status=201,
    refuses=("duplicate_name",),
)
def create_bureau(actor, body: BureauCreate):
    bureau = services.create_bureau(actor, name=body.name, level=body.level, parent_id=body.parent_id, now=now_utc())
    return bureau_json(bureau), 201


@api_endpoint(
    bp,
    "/bases",
    "POST",
    summary="Create a training base",
    roles=["sysadmin"],
    body=BaseCreate,
    answer=BaseAnswer,
    status=201,
    refuses=("invalid_credit_code", "duplicate_credit_code"),
)
def create_base(actor, body: BaseCreate):
    base = services.create_base(
        actor,
        name=body.name,
        level=body.level,
        credit_code=body.credit_code,
        bureau_id=body.bureau_id,
        address=body.address,
        now=now_utc(),
    )
    return base_json(base), 201


@api_endpoint(
    bp,
    "/users",
    "POST",
    summary="Create a staff account",
    roles=["sysadmin"],
    body=UserCreate,
    answer=UserAnswer,
    status=201,
    refuses=("duplicate_username",),
)
def create_user(actor, body: UserCreate):
    user = services.create_staff_user(
        actor,
        username=body.username,
        password=body.password,
        role=body.role,
        bureau_id=body.bureau_id,
        base_id=body.base_id,
        employer_id=body.employer_id,
        display_name=body.display_name,
        now=now_utc(),
    )
    return {"id": user.id, "username": user.username, "role": user.role}, 201


@api_endpoint(
    bp,
    "/trainees",
    "POST",
    summary="Trainee self-registration",
    body=TraineeCreate,
    public=True,
    answer=TraineeAnswer,
    status=201,
    refuses=("invalid_id_number", "duplicate_id_number", "name_mismatch", "invalid_credit_code", "employer_unknown"),
)
def create_trainee(actor, body: TraineeCreate):
    trainee = services.register_trainee(
        id_number=body.id_number,
        name=body.name,
        password=body.password,
        phone=body.phone,
        employer=body.employer,
        series=body.series,
        title=body.title,
        bureau_id=body.bureau_id,
        employer_credit_code=body.employer_credit_code,
        now=now_utc(),
    )
    return {
        "id": trainee.id,
        "name": trainee.name,
        "gender": trainee.gender_code,
        "id_number_masked": trainee.id_number_masked,
    }, 201


def employer_json(employer):
    return {
        "id": employer.id,
        "name": employer.name,
        "credit_code": employer.credit_code,
        "bureau_id": employer.bureau_id,
    }


@api_endpoint(
    bp,
    "/employers",
    "POST",
    summary="Register an employer (用人单位) under a bureau in the caller's scope",
    roles=["sysadmin", "bureau_officer"],
    body=EmployerCreate,
    answer=EmployerAnswer,
    status=201,
    refuses=("invalid_credit_code", "duplicate_credit_code", "not_found"),
)
def create_employer(actor, body: EmployerCreate):
    employer = services.create_employer(
        actor, name=body.name, credit_code=body.credit_code, bureau_id=body.bureau_id, now=now_utc()
    )
    return employer_json(employer), 201


def profile_json(trainee):
    employer = trainee.employer_record
    return {
        "id": trainee.id,
        "name": trainee.name,
        "id_number_masked": trainee.id_number_masked,
        "employer": trainee.employer,
        "employer_id": employer.id if employer else None,
        "employer_name": employer.name if employer else None,
        "employer_credit_code": employer.credit_code if employer else None,
    }


@api_endpoint(
    bp,
    "/me/profile",
    "PATCH",
    summary="Link the trainee to their employer by credit code, or clear it (null or empty)",
    roles=["trainee"],
    body=ProfilePatch,
    answer=ProfileAnswer,
    refuses=("invalid_credit_code", "employer_unknown", "not_found"),
)
def patch_profile(actor, body: ProfilePatch):
    trainee = trainee_of(actor)
    if trainee is None:
        raise NotFound()
    services.link_employer(actor, trainee, body.employer_credit_code, now=now_utc())
    return profile_json(trainee)


@api_endpoint(
    bp,
    "/me/password",
    "POST",
    summary="Change one's own password (ends every token and session of the account)",
    body=PasswordChange,
    answer=None,
    status=204,
    refuses=("wrong_password",),
)
def change_password(actor, body: PasswordChange):
    services.change_password(actor, body.current_password, body.new_password, now=now_utc())
    return "", 204


# They hash passwords: outside SQLite's write lock (accounts/transactions.py).
reads_first(bp, "create_token", "create_trainee", "change_password", "create_user")


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(version=current_app.config.get("API_VERSION", "1.0.0")))
