"""The append-only audit log (DOMAIN.md §12): services write it in the same transaction.

Each record carries its **subject**: what a person would call the object it is about (a course's
title and filing number, a trainee's name and ID number, a certificate's number), as the feature
owning the object type describes it (`Feature.audit_subjects`, core.audit_text). The subject is kept
twice: as JSON on the record, to write the record as a sentence without another query, and as
`audit_key` rows, indexed, so the log is found by what people type — never by scanning JSON.

Search keys on both databases: exact kinds (ID, filing, certificate numbers, usernames) are stored
as `core.ids.normalize_code` writes them and matched with `=`; names and titles are stored NFKC,
with collapsed spaces, case-folded, and matched by prefix as a range `value >= p AND value < p'`
(p' = p with its last character incremented). On PostgreSQL the column has the "C" collation, so
the range is a code-point range and the plain b-tree index (kind, value, record_id) serves it (no
text_pattern_ops needed, and `=` uses the same index); on SQLite text compares by bytes (BINARY),
which is code-point order for UTF-8, so the same range and the same index work there.
"""

import unicodedata
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from basesys.core.bulk import insert_rows
from basesys.core.features import registry
from basesys.core.ids import normalize_code
from basesys.core.time import UTCDateTime
from basesys.extensions import db

# Kinds of subject keys. Exact: matched whole; every other kind by prefix.
EXACT_KINDS = ("id_number", "filing_number", "certificate_number", "username")
PREFIX_KINDS = ("trainee_name", "course_title", "user_name", "base_name", "bureau_name")
KEY_KINDS = EXACT_KINDS + PREFIX_KINDS
KEY_LENGTH = 200

# Code-point order on both databases (see the module's docstring).
KeyText = String(KEY_LENGTH).with_variant(String(KEY_LENGTH, collation="C"), "postgresql")


class AuditRecord(db.Model):
    __tablename__ = "audit_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(60), nullable=False)
    object_type: Mapped[str] = mapped_column(String(40), nullable=False)
    object_id: Mapped[int | None]
    # Scope columns so a bureau or base sees exactly its own records (DOMAIN.md §1).
    base_id: Mapped[int | None] = mapped_column(ForeignKey("base.id"))
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureau.id"))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    # What the record is about, as written when it happened: {kind: text} (course_title, trainee_name, ...).
    subject: Mapped[dict | None] = mapped_column(JSON)

    keys: Mapped[list["AuditKey"]] = relationship(back_populates="record")

    __table_args__ = (
        Index("ix_audit_object", "object_type", "object_id"),
        Index("ix_audit_at", "at"),
        # The log of a scope, newest first, and of one actor.
        Index("ix_audit_base_at", "base_id", "at"),
        Index("ix_audit_bureau_at", "bureau_id", "at"),
        Index("ix_audit_actor_at", "actor_id", "at"),
        Index("ix_audit_action_at", "action", "at"),  # the search by a word of the sentences
    )


class AuditKey(db.Model):
    """One searchable key of a record's subject: (kind, normalised value)."""

    __tablename__ = "audit_key"

    record_id: Mapped[int] = mapped_column(ForeignKey("audit_record.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    value: Mapped[str] = mapped_column(KeyText, primary_key=True)

    record: Mapped[AuditRecord] = relationship(back_populates="keys")

    # Covering: the search reads record ids from the index alone.
    __table_args__ = (Index("ix_audit_key_lookup", "kind", "value", "record_id"),)


def normalize_text(raw: str | None) -> str:
    """A name or title as searched: NFKC, spaces collapsed, case-folded."""
    return " ".join(unicodedata.normalize("NFKC", raw or "").split()).casefold()


def normalize_key(kind: str, raw) -> str:
    text = normalize_code(str(raw)) if kind in EXACT_KINDS else normalize_text(str(raw))
    return text[:KEY_LENGTH]


def prefix_end(prefix: str) -> str:
    """The least string greater than every string starting with `prefix` (code-point order)."""
    for cut in range(len(prefix), 0, -1):
        last = ord(prefix[cut - 1])
        if last < 0x10FFFF:
            step = 0xE000 if 0xD800 <= last + 1 <= 0xDFFF else last + 1  # no lone surrogates
            return prefix[: cut - 1] + chr(step)
    return prefix + "\U0010ffff"


_LOOK_UP = object()  # describe_subject: find the feature's description in the registry


def actor_label(actor) -> str:
    if actor is None:
        return "system"
    return f"{actor.role}:{actor.username}"


def describe_subject(object_type: str, obj, subject=_LOOK_UP) -> dict | None:
    """The subject of `obj` as its feature describes it (Feature.audit_subjects), or None;
    `subject` is that description when the caller has looked it up already (audit_many)."""
    if obj is None:
        return None
    if subject is _LOOK_UP:
        subject = registry().audit_subjects.get(object_type)
    if subject is None:
        return None
    return {kind: value for kind, value in subject.keys(obj).items() if value not in (None, "")} or None


def key_pairs(subject: dict | None) -> list[tuple[str, str]]:
    """The indexed keys of a subject as (kind, value): its values of the searchable kinds,
    normalised, once each."""
    found: dict[tuple[str, str], None] = {}
    for kind, value in (subject or {}).items():
        if kind not in KEY_KINDS:
            continue
        normal = normalize_key(kind, value)
        if normal:
            found.setdefault((kind, normal), None)
    return list(found)


def search_keys(subject: dict | None) -> list["AuditKey"]:
    """The indexed keys of a subject, as rows of a new record."""
    return [AuditKey(kind=kind, value=value) for kind, value in key_pairs(subject)]


def audit(
    actor,
    action: str,
    obj=None,
    *,
    now: datetime,
    before=None,
    after=None,
    reason: str = "",
    base_id=None,
    bureau_id=None,
    object_type=None,
    object_id=None,
) -> AuditRecord:
    """Append one audit record, with its subject and search keys, to the current transaction
    (flushes nothing by itself)."""
    object_type = object_type or (type(obj).__name__.lower() if obj is not None else "system")
    subject = describe_subject(object_type, obj)
    record = AuditRecord(
        at=now,
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=object_id if object_id is not None else getattr(obj, "id", None),
        base_id=base_id,
        bureau_id=bureau_id,
        before=before,
        after=after,
        reason=reason or "",
        subject=subject,
        keys=search_keys(subject),
    )
    db.session.add(record)
    return record


def audit_many(
    actor,
    action: str,
    items: list[tuple[object, dict | None]],
    *,
    now: datetime,
    object_type: str | None = None,
    base_id=None,
    bureau_id=None,
):
    """`audit` for many objects of one type and one action at once (a chunk of finalisation's
    certificates, bounded by the caller): the records and their keys written as plain rows
    (`core.bulk.insert_rows`), no ORM object per record or per key. The objects are described by
    their feature as `audit` describes them; `object_type` names their type when they are not
    model instances (finalisation passes light records of the certificates it has just written)."""
    if not items:
        return
    object_type = object_type or type(items[0][0]).__name__.lower()
    actor_id, label = getattr(actor, "id", None), actor_label(actor)
    rows, keys_of = [], []
    description = registry().audit_subjects.get(object_type)
    for obj, after in items:
        subject = describe_subject(object_type, obj, description)
        keys_of.append(key_pairs(subject))
        rows.append(
            {
                "at": now,
                "actor_id": actor_id,
                "actor_label": label,
                "action": action,
                "object_type": object_type,
                "object_id": obj.id,
                "base_id": base_id,
                "bureau_id": bureau_id,
                "before": None,
                "after": after,
                "reason": "",
                "subject": subject,
            }
        )
    record_ids = insert_rows(AuditRecord.__table__, rows, ids=True)
    keys = [
        {"record_id": record_id, "kind": kind, "value": value}
        for record_id, pairs in zip(record_ids, keys_of, strict=True)
        for kind, value in pairs
    ]
    insert_rows(AuditKey.__table__, keys)


def history_of(object_type: str, object_id: int, *, actions: tuple[str, ...] | None = None) -> list[AuditRecord]:
    """The audit records of one object, oldest first: what every review page shows as its history
    (who submitted, approved or returned it, when, why). The log is the one record of these steps."""
    query = db.select(AuditRecord).where(AuditRecord.object_type == object_type, AuditRecord.object_id == object_id)
    if actions:
        query = query.where(AuditRecord.action.in_(actions))
    return list(db.session.scalars(query.order_by(AuditRecord.at, AuditRecord.id)))
