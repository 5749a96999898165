"""Issuing and finding annual statements (学时证明, DOMAIN.md §15).

`current_statement` is the one operation: it answers the trainee's valid statement of the year when
that still states the year's ledger, else issues a new one (superseding the old) — signed with the
certificates' Ed25519 key over a canonical payload, audited. Reading the ledger is the
certificates' `hours_summary`, so the statement counts exactly what the hours page counts.
"""

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from basesys.accounts.models import Trainee
from basesys.certificates.services.issue import holder_digest, new_check_code, normalize_check_code
from basesys.certificates.services.queries import HoursSummary, hours_summary
from basesys.certificates.signing import PAYLOAD_VERSION, Signer, canonical_json, record_signing_key
from basesys.core.audit import audit
from basesys.core.errors import NotFound
from basesys.core.ids import mask_id_number, mask_name
from basesys.core.time import local_date
from basesys.extensions import db
from basesys.statements.models import Statement, StatementSequence, StatementStatus

PAYLOAD_KIND = "annual_statement"  # tells a statement's payload from a certificate's
FIRST_YEAR = 2000


def statement_number(year: int, sequence: int) -> str:
    """`XS2025-00000123`: 学时证明 of the year, a sequence per year."""
    return f"XS{year:04d}-{sequence:08d}"


def _next_sequence(year: int) -> int:
    """The next sequence number of the year (the UPDATE holds the row's lock until commit)."""
    statement = (
        update(StatementSequence)
        .where(StatementSequence.year == year)
        .values(last=StatementSequence.last + 1)
        .returning(StatementSequence.last)
        .execution_options(synchronize_session=False)
    )
    last = db.session.execute(statement).scalar_one_or_none()
    if last is None:
        try:
            with db.session.begin_nested():
                db.session.add(StatementSequence(year=year, last=0))
        except IntegrityError:
            pass
        last = db.session.execute(statement).scalar_one()
    return last


def _hours(value) -> float:
    return float(value)


def statement_content(trainee: Trainee, summary: HoursSummary) -> dict:
    """What a statement states (§15): the holder (masked), the requirement, the totals (issued +
    recognized) and every counted entry of both sources with its status."""
    totals = {
        key: _hours(summary.issued[key]) + _hours(summary.recognized[key])
        for key in ("public", "professional", "total")
    }
    return {
        "kind": PAYLOAD_KIND,
        "year": summary.year,
        "name_masked": mask_name(trainee.name),
        "id_number_masked": mask_id_number(trainee.id_number),
        "required": {key: _hours(value) for key, value in summary.required.items()},
        "months_at_work": summary.months_at_work,
        "totals": totals,
        "issued": {key: _hours(value) for key, value in summary.issued.items()},
        "recognized": {key: _hours(value) for key, value in summary.recognized.items()},
        "entries": [
            {
                "source": entry.source,
                "title": entry.display_title,
                "category": entry.category,
                "hours": _hours(entry.hours),
                "status": entry.status,
            }
            for entry in summary.counted_entries
        ],
    }


def content_digest(trainee: Trainee, content: dict) -> str:
    """Changes when anything the statement states changes, the holder's full name and ID included."""
    holder = f"{trainee.name}|{trainee.id_number}"
    return hashlib.sha256(canonical_json({**content, "holder": holder}).encode("utf-8")).hexdigest()


def _valid_statement(trainee_id: int, year: int) -> Statement | None:
    return db.session.scalar(
        db.select(Statement).where(
            Statement.trainee_id == trainee_id, Statement.year == year, Statement.status == StatementStatus.VALID
        )
    )


def check_statement_year(year: int, *, now: datetime) -> None:
    """A statement covers a year that has begun (this year so far, or a past one): 404 otherwise."""
    if not FIRST_YEAR <= year <= local_date(now).year:
        raise NotFound()


def current_statement(actor, trainee: Trainee, year: int, *, signer: Signer, now: datetime) -> Statement:
    """The trainee's valid statement of `year`, issued now if there is none or if the year's
    ledger, requirement or the holder's name changed since (the old one becomes superseded).
    Refuses (404) a year that has not begun. Flushes; the caller commits."""
    check_statement_year(year, now=now)
    content = statement_content(trainee, hours_summary(trainee, year))
    digest = content_digest(trainee, content)
    current = _valid_statement(trainee.id, year)
    if current is not None and current.content_sha256 == digest:
        return current
    try:
        with db.session.begin_nested():
            if current is not None:
                current.status, current.superseded_at = StatementStatus.SUPERSEDED, now
                db.session.flush()
            issued = _issue(trainee, content, digest, signer=signer, now=now)
    except IntegrityError:  # a simultaneous request issued it first: answer that one
        winner = _valid_statement(trainee.id, year)
        if winner is None:
            raise
        return winner
    record_signing_key(signer, now)
    after = {"number": issued.number, "year": year, "total": content["totals"]["total"]}
    if current is not None:
        after["superseded"] = current.number
    audit(actor, "statement.issue", issued, now=now, after=after, bureau_id=trainee.rules_bureau_id)
    return issued


def _issue(trainee: Trainee, content: dict, digest: str, *, signer: Signer, now: datetime) -> Statement:
    year = content["year"]
    number = statement_number(year, _next_sequence(year))
    issued_on = local_date(now)
    payload = canonical_json(
        {
            **content,
            "v": PAYLOAD_VERSION,
            "kid": signer.key_id,
            "number": number,
            "issued_on": issued_on.isoformat(),
            "holder_sha256": holder_digest(number, trainee.name, trainee.id_number),
        }
    )
    statement = Statement(
        number=number,
        check_code=new_check_code(),
        trainee_id=trainee.id,
        holder_name=trainee.name,
        year=year,
        total_public=content["totals"]["public"],
        total_professional=content["totals"]["professional"],
        required_public=content["required"]["public"],
        required_professional=content["required"]["professional"],
        content_sha256=digest,
        payload=payload,
        signature=signer.sign(payload),
        key_id=signer.key_id,
        issued_on=issued_on,
        issued_at=now,
        status=StatementStatus.VALID,
    )
    db.session.add(statement)
    db.session.flush()
    return statement


def find_statement(number: str, code: str | None) -> Statement | None:
    """The statement with this number and check code; a wrong code is the same as no statement."""
    statement = db.session.scalar(db.select(Statement).where(Statement.number == (number or "").strip()))
    given = normalize_check_code(code)
    if statement is None or not given:
        return None
    if not hmac.compare_digest(statement.check_code.encode(), given.encode()):
        return None
    return statement


def statement_years(trainee: Trainee) -> list[int]:
    """The years the trainee has statements of, latest first."""
    query = db.select(Statement.year).where(Statement.trainee_id == trainee.id).distinct()
    return list(db.session.scalars(query.order_by(Statement.year.desc())))
