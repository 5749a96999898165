"""The audit log for people (DOMAIN.md §12): each record as a Chinese sentence with a link to its
subject, and its field changes with Chinese labels and readable values.

core knows no feature: each feature declares, in its `Feature`,
- `audit_subjects`: per object type, how its objects are described (`AuditSubject`: the keys kept
  with each record, how the subject reads in a sentence, the link to its page);
- `audit_actions`: per action, the sentence (`"退回了{subject}的备案"`); the actor and the reason
  are added around it: "枣庄市人社局 张三 退回了「…」的备案：培训对象不明确";
- `audit_fields`: per object type, the label and the readable values of its before/after fields.
An action or field nobody declared still reads as a sentence (`FALLBACK`), never as raw JSON.
"""

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from basesys.core.features import registry
from basesys.core.ids import mask_id_number
from basesys.core.time import LOCAL_TZ

FALLBACK = "对{subject}执行了操作（{action}）"
SYSTEM = "系统"


@dataclass(frozen=True)
class AuditField:
    """A before/after field: its label; `values` maps stored values to words, or `show` formats
    one; `hidden` fields (ids the sentence already names) are not listed as changes."""

    label: str
    values: Mapping | None = None
    show: Callable | None = None
    hidden: bool = False


@dataclass(frozen=True)
class AuditSubject:
    """An object type as the log names it. `keys(obj)` → {kind: text}: the searchable kinds of
    core.audit (course_title, trainee_name, id_number, …) and any other values the sentence or the
    link needs (course_id …). `name` is a template over those keys; `link(object_id, keys)` → URL
    (called in a request), or None."""

    noun: str
    keys: Callable[[object], dict]
    name: str
    link: Callable[[int | None, dict], str | None] | None = None


@dataclass
class Part:
    text: str
    url: str | None = None


@dataclass
class Change:
    field: str
    label: str
    before: str | None
    after: str | None


@dataclass
class Entry:
    """One record as people read it."""

    record: object
    actor: str
    parts: list[Part]
    changes: list[Change] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts)


class _Blank(dict):
    """Template values: a missing one reads as nothing, never as a KeyError."""

    def __missing__(self, key):
        return _Blank() if key in ("before", "after") else ""

    def __format__(self, spec):
        return ""


def _fill(template: str, values: Mapping) -> str:
    try:
        return string.Formatter().vformat(template, (), values)
    except (IndexError, ValueError, AttributeError):
        return template


def _plain(value) -> str | None:
    """A stored value as text: yes/no, local times, lists joined, numbers without a stray `.0`."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "、".join(filter(None, (_plain(v) for v in value))) or None
    if isinstance(value, dict):
        return "；".join(f"{k}：{_plain(v)}" for k, v in value.items() if _plain(v))
    if isinstance(value, str) and len(value) > 18 and value[10:11] == "T":
        try:
            return datetime.fromisoformat(value).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def readable(spec: AuditField | None, value) -> str | None:
    if spec is not None and spec.show is not None and value not in (None, ""):
        return spec.show(value)
    if spec is not None and spec.values and isinstance(value, str | bool | int) and value in spec.values:
        return spec.values[value]
    return _plain(value)


def changes_of(record) -> list[Change]:
    """The fields the record changed (or set, or cleared), labelled, in the order they were written."""
    before, after = record.before or {}, record.after or {}
    fields = registry().audit_fields.get(record.object_type, {})
    names = list(dict.fromkeys([*before, *after]))
    found = []
    for name in names:
        spec = fields.get(name)
        if spec is not None and spec.hidden:
            continue
        old, new = readable(spec, before.get(name)), readable(spec, after.get(name))
        if name in before and name in after and old == new:
            continue
        found.append(Change(name, spec.label if spec else name, old, new))
    return found


def actor_text(user, org_name: str | None) -> str:
    """Who: the bureau's or base's name and the person ("枣庄市人社局 张三"), else the role
    ("系统管理员 admin"); the scheduler is 系统."""
    if user is None:
        return SYSTEM
    name = user.display_name or user.username
    if user.role == "trainee":
        return f"学员 {name}"
    return f"{org_name} {name}" if org_name else f"{user.role_label} {name}"


def _subject_values(record) -> dict:
    values = _Blank(record.subject or {})
    if values.get("id_number"):
        values["id_number"] = mask_id_number(values["id_number"])
    for side in ("before", "after"):  # as words: 4.0 reads 4, True reads 是
        values[side] = _Blank({name: _plain(value) or "" for name, value in (getattr(record, side) or {}).items()})
    values["action"] = record.action
    return values


def subject_part(record, values: Mapping, *, links: bool) -> Part:
    subject = registry().audit_subjects.get(record.object_type)
    if subject is None:
        return Part(f"{record.object_type}（{record.object_id}）" if record.object_id else record.object_type)
    if not record.subject:  # written before subjects were kept
        return Part(f"{subject.noun}（编号 {record.object_id}）" if record.object_id else subject.noun)
    url = subject.link(record.object_id, record.subject) if links and subject.link else None
    return Part(_fill(subject.name, values), url)


def entry(record, user=None, org_name: str | None = None, *, links: bool = True) -> Entry:
    """The record as a sentence: actor, the action's text around its linked subject, the reason."""
    actor = actor_text(user, org_name)
    template = registry().audit_actions.get(record.action, FALLBACK)
    values = _subject_values(record)
    head, _, tail = template.partition("{subject}")
    parts = [Part(f"{actor} " + _fill(head, values))]
    if _:
        parts.append(subject_part(record, values, links=links))
        parts.append(Part(_fill(tail, values)))
    if record.reason:
        parts.append(Part(f"：{record.reason}"))
    return Entry(record, actor, [p for p in parts if p.text], changes_of(record))
