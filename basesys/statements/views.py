"""Statement pages: the trainee's PDF of a year (from the hours page's 学时证明 button) and the
public verification page the statement's QR code opens (DOMAIN.md §15)."""

from flask import Blueprint, render_template, request

from basesys.accounts.scope import trainee_of
from basesys.certificates.signing import current_signer
from basesys.core.ids import mask_name
from basesys.core.pages import page
from basesys.core.wechat import in_wechat
from basesys.statements.api import statement_pdf_response
from basesys.statements.services import current_statement, find_statement

bp = Blueprint("statements", __name__)


@page(bp, "/me/statements/<int:year>.pdf", roles=("trainee",), writes=True)
def my_statement_pdf(ctx, year):
    """Issues the statement when the year has none (or its ledger changed): a GET that changes
    state, declared `writes` so the page lifecycle commits it."""
    statement = current_statement(ctx.user, trainee_of(ctx.user), year, signer=current_signer(), now=ctx.now)
    # WeChat's browser opens only inline PDFs (core.wechat).
    response = statement_pdf_response(statement, disposition="inline" if in_wechat() else "attachment")
    response.headers["Vary"] = "User-Agent"
    return response


@page(bp, "/vs/<number>", public=True)
def verify_page(ctx, number):
    statement = find_statement(number, request.args.get("c", ""))
    html = render_template(
        "statements/verify.html",
        statement=statement,
        number=number,
        name_masked=mask_name(statement.holder_name) if statement else "",
    )
    return html, (200 if statement is not None else 404)
