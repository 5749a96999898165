"""Request bodies and query strings of the "Hours and certificates" endpoints (API.md)."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from basesys.core.api import Answer


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=1000, description="mandatory reason (撤销原因)")
    fraud: bool = Field(default=False, description="flag the trainee for fraud (一票否决)")


class HoursQuery(BaseModel):
    year: int | None = Field(default=None, ge=2000, le=2100)


class VerifyQuery(BaseModel):
    # No length limit: any wrong code is the same 404 as an unknown number, never a 422.
    code: str = Field(default="", description="the check code printed on the certificate")


# Answers (core.api.Answer): what the endpoints return, as the OpenAPI document describes it.

Category = Literal["public", "professional"]
CertificateStatusValue = Literal["valid", "revoked"]


class FinalizeTotals(Answer):
    """The course's totals (the same on every call)"""

    completed: int
    not_completed: int
    certificates: int


class HoursTotals(Answer):
    public: float
    professional: float
    total: float


class HoursEntry(Answer):
    source: Literal["course", "declaration"] = Field(description="a finalised course or a recognised declaration")
    course_id: int | None = Field(description="null for a declaration")
    title: str = Field(description="the course's title, or the declaration's (rule · title)")
    category: Category
    hours: float
    status: Literal["issued", "recognized"]
    certificate_number: str | None = Field(description="null for a declaration")


class HoursAnswer(Answer):
    """The year's hours against the requirement"""

    year: int
    required: HoursTotals
    issued: HoursTotals
    recognized: HoursTotals
    entries: list[HoursEntry]


class CertificateAnswer(Answer):
    """A certificate as its trainee sees it (`code` is the check code)"""

    number: str
    code: str
    status: CertificateStatusValue
    course_id: int
    course_title: str
    category: Category
    hours: float
    issued_on: date


class CertificateList(Answer):
    """The trainee's certificates"""

    items: list[CertificateAnswer]


class PublicKeyEntry(Answer):
    kid: str
    public_key: str


class PublicKeyAnswer(Answer):
    """The current signing key (base64), and every key that signed a certificate still held"""

    alg: Literal["Ed25519"]
    public_key: str
    kid: str
    keys: list[PublicKeyEntry]


class Signed(Answer):
    payload: str = Field(description="the exact signed string (canonical JSON)")
    signature: str = Field(description="its Ed25519 signature, base64")


class VerificationAnswer(Answer):
    """The certificate, as anyone holding its number and check code sees it"""

    number: str
    status: CertificateStatusValue
    name_masked: str
    course_title: str
    category: Category
    hours: float
    issued_on: date
    base_name: str
    filing_number: str | None
    revoked_on: date | None
    revoked_reason: str | None
    starts_on: date | None = None  # the training dates, as signed (an addition)
    ends_on: date | None = None
    # The hours' ledger status (an addition): issued (awaiting the bureau's roster acceptance),
    # recognized (已认定) or void (the certificate was revoked).
    hours_status: Literal["issued", "recognized", "void"] | None = None
    signed: Signed


class RevokeAnswer(Answer):
    """Revoked"""

    status: Literal["revoked"]
