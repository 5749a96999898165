"""The "Hours and certificates" endpoints of API.md.

Routing: Werkzeug tries static segments before converters and, among converters, the rule with
more static text first: `/certificates/public-key` wins over `/certificates/<number>`, and
`/certificates/<number>.pdf` over `/certificates/<number>` (tests/certificates/test_api.py checks it).
"""

from flask import Response, current_app

from basesys.accounts.scope import trainee_of
from basesys.certificates import services
from basesys.certificates.jobs import finalize_in_chunks
from basesys.certificates.models import Certificate, CertificateStatus
from basesys.certificates.pdf import CertificatePage, certificate_pdf
from basesys.certificates.schemas import (
    CertificateList,
    FinalizeTotals,
    HoursAnswer,
    HoursQuery,
    PublicKeyAnswer,
    RevokeAnswer,
    RevokeRequest,
    VerificationAnswer,
    VerifyQuery,
)
from basesys.certificates.signing import ALGORITHM, current_signer, known_public_keys
from basesys.core.api import File, api_blueprint, api_endpoint
from basesys.core.errors import NotFound
from basesys.core.ids import mask_name
from basesys.core.time import local_date, now_utc
from basesys.courses.access import get_course_for

bp = api_blueprint("certificates_api", __name__)


def certificate_json(certificate: Certificate) -> dict:
    """A certificate as the trainee sees it (`code` is the check code)."""
    return {
        "number": certificate.number,
        "code": certificate.check_code,
        "status": certificate.status,
        "course_id": certificate.course_id,
        "course_title": certificate.course.title,
        "category": certificate.category,
        "hours": float(certificate.hours),
        "issued_on": certificate.issued_on.isoformat(),
    }


def verification_json(certificate: Certificate) -> dict:
    return {
        "number": certificate.number,
        "status": certificate.status,
        "name_masked": mask_name(certificate.holder_name),
        "course_title": certificate.course.title,
        "category": certificate.category,
        "hours": float(certificate.hours),
        "issued_on": certificate.issued_on.isoformat(),
        "base_name": certificate.base.name,
        "filing_number": certificate.course.filing_number,
        "revoked_on": local_date(certificate.revoked_at).isoformat() if certificate.revoked_at else None,
        "revoked_reason": certificate.revoked_reason if certificate.status == CertificateStatus.REVOKED else None,
        **services.verification_details(certificate),
        "signed": {"payload": certificate.payload, "signature": certificate.signature},
    }


@api_endpoint(
    bp,
    "/courses/<int:course_id>/finalize",
    "POST",
    summary="Finalise a course: results, hours ledger entries and certificates (idempotent)",
    roles=["base_admin"],
    answer=FinalizeTotals,
    refuses=("course_not_ended", "course_not_approved"),
)
def finalize(actor, course_id: int):
    course = get_course_for(actor, course_id, roles=("base_admin",))
    return finalize_in_chunks(actor, course, now=now_utc())


@api_endpoint(
    bp,
    "/me/hours",
    summary="The trainee's hours of a year against the annual requirement",
    roles=["trainee"],
    query=HoursQuery,
    answer=HoursAnswer,
)
def my_hours(actor, query: HoursQuery):
    trainee = trainee_of(actor)
    summary = services.hours_summary(trainee, query.year or local_date(now_utc()).year)
    return {
        "year": summary.year,
        "required": summary.required,
        "issued": summary.issued,
        "recognized": summary.recognized,
        "entries": [
            {
                "source": entry.source,
                "course_id": entry.course_id,
                "title": entry.display_title,
                "category": entry.category,
                "hours": float(entry.hours),
                "status": entry.status,
                "certificate_number": entry.certificate.number if entry.certificate else None,
            }
            for entry in summary.counted_entries
        ],
    }


@api_endpoint(bp, "/me/certificates", summary="The trainee's certificates", roles=["trainee"], answer=CertificateList)
def my_certificates(actor):
    trainee = trainee_of(actor)
    return {"items": [certificate_json(c) for c in services.certificates_of(trainee)]}


@api_endpoint(
    bp,
    "/certificates/public-key",
    summary="The Ed25519 key that signs certificates",
    public=True,
    answer=PublicKeyAnswer,
)
def public_key(actor):
    signer = current_signer()
    keys = known_public_keys()
    return {
        "alg": ALGORITHM,
        "public_key": signer.public_key_b64,
        "kid": signer.key_id,
        "keys": [{"kid": kid, "public_key": key} for kid, key in sorted(keys.items())],
    }


@api_endpoint(
    bp,
    "/certificates/<number>",
    summary="Verify a certificate by number and check code (the exact signed payload and signature)",
    public=True,
    query=VerifyQuery,
    answer=VerificationAnswer,  # 404 also for a wrong code
)
def verify(actor, number: str, query: VerifyQuery):
    certificate = services.find_certificate(number, query.code)
    if certificate is None:
        raise NotFound()
    return verification_json(certificate)


@api_endpoint(
    bp,
    "/certificates/<number>.pdf",
    summary="The certificate PDF (its trainee, its base, its bureaus)",
    answer=File("application/pdf", "The certificate"),
)
def certificate_pdf_file(actor, number: str):
    certificate = services.get_certificate_for(actor, number)
    return pdf_response(certificate)


@api_endpoint(
    bp,
    "/certificates/<number>/revoke",
    "POST",
    summary="Revoke a certificate with a reason; its ledger entry is voided",
    roles=["base_admin", "bureau_officer"],
    body=RevokeRequest,
    answer=RevokeAnswer,
    refuses=("already_revoked",),
)
def revoke(actor, number: str, body: RevokeRequest):
    certificate = services.get_certificate_for(actor, number, manage=True)
    services.revoke_certificate(actor, certificate, reason=body.reason, now=now_utc(), fraud=body.fraud)
    return {"status": CertificateStatus.REVOKED}


def pdf_response(certificate: Certificate, *, inline: bool = False) -> Response:
    """The PDF, drawn on demand from the signed payload (nothing stored, nothing cached)."""
    data = certificate_pdf(CertificatePage.of(certificate, current_app.config["BASE_URL"]))
    disposition = "inline" if inline else "attachment"
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'{disposition}; filename="certificate-{certificate.number}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )
