"""The "Annual statement" endpoints of API.md (DOMAIN.md §15).

The trainee's GET may issue a statement (the first request of a year, or the first after the year's
ledger changed): a state change, so these two endpoints are declared `writes` and the API lifecycle
commits them like a POST (core.api.api_endpoint).
"""

import json

from flask import Response, current_app

from basesys.accounts.scope import trainee_of
from basesys.certificates.signing import current_signer
from basesys.core.api import File, api_blueprint, api_endpoint
from basesys.core.errors import DomainError, NotFound
from basesys.core.ids import mask_name
from basesys.core.time import now_utc
from basesys.statements.models import Statement
from basesys.statements.pdf import NotPrintable, StatementPage, statement_pdf
from basesys.statements.schemas import StatementAnswer, StatementQuery, StatementVerification
from basesys.statements.services import current_statement, find_statement

bp = api_blueprint("statements_api", __name__)


def statement_json(statement: Statement) -> dict:
    """The statement as its trainee sees it, read from the signed payload."""
    fields = json.loads(statement.payload)
    return {
        "number": statement.number,
        "code": statement.check_code,
        "year": statement.year,
        "status": statement.status,
        "issued_on": statement.issued_on.isoformat(),
        "required": fields["required"],
        "issued": fields["issued"],
        "recognized": fields["recognized"],
        "months_at_work": fields["months_at_work"],
        "entries": fields["entries"],
        "signed": {"payload": statement.payload, "signature": statement.signature},
    }


def verification_json(statement: Statement) -> dict:
    fields = json.loads(statement.payload)
    return {
        "number": statement.number,
        "year": statement.year,
        "name_masked": mask_name(statement.holder_name),
        "totals": fields["totals"],
        "required": fields["required"],
        "status": statement.status,
        "issued_on": statement.issued_on.isoformat(),
        "signed": {"payload": statement.payload, "signature": statement.signature},
    }


def my_statement(actor, year: int) -> Statement:
    """The trainee's current statement of the year, issued when new (the endpoint, declared
    `writes`, commits it)."""
    return current_statement(actor, trainee_of(actor), year, signer=current_signer(), now=now_utc())


def statement_pdf_response(statement: Statement, *, disposition: str = "attachment") -> Response:
    """The PDF, drawn on demand from the signed payload (nothing stored, nothing cached)."""
    try:
        data = statement_pdf(StatementPage.of(statement, current_app.config["BASE_URL"]))
    except NotPrintable:
        raise DomainError("statement_not_printable") from None
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'{disposition}; filename="statement-{statement.number}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


@api_endpoint(
    bp,
    "/me/statements/<int:year>",
    summary="The trainee's signed annual statement (学时证明) of a year, issued on first request",
    roles=["trainee"],
    answer=StatementAnswer,
    writes=True,
)
def my_statement_json(actor, year: int):
    return statement_json(my_statement(actor, year))


@api_endpoint(
    bp,
    "/me/statements/<int:year>.pdf",
    summary="The trainee's annual statement as a PDF, with a QR code to its verification page",
    roles=["trainee"],
    answer=File("application/pdf", "The annual statement"),
    refuses=("statement_not_printable",),
    writes=True,
)
def my_statement_pdf(actor, year: int):
    return statement_pdf_response(my_statement(actor, year))


@api_endpoint(
    bp,
    "/statements/<number>",
    summary="Verify an annual statement by number and check code (the exact signed payload and signature)",
    public=True,
    query=StatementQuery,
    answer=StatementVerification,  # 404 also for a wrong code
)
def verify(actor, number: str, query: StatementQuery):
    statement = find_statement(number, query.code)
    if statement is None:
        raise NotFound()
    return verification_json(statement)
