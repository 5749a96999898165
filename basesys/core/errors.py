"""Refusals are data: a stable code, a status and a plain message (STYLE.md "Refusals are data")."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    status: int
    zh: str
    en: str


# Every code the system answers with, filled from each feature's REFUSALS when the feature is
# registered (basesys.core.features). A code has one message: a second, different definition is an
# error at start-up, never "the one imported last wins".
REFUSALS: dict[str, Refusal] = {}
OWNERS: dict[str, str] = {}


class RefusalConflict(RuntimeError):
    pass


def register_refusals(owner: str, mapping: dict[str, Refusal]) -> None:
    for code, refusal in mapping.items():
        known = REFUSALS.get(code)
        if known is not None and known != refusal:
            raise RefusalConflict(f"refusal {code!r}: {OWNERS[code]} and {owner} define it differently")
        if known is not None and OWNERS[code] != owner:
            raise RefusalConflict(f"refusal {code!r} belongs to {OWNERS[code]}; {owner} defines it again")
        REFUSALS[code], OWNERS[code] = refusal, owner


# The HTTP-level codes every feature may answer with (API.md "Errors").
CORE_REFUSALS = {
    "malformed_body": Refusal(400, "请求体不是有效的 JSON。", "The request body is not valid JSON."),
    "validation_failed": Refusal(422, "提交的数据有误，请检查。", "Some fields are invalid."),
    "unauthorized": Refusal(401, "请先登录或提供有效的令牌。", "Log in or send a valid token."),
    "forbidden": Refusal(403, "您的角色无权执行此操作。", "Your role may not do this."),
    "not_found": Refusal(404, "未找到该对象。", "Not found."),
    "method_not_allowed": Refusal(405, "不支持该请求方法。", "Method not allowed."),
    "too_large": Refusal(413, "上传的文件过大。", "The upload is too large."),
    "internal_error": Refusal(500, "服务器内部错误，请稍后再试。", "Internal server error."),
    # Every review in the system (filings, rosters, declarations, findings) needs a reason to return.
    "comment_required": Refusal(422, "退回时必须填写审核意见。", "A comment is required when returning."),
}
register_refusals("core", CORE_REFUSALS)


class DomainError(Exception):
    """A rule refused the operation; `code` is stable and part of the API contract."""

    def __init__(self, code: str, message: str | None = None, status: int | None = None, **details):
        refusal = REFUSALS.get(code)
        self.code = code
        self.status = status or (refusal.status if refusal else 409)
        self.message = message or (refusal.zh if refusal else code)
        self.message_en = message or (refusal.en if refusal else code)
        self.details = details
        super().__init__(self.message)


class ValidationFailed(DomainError):
    """Input that breaks a rule of one or more fields: 422 with `fields` (API.md)."""

    def __init__(self, fields: dict[str, str], code: str = "validation_failed", message: str | None = None):
        super().__init__(code, message, status=422)
        self.fields = fields


class NotFound(DomainError):
    def __init__(self):
        super().__init__("not_found")


class Forbidden(DomainError):
    def __init__(self):
        super().__init__("forbidden")


def message_for(error: DomainError, locale: str) -> str:
    return error.message_en if locale == "en" else error.message
