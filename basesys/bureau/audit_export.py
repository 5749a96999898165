"""The filtered audit log as an XLSX file (DOMAIN.md §12), written row by row while the records
stream from the database: constant memory, linear time (core.spreadsheet.write_xlsx_stream)."""

import tempfile
from collections.abc import Iterator

from basesys.bureau.audit_log import EXPORT_MAX_ROWS, AuditFilters, stream_entries
from basesys.core.audit_text import Entry
from basesys.core.features import registry
from basesys.core.spreadsheet import write_xlsx_stream
from basesys.core.time import to_local

HEADER = ["时间", "操作人", "记录", "对象类型", "操作代码", "变更内容", "原因"]
# Files above this size go to disk while they are written.
SPOOL_BYTES = 8 * 1024 * 1024


def _changes(item: Entry) -> str:
    return "；".join(f"{c.label}：{c.before or '—'} → {c.after or '—'}" for c in item.changes)


def rows(user, filters: AuditFilters, *, limit: int = EXPORT_MAX_ROWS) -> Iterator[list]:
    """The header, then one row per record, newest first; a last row says when more were left out."""
    yield HEADER
    nouns = {kind: subject.noun for kind, subject in registry().audit_subjects.items()}
    for written, item in enumerate(stream_entries(user, filters, limit + 1)):
        if written == limit:
            yield [f"仅导出最新的 {limit} 条记录，请缩小筛选范围后再导出其余记录。"]
            return
        record = item.record
        at = to_local(record.at).strftime("%Y-%m-%d %H:%M:%S")
        noun = nouns.get(record.object_type, record.object_type)
        yield [at, item.actor, item.text, noun, record.action, _changes(item), record.reason or ""]


def export(user, filters: AuditFilters, *, limit: int = EXPORT_MAX_ROWS):
    """A file object (rewound) holding the XLSX of the filtered log."""
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 -- send_file closes it
    write_xlsx_stream(target, rows(user, filters, limit=limit), title="审计日志")
    target.seek(0)
    return target
