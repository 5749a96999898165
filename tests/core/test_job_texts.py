"""The sysadmin home names each job and says what its last run did in the page's language
(issue 15: it showed `finalize_courses`, `finalised 0 course(s)`, `alive`)."""

from basesys.core.jobs import _record_run
from tests.conftest import at

RESULTS = {
    "heartbeat": "alive",
    "finalize_courses": "finalised 2 course(s): [3, 4]; failed [5]",
    "roster_reminders": "opened 1, reminded 2, e-mailed 2, e-mail failed 1",
    "detect_anomalies": "found 3, added 1, changed 0, removed 2",
    "certificate_notices": "error: database is locked",
    "some_new_job": "frobbed 7",
}


def _jobs_table(text: str) -> str:
    return text[text.rindex("<table") :]  # the scheduler's table closes the home page


def test_the_sysadmin_home_shows_jobs_and_results_in_chinese(app, db, client, tenants, login):
    for name, result in RESULTS.items():
        _record_run(name, at("2025-06-10", "09:00"), result)
    login(tenants.sysadmin)
    table = _jobs_table(client.get("/").text)
    for expected in [
        "调度心跳",
        "运行正常",
        "已结束培训项目自动结业",
        "结业 2 个培训项目（编号 3, 4）；结业失败的培训项目（编号 5）",
        "学员名单报送提醒",
        "新建学员名单 1 份；发出提醒 2 条；发送邮件 2 封；邮件发送失败 1 封",
        "发现 3 条；新增 1 条；变更 0 条；消除 2 条",
        "运行失败：database is locked",
        "some_new_job",  # a job nobody named yet keeps its code name and its own words
        "frobbed 7",
    ]:
        assert expected in table, expected
    for english in ("finalize_courses", "finalised", "alive", "e-mailed", "heartbeat"):
        assert english not in table, english


def test_the_english_locale_keeps_english_job_texts(app, db, client, tenants, login):
    _record_run("finalize_courses", at("2025-06-10", "09:00"), "finalised 0 course(s)")
    _record_run("heartbeat", at("2025-06-10", "09:00"), "alive")
    login(tenants.sysadmin)
    client.get("/lang/en")
    table = _jobs_table(client.get("/").text)
    assert "Finalise ended courses" in table and "0 course(s) finalised" in table
    assert "Scheduler heartbeat" in table and "Alive" in table
