"""The OpenAPI 3.1 document of the JSON API, generated from the `api_endpoint` declarations.

Every operation lists its success answer with its schema (the endpoint's `Answer` model, a file's
media type, or no content) and every status it can refuse with, each with the refusal codes that
status carries: `code` is an enum, so a checker (schemathesis in `make test`) holds the API to it.
Query and path parameters are typed from the same pydantic models that validate them.
"""

from pydantic import BaseModel

from basesys.core.api import ENDPOINTS, PATH_PARAM, EndpointSpec, File
from basesys.core.inputs import DB_INT_MAX

_ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX}  # core.inputs.IdConverter

_REASONS = {
    400: "Malformed body",
    401: "Missing or bad token",
    403: "Role not allowed",
    404: "Unknown, or outside your scope",
    409: "State conflict",
    410: "Expired",
    413: "Upload too large",
    422: "Validation failed",
    429: "Too many attempts",
}

_ROWS = {  # import_invalid: every bad row of the file (API.md "Enrolment")
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"row": {"type": "integer"}, "column": {"type": "string"}, "reason": {"type": "string"}},
        "required": ["row", "reason"],
    },
}


ERROR = {  # API.md "Errors"
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "中文说明"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "422 only"},
                "rows": _ROWS,
            },
        }
    },
}


def _error_schema(codes: list[str]) -> dict:
    """The error body, its `code` one of `codes`."""
    only = {"properties": {"error": {"properties": {"code": {"enum": codes}}}}}
    return {"allOf": [{"$ref": "#/components/schemas/Error"}, only]}


class _Document:
    def __init__(self):
        self.schemas: dict = {"Error": ERROR}

    def ref(self, model: type[BaseModel], mode: str) -> dict:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
        for name, definition in schema.pop("$defs", {}).items():
            self.schemas[name] = _open(definition)
        self.schemas[model.__name__] = _open(schema)
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    def parameters(self, spec: EndpointSpec) -> list[dict]:
        params = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": dict(_ID_SCHEMA) if converter == "int" else {"type": "string", "minLength": 1},
            }
            for converter, name in spec.path_params
        ]
        if spec.query is not None:
            properties = spec.query.model_json_schema()["properties"]
            for name, info in spec.query.model_fields.items():
                schema = dict(properties[name])
                schema.pop("title", None)
                params.append({"name": name, "in": "query", "required": info.is_required(), "schema": schema})
        return params

    def success(self, spec: EndpointSpec) -> dict:
        if spec.answer is None:
            return {"description": "No content"}
        if isinstance(spec.answer, File):
            binary = {"type": "string", "format": "binary"}
            return {
                "description": spec.answer.description or "The file",
                # One media type, or alternatives "application/pdf, image/png" (evidence: typed by content).
                "content": {m.split(";")[0].strip(): {"schema": binary} for m in spec.answer.media_type.split(",")},
            }
        description = (spec.answer.__doc__ or spec.answer.__name__).strip().splitlines()[0]
        return {
            "description": description,
            "content": {"application/json": {"schema": self.ref(spec.answer, "serialization")}},
        }

    def operation(self, spec: EndpointSpec, path: str) -> dict:
        responses = {str(spec.status): self.success(spec)}
        by_status: dict[int, list[str]] = {}
        for code, status in spec.codes().items():
            by_status.setdefault(status, []).append(code)
        for status in sorted(by_status):
            codes = sorted(by_status[status])
            described = ", ".join(codes)
            responses[str(status)] = {
                "description": f"{_REASONS.get(status, 'Refused')}: {described}",
                "content": {"application/json": {"schema": _error_schema(codes)}},
            }
        operation = {
            "summary": spec.summary,
            "operationId": f"{spec.method.lower()}_{path}".replace("/", "_")
            .replace("{", "")
            .replace("}", "")
            .replace(".", "_"),
            "parameters": self.parameters(spec),
            "responses": responses,
        }
        if not spec.public:
            operation["security"] = [{"bearer": []}]
        if spec.roles:
            operation["x-roles"] = list(spec.roles)
        if spec.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": self.ref(spec.body, "validation")}},
            }
        if spec.files:
            properties = {name: {"type": "string", "format": "binary"} for name in spec.files}
            schema = {"type": "object", "properties": properties, "required": list(spec.files)}
            operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
        return operation


def _open(schema: dict) -> dict:
    """Answer models forbid unknown fields in the test check; the document leaves them open
    (API.md: fields may be added), so a client generated from it keeps working."""
    if schema.get("additionalProperties") is False:
        del schema["additionalProperties"]
    return schema


def openapi_document(title: str = "basesys API", version: str = "1.0.0") -> dict:
    document = _Document()
    paths: dict = {}
    for spec in ENDPOINTS:
        path = _path(spec.rule)
        paths.setdefault(path, {})[spec.method.lower()] = document.operation(spec, path)
    paths["/api/v1/openapi.json"] = {
        "get": {
            "summary": "This document",
            "operationId": "get_openapi",
            "responses": {
                "200": {
                    "description": "The OpenAPI document",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": document.schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _path(rule: str) -> str:
    return PATH_PARAM.sub(lambda m: "{" + m.group(2) + "}", rule)
