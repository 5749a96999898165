"""Reading certificates and hours: who may see which certificate, verification, "my hours" (§8, §10)."""

import hmac
import json
import math
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.orm import contains_eager, joinedload

from basesys.accounts.models import Trainee, User
from basesys.accounts.scope import can_manage_base, can_supervise_base, trainee_of
from basesys.certificates.models import (
    Certificate,
    CourseResult,
    LedgerEntry,
    LedgerSource,
    LedgerStatus,
    RequirementReduction,
)
from basesys.certificates.pdf import CertificatePage, StatementLine
from basesys.certificates.services.issue import normalize_check_code
from basesys.core.errors import DomainError, NotFound
from basesys.core.paging import Keyset, keyset_page
from basesys.core.policy import get_policy
from basesys.courses.models import Course
from basesys.extensions import db

CATEGORY_KEYS = ("public", "professional")


def find_certificate(number: str, code: str | None) -> Certificate | None:
    """The certificate with this number and check code; a wrong code is the same as no certificate."""
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.number == (number or "").strip()))
    given = normalize_check_code(code)
    if certificate is None or not given:
        return None
    if not hmac.compare_digest(certificate.check_code.encode(), given.encode()):
        return None
    return certificate


def verification_details(certificate: Certificate) -> dict:
    """What the public verification adds to the certificate (issue 15): the training dates as
    signed, and whether its hours are recognised by the bureau (the ledger entry's status)."""
    signed = json.loads(certificate.payload)
    status = db.session.scalar(db.select(LedgerEntry.status).where(LedgerEntry.certificate_id == certificate.id))
    return {"starts_on": signed.get("starts_on"), "ends_on": signed.get("ends_on"), "hours_status": status}


def can_manage_certificate(user: User, certificate: Certificate) -> bool:
    """Its base or its supervising bureaus (and those above) may revoke it and download it."""
    return can_manage_base(user, certificate.base) or can_supervise_base(user, certificate.base)


def can_download_certificate(user: User, certificate: Certificate) -> bool:
    if user.role == "trainee":
        trainee = trainee_of(user)
        return trainee is not None and trainee.id == certificate.trainee_id
    return can_manage_certificate(user, certificate)


def get_certificate_for(user: User, number: str, *, manage: bool = False) -> Certificate:
    """The certificate the user may download (or, with `manage`, revoke); 404 otherwise, 403 for a
    trainee asking to manage."""
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.number == (number or "").strip()))
    if certificate is None or not can_download_certificate(user, certificate):
        raise NotFound()
    if manage and not can_manage_certificate(user, certificate):
        raise DomainError("forbidden")
    return certificate


def certificates_of(trainee: Trainee) -> list[Certificate]:
    return list(
        db.session.scalars(
            db.select(Certificate)
            .options(joinedload(Certificate.course))  # its title on every line: one statement in all
            .where(Certificate.trainee_id == trainee.id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def course_results(course: Course) -> list[CourseResult]:
    """Every enrolled trainee's result, completers first, then by name (the admin's list)."""
    return list(
        db.session.scalars(
            db.select(CourseResult)
            .join(Trainee, Trainee.id == CourseResult.trainee_id)
            .where(CourseResult.course_id == course.id)
            .order_by(CourseResult.completed.desc(), Trainee.name, Trainee.id)
        )
    )


def _zero() -> dict:
    return {"public": 0.0, "professional": 0.0, "total": 0.0}


@dataclass
class HoursSummary:
    """A trainee's year (§10): the requirement, issued and recognized hours, and the entries of both
    sources (courses §8, recognised declarations §11). `months_at_work` is set when a recognised
    long-absence declaration pro-rated the requirement (§11); `full_required` is the policy's."""

    year: int
    required: dict
    issued: dict = field(default_factory=_zero)
    recognized: dict = field(default_factory=_zero)
    entries: list[LedgerEntry] = field(default_factory=list)
    full_required: dict | None = None
    months_at_work: int | None = None

    @property
    def progress(self) -> dict:
        """Issued + recognized against the requirement, per category and in total (percent, ≤ 100)."""
        out = {}
        for key in (*CATEGORY_KEYS, "total"):
            have = self.issued[key] + self.recognized[key]
            need = self.required[key]
            out[key] = {"have": have, "need": need, "percent": 100 if need <= 0 else min(100, round(100 * have / need))}
        return out

    @property
    def counted_entries(self) -> list[LedgerEntry]:
        return [e for e in self.entries if e.status in (LedgerStatus.ISSUED, LedgerStatus.RECOGNIZED)]

    @property
    def reduced(self) -> bool:
        return self.months_at_work is not None


def pro_rated(hours: float, months_at_work: int) -> float:
    """§11 long absence: the requirement × months at work / 12, rounded UP to a multiple of 0.5
    (4 months at work → 10 public + 20 professional)."""
    return math.ceil(float(hours) * months_at_work / 12 * 2 - 1e-9) / 2


def months_at_work_of(trainee_id: int, year: int) -> int | None:
    """The smallest months at work of the year's non-void requirement reductions, or None (one statement)."""
    return db.session.scalar(
        db.select(func.min(RequirementReduction.months_at_work)).where(
            RequirementReduction.trainee_id == trainee_id,
            RequirementReduction.year == year,
            RequirementReduction.void.is_(False),
        )
    )


def requirement_of(trainee: Trainee, year: int) -> tuple[dict, dict, int | None]:
    """(required, the policy's full requirement, months at work or None): the policy of the bureau
    whose rules apply to the trainee (`rules_bureau_id`: the employer's, else their own), pro-rated
    by a recognised long absence of the year."""
    policy = get_policy(trainee.rules_bureau_id, year)
    full = {
        "public": policy.required_public_hours,
        "professional": policy.required_professional_hours,
        "total": policy.required_total_hours,
    }
    months = months_at_work_of(trainee.id, year)
    if months is None:
        return dict(full), full, None
    return {key: pro_rated(value, months) for key, value in full.items()}, full, months


def _year_of(trainee: Trainee, year: int) -> HoursSummary:
    required, full, months = requirement_of(trainee, year)
    return HoursSummary(year=year, required=required, full_required=full, months_at_work=months)


def _count(summary: HoursSummary, status: str, category: str, hours: float) -> None:
    bucket = summary.issued if status == LedgerStatus.ISSUED else summary.recognized
    bucket[category] = bucket.get(category, 0.0) + float(hours)
    bucket["total"] += float(hours)


def ledger_entries(trainee_id: int, year: int) -> list[LedgerEntry]:
    """The year's entries of both sources, oldest first: a course entry with its course and
    certificate, a declaration entry (no course) with its stored title — one statement."""
    return list(
        db.session.scalars(
            db.select(LedgerEntry)
            .outerjoin(Course, Course.id == LedgerEntry.course_id)
            .outerjoin(Certificate, Certificate.id == LedgerEntry.certificate_id)
            .options(contains_eager(LedgerEntry.course), contains_eager(LedgerEntry.certificate))
            .where(LedgerEntry.trainee_id == trainee_id, LedgerEntry.year == year)
            .order_by(LedgerEntry.issued_at, LedgerEntry.id)
        )
    )


def hours_summary(trainee: Trainee, year: int) -> HoursSummary:
    """`issued` counts entries awaiting the bureau's roster acceptance, `recognized` the accepted ones
    (a recognised declaration is recognized from the start); void entries count for nothing."""
    summary = _year_of(trainee, year)
    summary.entries = ledger_entries(trainee.id, year)
    for entry in summary.counted_entries:
        _count(summary, entry.status, entry.category, entry.hours)
    return summary


def hours_totals(trainee: Trainee, year: int) -> HoursSummary:
    """`hours_summary` without its entries (the home panel's figures): summed by the database in one
    statement, whatever the length of the year's ledger, both sources alike."""
    summary = _year_of(trainee, year)
    counted = (LedgerStatus.ISSUED, LedgerStatus.RECOGNIZED)
    rows = db.session.execute(
        db.select(LedgerEntry.status, LedgerEntry.category, func.sum(LedgerEntry.hours))
        .where(LedgerEntry.trainee_id == trainee.id, LedgerEntry.year == year, LedgerEntry.status.in_(counted))
        .group_by(LedgerEntry.status, LedgerEntry.category)
        .order_by(LedgerEntry.status, LedgerEntry.category)
    )
    for status, category, hours in rows:
        _count(summary, status, category, hours)
    return summary


def ledger_years(trainee: Trainee) -> list[int]:
    """The years the trainee has ledger entries in (either source), latest first (one DISTINCT,
    whatever the history)."""
    query = db.select(LedgerEntry.year).where(LedgerEntry.trainee_id == trainee.id).distinct()
    return list(db.session.scalars(query.order_by(LedgerEntry.year.desc())))


def certificate_years(trainee: Trainee) -> list[int]:
    """The years the trainee holds certificates of, latest first."""
    query = db.select(Certificate.year).where(Certificate.trainee_id == trainee.id).distinct()
    return list(db.session.scalars(query.order_by(Certificate.year.desc())))


def certificates_page(trainee: Trainee, year: int, *, limit: int, after: int | None = None) -> Keyset:
    """A keyset page of the trainee's certificates of one year, latest first, with their course
    titles; `after` is the previous page's `next` (a certificate id of the same trainee and year)."""
    query = db.select(Certificate).where(Certificate.trainee_id == trainee.id, Certificate.year == year)
    order = (Certificate.issued_at, Certificate.id)
    options = (joinedload(Certificate.course),)
    return keyset_page(query, order, Certificate, limit=limit, after=after, descending=True, options=options)


def certificate_pages(course: Course, base_url: str):
    """The course's certificates as printable pages, read in batches (for the streaming ZIP)."""
    rows = db.session.scalars(
        db.select(Certificate).where(Certificate.course_id == course.id).order_by(Certificate.sequence)
    ).yield_per(200)
    for certificate in rows:
        yield CertificatePage.of(certificate, base_url)


SOURCE_LABELS = {LedgerSource.COURSE: "培训", LedgerSource.DECLARATION: "申报"}


def hours_statement_lines(summary: HoursSummary) -> list:
    return [
        StatementLine(
            title=entry.display_title,
            source_label=SOURCE_LABELS.get(entry.source, entry.source),
            category=entry.category,
            hours=float(entry.hours),
            status_label=entry.status_label,
            certificate_number=entry.certificate.number if entry.certificate else "",
        )
        for entry in summary.entries
    ]


def requirement_note(summary: HoursSummary) -> str:
    """Why the year's requirement is less than the policy's (§11 long absence), or ""."""
    if not summary.reduced:
        return ""
    full = summary.full_required or summary.required
    return (
        f"因长期离岗（出国、病假、产假等），本年度在岗 {summary.months_at_work} 个月，年度要求由 "
        f"{full['total']:g} 学时按比例折算为 {summary.required['total']:g} 学时。"
    )
