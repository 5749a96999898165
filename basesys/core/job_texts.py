"""The sysadmin's words for the scheduler's jobs: each job's name and its last run's result.

Jobs return (and `job_run` stores) a short English line — "finalised 1 course(s): [12]",
"opened 0, reminded 2, e-mailed 2", "alive" — which logs and tests read. The sysadmin home showed
that line raw (issue 15); it now reads it through these phrases, translated in the page's locale,
so the English locale keeps the English. A part no phrase knows is shown as it is: a new job's
output is never hidden."""

import re

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

JOB_TITLES = {
    "heartbeat": _l("Scheduler heartbeat"),
    "finalize_courses": _l("Finalise ended courses"),
    "certificate_notices": _l("Certificate notices"),
    "checkout_reminders": _l("Check-out reminders"),
    "session_reminders": _l("Session reminders"),
    "roster_overdue": _l("Overdue rosters"),
    "roster_reminders": _l("Roster reminders"),
    "notification_emails": _l("Notification e-mails"),
    "detect_anomalies": _l("Anomaly detection"),
}

# One phrase per part of a result line ("<word> <n>" or "<word> [ids]"), its msgid taking %(n)s.
COUNT_PHRASES = {
    "finalised": _l("%(n)s course(s) finalised"),
    "notified": _l("%(n)s notified"),
    "reminded": _l("%(n)s reminded"),
    "e-mailed": _l("%(n)s e-mail(s) sent"),
    "e-mail failed": _l("%(n)s e-mail(s) failed"),
    "opened": _l("%(n)s roster(s) opened"),
    "overdue": _l("%(n)s marked overdue"),
    "found": _l("%(n)s found"),
    "added": _l("%(n)s added"),
    "changed": _l("%(n)s changed"),
    "removed": _l("%(n)s removed"),
}
WORDS = {"alive": _l("Alive"), "ok": _l("Done")}
FINALISED_SOME = _l("%(n)s course(s) finalised: %(ids)s")
_COUNT = re.compile(r"^(?P<word>[a-z][a-z -]*?) (?P<n>\d+)(?: course\(s\))?(?:: \[(?P<ids>[\d, ]*)\])?$")
_FAILED = re.compile(r"^failed \[(?P<ids>[\d, ]*)\]$")
_PARTS = re.compile(r"[;,](?![^\[]*\])")  # the commas of an id list "[3, 4]" do not split


def job_title(name: str) -> str:
    """The job's name in the page's language (its code name if it has none)."""
    title = JOB_TITLES.get(name)
    return str(title) if title is not None else name


def _part_text(part: str) -> str:
    if part in WORDS:
        return str(WORDS[part])
    count = _COUNT.match(part)
    if count and count["word"] in COUNT_PHRASES:
        if count["ids"] and count["word"] == "finalised":
            return str(FINALISED_SOME) % {"n": count["n"], "ids": count["ids"]}
        return str(COUNT_PHRASES[count["word"]]) % {"n": count["n"]}
    failed = _FAILED.match(part)
    if failed:
        return gettext("failed for courses %(ids)s", ids=failed["ids"])
    return part


def job_result_text(result: str | None) -> str:
    """A stored result line in the page's language: each known part translated, others kept."""
    result = (result or "").strip()
    if result.startswith("error:"):
        return gettext("Failed: %(error)s", error=result.removeprefix("error:").strip())
    parts = [part.strip() for part in _PARTS.split(result) if part.strip()]
    return gettext("; ").join(_part_text(p) for p in parts)
