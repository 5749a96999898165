"""The audit log as the bureau reads it (DOMAIN.md §12): scoped, filtered, searched by subject keys,
one page at a time in a constant number of statements, and streamed into an XLSX export.

Scope: an officer sees the records of the bases in its bureau subtree and of those bureaus; a base
admin its own base's; sysadmin all (SQL clauses of accounts.scope, never a set of ids in Python).
Search (`q`): exact ID, filing and certificate numbers, and names and titles by prefix, through the
indexed `audit_key` rows (core.audit) — never a scan of the before/after JSON; and a word of the
sentences ("退回", "撤销") through the actions whose sentence holds it.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import CompoundSelect, func, or_, true, union, union_all
from sqlalchemy.orm import aliased

from basesys.accounts.models import Base, Bureau, Role, User
from basesys.accounts.scope import bureau_subtree, in_base_scope, in_bureau_scope
from basesys.core.audit import (
    EXACT_KINDS,
    PREFIX_KINDS,
    AuditKey,
    AuditRecord,
    normalize_key,
    normalize_text,
    prefix_end,
)
from basesys.core.audit_text import Entry, entry
from basesys.core.features import registry
from basesys.core.ids import normalize_code
from basesys.core.paging import few_keys, first_rows_per_key
from basesys.core.time import local_midnight
from basesys.extensions import db

# Counting a province's ten million records for a page header costs seconds: a total above this
# reads "10000+" (and the pages stop there; narrow the filters to go further back).
COUNT_CAP = 10_000
# An export holds at most this many records (the newest); the last row says when there were more.
EXPORT_MAX_ROWS = 100_000


@dataclass
class AuditFilters:
    q: str = ""
    object_type: str | None = None
    base_id: int | None = None
    since: date | None = None
    until: date | None = None
    actor: str = ""  # a username, or an account's full name


@dataclass
class AuditPage:
    entries: list[Entry]
    total: int
    capped: bool
    page: int
    size: int


def scope_clauses(user) -> list:
    """The record is in scope if any of these holds: its base is in the user's scope, or its bureau
    is. Each clause is read on its own (an index each) and the matches united: an OR of the two
    IN-subqueries left the planner a filter per record, and it read a county's whole log."""
    if user.role == Role.SYSADMIN:
        return [true()]
    if user.role == Role.BUREAU_OFFICER and user.bureau_id is not None:
        tree = bureau_subtree(user.bureau_id)
        bases = db.select(Base.id).where(Base.bureau_id.in_(tree))
        return [AuditRecord.bureau_id.in_(tree), AuditRecord.base_id.in_(bases)]
    return [or_(in_base_scope(user, AuditRecord.base_id), in_bureau_scope(user, AuditRecord.bureau_id))]


def subject_kinds() -> list[tuple[str, str]]:
    """(object type, noun) of every declared subject, for the filter's choices."""
    return [(kind, subject.noun) for kind, subject in registry().audit_subjects.items()]


def matching_records(q: str):
    """SELECT of the ids of records whose subject keys match what was typed: a whole ID, filing,
    certificate number or username, or the start of a trainee's name, a course's title, … Two
    indexed reads as a UNION ALL (an OR of the two hid from the planner how few keys match, and it
    walked the whole log checking each record's keys instead)."""
    code, text = normalize_key(EXACT_KINDS[0], q), normalize_key(PREFIX_KINDS[0], q)
    exact = db.select(AuditKey.record_id).where(AuditKey.kind.in_(EXACT_KINDS), AuditKey.value == code)
    if not text:
        return exact
    prefix = db.select(AuditKey.record_id).where(
        AuditKey.kind.in_(PREFIX_KINDS), AuditKey.value >= text, AuditKey.value < prefix_end(text)
    )
    return union_all(exact, prefix)


# A word shorter than this ("了", "的") is in nearly every sentence: it searches subject keys only.
ACTION_WORD_MIN = 2


def matching_actions(q: str) -> list[str]:
    """The actions whose sentence contains what was typed ("退回" finds every 退回了…): searched in
    the registry's few dozen sentences, so the records are then found by their indexed action."""
    word = normalize_text(q)
    if len(word) < ACTION_WORD_MIN:
        return []
    found = []
    for action, template in registry().audit_actions.items():
        plain = re.sub(r"\{[^}]*\}", " ", template)  # the sentence without its {subject} and values
        if any(word in normalize_text(part) for part in plain.split()):
            found.append(action)
    return sorted(found)


def _branches(select):
    """The SELECTs of a UNION ALL (to add one more), or the one SELECT."""
    return list(select.selects) if isinstance(select, CompoundSelect) else [select]


def _actor_ids(actor: str):
    name = actor.strip()
    return db.select(User.id).where(
        or_(User.username == normalize_code(name), User.username == name, User.display_name == name)
    )


def conditions(filters: AuditFilters) -> list:
    """The filters' WHERE clauses (the scope is `scope_clauses`)."""
    found = []
    if filters.object_type:
        found.append(AuditRecord.object_type == filters.object_type)
    if filters.base_id:
        found.append(AuditRecord.base_id == filters.base_id)
    if filters.since:
        found.append(AuditRecord.at >= local_midnight(filters.since))
    if filters.until:
        found.append(AuditRecord.at < local_midnight(filters.until + timedelta(days=1)))
    if filters.q.strip():
        matching, actions = matching_records(filters.q), matching_actions(filters.q)
        if actions:  # one set of ids (a union of indexed reads), not an OR the planner must scan for
            by_action = db.select(AuditRecord.id).where(AuditRecord.action.in_(actions))
            matching = union_all(*_branches(matching), by_action)
        found.append(AuditRecord.id.in_(matching))
    if filters.actor.strip():
        found.append(AuditRecord.actor_id.in_(_actor_ids(filters.actor)))
    return found


NEWEST_FIRST = (AuditRecord.at.desc(), AuditRecord.id.desc())


def _officer_keys(user) -> list[tuple] | None:
    """An officer's scope clauses as (column, SELECT of its keys): the records of the bureaus of
    the subtree, and those of their bases."""
    if user.role != Role.BUREAU_OFFICER or user.bureau_id is None:
        return None
    tree = bureau_subtree(user.bureau_id)
    return [(AuditRecord.bureau_id, tree), (AuditRecord.base_id, db.select(Base.id).where(Base.bureau_id.in_(tree)))]


def matching(user, filters: AuditFilters, limit: int):
    """Subquery (id, at) of the newest `limit` records in scope that pass the filters: per scope
    clause its newest `limit`, united (a record in scope twice counts once). Unsearched, a clause of
    a few keys (a county's bases, its one bureau) is read key by key (`core.paging.first_rows_per_key`)."""
    where = conditions(filters)
    # A search or an actor is a selective condition of its own: then one IN list per clause, not
    # the search repeated for every key.
    searched = bool(filters.q.strip() or filters.actor.strip())
    keyed = None if searched else _officer_keys(user)
    if keyed is None:
        branches = [
            db.select(AuditRecord.id, AuditRecord.at).where(clause, *where).order_by(*NEWEST_FIRST).limit(limit)
            for clause in scope_clauses(user)
        ]
    else:
        branches = []
        for column, keys_query in keyed:
            keys = few_keys(keys_query)
            if keys is None:
                branches.append(
                    db.select(AuditRecord.id, AuditRecord.at)
                    .where(column.in_(keys_query), *where)
                    .order_by(*NEWEST_FIRST)
                    .limit(limit)
                )
            else:
                per_key = first_rows_per_key(
                    (AuditRecord.id, AuditRecord.at), column, keys, tuple(where), NEWEST_FIRST, limit
                )
                branches.append(db.select(per_key.c.id, per_key.c.at))
    if len(branches) == 1:
        return branches[0].subquery()
    wrapped = [db.select(b.c.id, b.c.at).select_from(b) for b in (branch.subquery() for branch in branches)]
    return union(*wrapped).subquery()


def _rows(found):
    """The records of `found` with their actor and the actor's bureau or base name, newest first
    (one statement)."""
    actor_bureau, actor_base = aliased(Bureau), aliased(Base)
    return (
        db.select(AuditRecord, User, func.coalesce(actor_bureau.name, actor_base.name))
        .join(found, found.c.id == AuditRecord.id)
        .outerjoin(User, User.id == AuditRecord.actor_id)
        .outerjoin(actor_bureau, actor_bureau.id == User.bureau_id)
        .outerjoin(actor_base, actor_base.id == User.base_id)
        .order_by(*NEWEST_FIRST)
    )


def _capped_count(found) -> int:
    return db.session.scalar(db.select(func.count()).select_from(found)) or 0


def count(user, filters: AuditFilters) -> tuple[int, bool]:
    """The number of matching records, up to COUNT_CAP, and whether there are more: one scope
    clause past the cap settles it (a province's log), else the union is counted (both small)."""
    where, clauses = conditions(filters), scope_clauses(user)
    for clause in clauses:
        alone = _capped_count(db.select(AuditRecord.id).where(clause, *where).limit(COUNT_CAP + 1).subquery())
        if alone > COUNT_CAP:
            return COUNT_CAP, True
    total = alone if len(clauses) == 1 else _capped_count(matching(user, filters, COUNT_CAP + 1))
    return min(total, COUNT_CAP), total > COUNT_CAP


def audit_page(user, filters: AuditFilters, page: int = 1, size: int = 50, *, links: bool = True) -> AuditPage:
    """One page of the log in scope: two statements whatever the page size."""
    total, capped = count(user, filters)
    page = max(1, min(page, (COUNT_CAP + size - 1) // size))
    found = matching(user, filters, page * size)
    # The page's ids first, on the narrow (id, at) rows: joining every found record to its actor
    # before the OFFSET read page × size records whole (a county's page 20: 8,000 for 50).
    listed = (
        db.select(found.c.id, found.c.at)
        .order_by(found.c.at.desc(), found.c.id.desc())
        .limit(size)
        .offset((page - 1) * size)
        .subquery()
    )
    rows = db.session.execute(_rows(listed)).all()
    entries = [entry(record, actor, org, links=links) for record, actor, org in rows]
    return AuditPage(entries, total, capped, page, size)


def stream_entries(user, filters: AuditFilters, limit: int = EXPORT_MAX_ROWS) -> Iterator[Entry]:
    """The matching records, newest first, read in batches (constant memory), at most `limit`."""
    query = _rows(matching(user, filters, limit)).execution_options(yield_per=1000)
    for record, actor, org in db.session.execute(query):
        yield entry(record, actor, org, links=False)


def base_in_scope(user, base_id: int) -> bool:
    return db.session.scalar(db.select(Base.id).where(Base.id == base_id, in_base_scope(user, Base.id))) is not None
