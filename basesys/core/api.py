"""JSON API plumbing: auth, role check, body validation and the generated OpenAPI document.

Each endpoint is declared once with `@api_endpoint(...)`; the same pydantic models validate the
request bodies and describe them in `GET /api/v1/openapi.json`.
"""

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Annotated

from flask import Blueprint, g, jsonify, request
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, ValidationError

from basesys.core.errors import DomainError, ValidationFailed
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


@dataclass
class EndpointSpec:
    rule: str
    method: str
    summary: str
    roles: tuple | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    responses: dict = field(default_factory=dict)
    content_type: str = "application/json"
    files: tuple[str, ...] = ()  # multipart/form-data file fields


ENDPOINTS: list[EndpointSpec] = []

_PYDANTIC_MESSAGES = {
    "missing": "必填项",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长",
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
    responses: dict | None = None,
    public: bool = False,
    content_type="application/json",
    files: tuple[str, ...] = (),
    verify_user_in_view: bool = False,
):
    """Declare an endpoint: `roles=None` with public=False means any logged-in user.

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
        responses or {},
        content_type,
        tuple(files),
    )
    ENDPOINTS.append(spec)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(**path):
            actor = current_api_claims() if verify_user_in_view else current_api_user()
            if actor is None and not public:
                raise DomainError("unauthorized")
            if spec.roles and not verify_user_in_view and (actor is None or actor.role not in spec.roles):
                raise DomainError("forbidden")
            g.api_actor = actor
            kwargs = dict(path)
            if body is not None:
                kwargs["body"] = parse_model(body, _json_body())
            if query is not None:
                kwargs["query"] = parse_model(query, request.args.to_dict())
            result = view(actor, **kwargs)
            if method != "GET":
                db.session.commit()
            if isinstance(result, tuple):
                payload, status = result
                return (jsonify(payload), status) if isinstance(payload, (dict, list)) else result
            return jsonify(result) if isinstance(result, (dict, list)) else result

        bp.add_url_rule(rule, view.__name__, wrapper, methods=[method])
        return wrapper

    return decorator


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


_PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX}  # core.inputs.IdConverter


def openapi_document(title: str = "basesys API", version: str = "1.0.0") -> dict:
    paths: dict = {}
    schemas: dict = {}

    def ref(model):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas[name] = definition
        schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    for spec in ENDPOINTS:
        path = _PATH_PARAM.sub(lambda m: "{" + m.group(2) + "}", spec.rule)
        params = [
            {
                "name": m.group(2),
                "in": "path",
                "required": True,
                "schema": dict(_ID_SCHEMA) if m.group(1) == "int" else {"type": "string"},
            }
            for m in _PATH_PARAM.finditer(spec.rule)
        ]
        if spec.query is not None:
            for name, info in spec.query.model_fields.items():
                params.append(
                    {"name": name, "in": "query", "required": info.is_required(), "schema": {"type": "string"}}
                )
        operation = {
            "summary": spec.summary,
            "operationId": f"{spec.method.lower()}_{path}".replace("/", "_").replace("{", "").replace("}", ""),
            "parameters": params,
            "responses": {str(k): {"description": v} for k, v in (spec.responses or {200: "OK"}).items()},
        }
        if spec.roles:
            operation["x-roles"] = list(spec.roles)
            operation["security"] = [{"bearer": []}]
        if spec.body is not None:
            content_type = spec.content_type
            operation["requestBody"] = {"required": True, "content": {content_type: {"schema": ref(spec.body)}}}
        if spec.files:
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {name: {"type": "string", "format": "binary"} for name in spec.files},
                            "required": list(spec.files),
                        }
                    }
                },
            }
        paths.setdefault(path, {})[spec.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
