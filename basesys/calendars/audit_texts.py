"""How the audit log names a trainee's calendar feed (§12); the token itself is never logged."""

from basesys.accounts.audit_texts import trainee_keys
from basesys.core.audit_text import AuditSubject

SUBJECTS = {
    "calendarfeed": AuditSubject(
        "日历订阅", lambda feed: trainee_keys(feed.trainee), "{trainee_name}（{id_number}）的日历订阅链接"
    ),
}

ACTIONS = {
    "calendar_feed.created": "生成了{subject}",
    "calendar_feed.reset": "重置了{subject}（旧链接已失效）",
}
