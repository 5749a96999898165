"""JSON API plumbing: auth, role check, body validation and the generated OpenAPI document.

Each endpoint is declared once with `@api_endpoint(...)`; the same pydantic models validate the
request bodies and describe them in `GET /api/v1/openapi.json`.
"""

import functools
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Annotated

from flask import Blueprint, current_app, g, jsonify, request
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from basesys.core.errors import REFUSALS, DomainError, ValidationFailed
from basesys.core.features import provided
from basesys.core.inputs import DB_INT_MAX, in_sane_years, nul_fields
from basesys.core.tokens import claims_from_token
from basesys.extensions import csrf, db

API_PREFIX = "/api/v1"

# An id in a body or query: what the database can hold (core.inputs), else a 422 on the field.
DbId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]


def _fits_utc(moment: datetime) -> datetime:
    try:
        moment.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:00+14:00 is before year 1 in UTC
        raise ValueError("时间超出范围") from None
    return moment


# Every datetime the API takes: ISO 8601 with an offset, and a moment UTC can hold.
ApiDateTime = Annotated[AwareDatetime, AfterValidator(_fits_utc)]


# A date the API takes (a range of a list): within core.inputs MIN_YEAR … MAX_YEAR.
ApiDate = Annotated[date, AfterValidator(in_sane_years)]


@dataclass(frozen=True)
class File:
    """An answer that is a file (PDF, XLSX, CSV), not JSON."""

    media_type: str
    description: str = ""


class Answer(BaseModel):
    """A JSON answer as the OpenAPI document describes it (core.openapi). Every field is listed:
    the test configuration (API_CHECK_ANSWERS) validates each answer against its model, strictly."""

    model_config = ConfigDict(extra="forbid")


@dataclass
class EndpointSpec:
    rule: str
    method: str
    summary: str
    roles: tuple | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    answer: type[Answer] | File | None  # None: no content (204)
    status: int
    refuses: tuple[str, ...] = ()  # refusal codes beyond those the declaration implies (core.openapi)
    files: tuple[str, ...] = ()  # multipart/form-data file fields
    public: bool = False

    @property
    def path_params(self) -> list[tuple[str | None, str]]:
        return [(m.group(1), m.group(2)) for m in PATH_PARAM.finditer(self.rule)]

    def codes(self) -> dict[str, int]:
        """Every refusal code the endpoint may answer with, and its status."""
        codes = {"unauthorized": 401}  # a bad bearer token is a 401 even where none is needed
        if self.body is not None:
            codes["malformed_body"] = 400
        if self.body is not None or self.query is not None or self.files:
            codes["validation_failed"] = 422
        if self.files:
            codes["too_large"] = 413
        if self.roles:
            codes["forbidden"] = 403
        if self.path_params:
            codes["not_found"] = 404
        for code in self.refuses:
            codes[code] = REFUSALS[code].status if code in REFUSALS else 409
        return codes


PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")

ENDPOINTS: list[EndpointSpec] = []

_PYDANTIC_MESSAGES = {
    "missing": "必填项",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长",
    "too_short": "至少需要一项",
    "too_long": "条目过多",
    "literal_error": "取值无效",
    "enum": "取值无效",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "string_type": "应为文本",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "datetime_parsing": "应为带时区的 ISO 8601 时间",
    "datetime_type": "应为带时区的 ISO 8601 时间",
    "timezone_aware": "时间必须带时区（如 +08:00）",
    "date_parsing": "应为 YYYY-MM-DD 日期",
    "date_from_datetime_parsing": "应为 YYYY-MM-DD 日期",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "less_than_equal": "数值过大",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "extra_forbidden": "不支持的字段",
}


def pydantic_fields(error: ValidationError) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in error.errors():
        loc = ".".join(str(part) for part in item["loc"]) or "body"
        message = _PYDANTIC_MESSAGES.get(item["type"])
        if message is None:
            message = str(item.get("msg", "无效")).removeprefix("Value error, ")
        if item["type"] == "literal_error" and "expected" in item.get("ctx", {}):
            message = f"取值无效，可选：{item['ctx']['expected']}"
        result.setdefault(loc, message)
    return result


def parse_model(model: type[BaseModel], data):
    """The validated model; refuses (422, every bad field) what the model refuses and any NUL."""
    nul = nul_fields(data)
    if nul:
        raise ValidationFailed(nul)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(pydantic_fields(exc)) from None


def _json_body():
    if not request.get_data():
        return {}
    try:
        data = request.get_json(force=True, silent=False)
    except Exception:  # werkzeug raises BadRequest with a variety of causes
        raise DomainError("malformed_body") from None
    if not isinstance(data, dict):
        raise ValidationFailed({"body": "应为 JSON 对象"})
    return data


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise DomainError("unauthorized")
    return token.strip()


def current_api_claims():
    """The verified claims of the bearer token (no database read), or None; a bad token is a 401."""
    token = _bearer_token()
    if token is None:
        return None
    claims = claims_from_token(token)
    if claims is None:
        raise DomainError("unauthorized")
    return claims


def current_api_user():
    """The user of the bearer token, or None; a present but bad token is a 401."""
    token = _bearer_token()
    if token is None:
        return None
    user = provided("user_from_token")(token)
    if user is None:
        raise DomainError("unauthorized")
    return user


def api_endpoint(
    bp: Blueprint,
    rule: str,
    method: str = "GET",
    *,
    summary: str,
    roles=None,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    answer: type[Answer] | File | None,
    status: int = 200,
    refuses: tuple[str, ...] = (),
    public: bool = False,
    files: tuple[str, ...] = (),
    verify_user_in_view: bool = False,
    writes: bool = False,
):
    """Declare an endpoint: `roles=None` with public=False means any logged-in user.

    `writes=True`: a GET that may change state (an annual statement issued on its first request) is
    committed by the endpoint's lifecycle like a POST, never by the view.

    `answer` is the model of the success answer (`status`), a `File`, or None for 204. `refuses`
    names the refusal codes the endpoint answers with beyond those its declaration implies (401
    always; 403 with roles; 404 with path parameters; 400/422 with a body or query): the OpenAPI
    document lists each status with its codes, and the test configuration fails an undeclared one.
    `files` names the multipart/form-data file fields of an upload (the view reads request.files).
    `verify_user_in_view`: the hot path of QR check-in. The view receives the token's verified
    signature (`TokenClaims`) instead of a loaded User and MUST check the user's row itself — active,
    same token generation, role in `roles` — in the query it makes anyway, saving a round trip.
    """
    spec = EndpointSpec(
        bp.url_prefix + rule if bp.url_prefix else rule,
        method,
        summary,
        tuple(roles) if roles else None,
        body,
        query,
        answer,
        status,
        tuple(refuses),
        tuple(files),
        public,
    )
    ENDPOINTS.append(spec)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(**path):
            checking = current_app.config.get("API_CHECK_ANSWERS", False)
            try:
                result = _answer(spec, view, verify_user_in_view, path, writes)
            except DomainError as error:
                if checking:
                    check_refusal(spec, error.code, error.status)
                raise
            if checking:
                check_answer(spec, result)
            if isinstance(result, tuple):
                payload, code = result
                return (jsonify(payload), code) if isinstance(payload, (dict, list)) else result
            return jsonify(result) if isinstance(result, (dict, list)) else result

        bp.add_url_rule(rule, view.__name__, wrapper, methods=[method])
        return wrapper

    return decorator


def _answer(spec: EndpointSpec, view, verify_user_in_view: bool, path: dict, writes: bool = False):
    actor = current_api_claims() if verify_user_in_view else current_api_user()
    if actor is None and not spec.public:
        raise DomainError("unauthorized")
    if spec.roles and not verify_user_in_view and (actor is None or actor.role not in spec.roles):
        raise DomainError("forbidden")
    g.api_actor = actor
    kwargs = dict(path)
    if spec.body is not None:
        kwargs["body"] = parse_model(spec.body, _json_body())
    if spec.query is not None:
        kwargs["query"] = parse_model(spec.query, request.args.to_dict())
    result = view(actor, **kwargs)
    if writes or spec.method != "GET":
        db.session.commit()
    return result


class UndeclaredAnswer(AssertionError):
    """An endpoint answered what its declaration does not say (raised only with API_CHECK_ANSWERS)."""


def check_refusal(spec: EndpointSpec, code: str, status: int) -> None:
    if spec.codes().get(code) != status:
        raise UndeclaredAnswer(f"{spec.method} {spec.rule}: refusal {code!r} ({status}) is not declared")


def check_answer(spec: EndpointSpec, result) -> None:
    """The answer is the declared one: its status, and a JSON body its model accepts strictly."""
    payload, status = result if isinstance(result, tuple) else (result, 200)
    if status >= 400:  # answered, not raised (the login's refusals)
        check_refusal(spec, payload["error"]["code"], status)
        return
    if status != spec.status:
        raise UndeclaredAnswer(f"{spec.method} {spec.rule}: answered {status}, declared {spec.status}")
    if isinstance(spec.answer, type) and issubclass(spec.answer, Answer):
        try:
            spec.answer.model_validate_json(json.dumps(payload), strict=True)
        except ValidationError as exc:
            raise UndeclaredAnswer(f"{spec.method} {spec.rule}: the answer does not match its model: {exc}") from None


def api_blueprint(name: str, import_name: str) -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=API_PREFIX)
    csrf.exempt(bp)  # bearer tokens, not cookies: CSRF does not apply
    return bp


def error_body(error: DomainError) -> dict:
    payload = {"code": error.code, "message": error.message}
    if isinstance(error, ValidationFailed):
        payload["fields"] = error.fields
    for key, value in error.details.items():
        payload[key] = value
    return {"error": payload}
