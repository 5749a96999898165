"""The scanner page offline, in real Chromium (DOMAIN §6 "Staff scan and offline check-in").

The network really goes: the context is set offline (the page's fetches fail, `navigator.onLine`
is false) AND the test's own server is stopped, because Playwright's offline switch does not reach
the service worker's fetches. The QR codes are real: each trainee's personal code is rendered as a
PNG here (python qrcode) and read by the page's vendored decoder (`basesysScanner.decodeImage`).
"""

import base64
import io
import json
import threading
from datetime import datetime, timedelta

import pytest
import qrcode
from werkzeug.serving import WSGIRequestHandler, make_server

from basesys.attendance.models import Attendance
from basesys.attendance.services import checkin_code
from basesys.core.policy import DEFAULT_POLICY
from basesys.core.time import now_utc
from tests.browser.conftest import WECHAT_UA, browser_login
from tests.conftest import PASSWORD

OFFLINE_MINUTES = 12  # how long the hall stays without a network, by the device's clock


class _OneRequestPerConnection(WSGIRequestHandler):
    # No keep-alive: once the server is stopped, no open connection can still answer.
    protocol_version = "HTTP/1.0"


class StoppableServer:
    """The app on a fixed port that the test can take away (connection refused) and bring back."""

    def __init__(self, app):
        self.app = app
        self.port = None
        self.server = None
        self.start()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self):
        self.server = make_server(
            "127.0.0.1", self.port or 0, self.app, threaded=True, request_handler=_OneRequestPerConnection
        )
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hall_server(app, db, _csrf_on):
    server = StoppableServer(app)
    old_base = app.config["BASE_URL"]
    app.config["BASE_URL"] = server.url
    try:
        yield server
    finally:
        server.stop()
        app.config["BASE_URL"] = old_base


@pytest.fixture
def scanner_context(browser, hall_server):
    """The base admin's phone (WeChat's user agent), whose clock runs three minutes slow."""
    context = browser.new_context(
        base_url=hall_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=WECHAT_UA,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.clock.install(time=datetime.now().astimezone() - timedelta(minutes=3))
    yield context
    context.close()


def qr_data_url(text: str) -> str:
    buffer = io.BytesIO()
    qrcode.make(text, border=4, box_size=8).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def hall(make_course, make_trainee, tenants, enroll):
    """A session that started 20 minutes ago (the real clock: the live server reads it), 4 enrolled."""
    start = now_utc() - timedelta(minutes=20)
    course = make_course(base=tenants.base_a, sessions=[(start, start + timedelta(hours=2))], title="安全生产培训")
    trainees = [tenants.trainee, make_trainee(name="赵一"), make_trainee(name="钱二"), make_trainee(name="孙三")]
    enroll(course, *trainees)
    return course, trainees


def personal_qr(trainee) -> str:
    return qr_data_url(checkin_code(trainee, now=now_utc(), policy=DEFAULT_POLICY).code)


def go_offline(context, server):
    context.set_offline(True)
    server.stop()


def go_online(context, server):
    server.start()
    context.set_offline(False)


def pending(page) -> str:
    return page.locator("#pending").inner_text()


def wait_uploaded(page):
    page.wait_for_function("() => document.getElementById('pending').dataset.count === '0'", timeout=20000)


def open_scanner(page, course_session):
    page.goto(f"/attendance/scanner/{course_session.id}")
    page.wait_for_function("() => window.basesysScanner && window.basesysScanner.isOfflineReady()", timeout=20000)


def test_offline_scans_survive_a_reload_and_are_stored_once(
    scanner_context, hall_server, hall, tenants, screenshot, db
):
    course, trainees = hall
    course_session = course.sessions[0]
    outsider = tenants.other_trainee  # not enrolled: the server refuses, the page shows it
    page = scanner_context.new_page()
    browser_login(page, tenants.admin_a.username, PASSWORD)
    open_scanner(page, course_session)
    sent = []
    page.on("request", lambda r: sent.append((now_utc(), json.loads(r.post_data))) if "staff-scans" in r.url else None)

    go_offline(scanner_context, hall_server)
    assert page.evaluate("() => navigator.onLine") is False
    for trainee in [*trainees[:3], outsider]:
        found = page.evaluate("(url) => window.basesysScanner.decodeImage(url)", personal_qr(trainee))
        assert found["text"].startswith("K1-") and found["outcome"]["kind"] == "queued"
        assert page.locator("#result").get_attribute("data-kind") == "queued"
        assert "已记录，待上传" in page.locator("#result").inner_text()
    page.fill("#id-number", trainees[3].id_number)
    page.click("#typed button[type=submit]")
    page.wait_for_function("() => document.getElementById('pending').dataset.count === '5'")
    assert pending(page) == "5 条待上传"
    screenshot(page, "scanner-offline-queued")

    page.reload()  # still offline: the service worker answers with the cached page, the queue is on the device
    page.wait_for_function("() => window.basesysScanner")
    page.evaluate("() => window.basesysScanner.started")
    assert pending(page) == "5 条待上传"
    assert page.locator("#net").get_attribute("data-online") == "no"
    assert page.locator("#scans li").count() == 5

    scanner_context.clock.fast_forward(f"{OFFLINE_MINUTES:02d}:00")  # the hall stays offline a while
    assert sent == []
    go_online(scanner_context, hall_server)
    wait_uploaded(page)
    assert len(sent) == 1 and len(sent[0][1]["scans"]) == 5  # one batch (≤ 100)
    log = page.locator("#sync-log li").first.inner_text()
    assert "上传 5 条" in log and "成功 4" in log and "拒绝 1" in log
    screenshot(page, "scanner-uploaded")

    received_at, batch = sent[0]
    sent_at = datetime.fromisoformat(batch["sent_at"])
    db.session.rollback()  # the live server committed since
    rows = {
        r.trainee_id: r
        for r in db.session.scalars(db.select(Attendance).where(Attendance.session_id == course_session.id))
    }
    assert set(rows) == {t.id for t in trainees}  # each stored once; the outsider refused
    number_to_id = {t.id_number: t.id for t in trainees}
    scanned = {}  # trainee id → the device's time of the scan
    for scan in batch["scans"]:
        trainee_id = number_to_id.get(scan.get("id_number")) or int(scan.get("code", "K1-0").split("-")[1])
        scanned[trainee_id] = datetime.fromisoformat(scan["scanned_at"])
    for trainee in trainees:
        row = rows[trainee.id]
        scanned_at = scanned[trainee.id]
        expected = scanned_at + (received_at - sent_at)  # the device's clock, corrected at sending
        assert abs((row.check_in_at - expected).total_seconds()) < 5, (trainee.name, row.check_in_at, expected)
        assert row.check_in_at < received_at - timedelta(minutes=OFFLINE_MINUTES - 1)
        assert row.check_in_via == "offline"
    records = page.evaluate("() => window.basesysScanner.records()")
    refused = [r for r in records if r["result"]["result"] == "refused"]
    assert len(refused) == 1 and refused[0]["result"]["error"]["code"] == "not_enrolled"
    assert all(r["state"] == "done" and not r["result"]["replayed"] for r in records)

    # Resending the same scans (same client ids) stores nothing new: every answer is replayed.
    stored = {t: (r.check_in_at, r.updated_at) for t, r in rows.items()}
    assert page.evaluate("(ids) => window.basesysScanner.requeue(ids)", [r["client_id"] for r in records]) == 5
    page.evaluate("() => window.basesysScanner.sync()")
    wait_uploaded(page)
    assert len(sent) == 2 and [s["client_id"] for s in sent[1][1]["scans"]] == [s["client_id"] for s in batch["scans"]]
    assert "此前已上传 5" in page.locator("#sync-log li").first.inner_text()
    again = page.evaluate("() => window.basesysScanner.records()")
    assert all(r["result"]["replayed"] for r in again)
    db.session.rollback()
    rows = list(db.session.scalars(db.select(Attendance).where(Attendance.session_id == course_session.id)))
    assert len(rows) == 4 and {r.trainee_id: (r.check_in_at, r.updated_at) for r in rows} == stored


def test_online_scan_answers_with_the_trainees_name_and_a_repeat_is_amber(
    scanner_context, hall_server, hall, tenants, db
):
    course, trainees = hall
    page = scanner_context.new_page()
    browser_login(page, tenants.admin_a.username, PASSWORD)
    open_scanner(page, course.sessions[0])
    code = personal_qr(trainees[1])
    page.evaluate("(url) => window.basesysScanner.decodeImage(url)", code)
    page.wait_for_function("() => document.getElementById('result').dataset.kind === 'checked_in'", timeout=20000)
    assert "签到成功" in page.locator("#result").inner_text() and "赵一" in page.locator("#result").inner_text()
    page.evaluate("(url) => window.basesysScanner.decodeImage(url)", code)
    assert page.locator("#result").get_attribute("data-kind") == "already_checked_in"  # at once, before the server
    wait_uploaded(page)
    assert page.locator("#result").get_attribute("data-kind") == "already_checked_in"
    page.click(".scanner-purpose button[data-purpose=out]")
    page.evaluate("(url) => window.basesysScanner.decodeImage(url)", code)
    page.wait_for_function("() => document.getElementById('result').dataset.kind === 'checked_out'", timeout=20000)
    assert "签退成功" in page.locator("#result").inner_text()
    db.session.rollback()
    row = db.session.scalar(db.select(Attendance).where(Attendance.trainee_id == trainees[1].id))
    assert row.check_in_at is not None and row.check_out_at is not None


def test_mistyped_id_numbers_and_projector_codes_are_refused_on_the_device(scanner_context, hall_server, hall, tenants):
    course, trainees = hall
    page = scanner_context.new_page()
    browser_login(page, tenants.admin_a.username, PASSWORD)
    open_scanner(page, course.sessions[0])
    wrong = trainees[0].id_number[:17] + ("0" if trainees[0].id_number[17] != "0" else "1")
    page.fill("#id-number", wrong)
    page.click("#typed button[type=submit]")
    assert page.locator("#result").get_attribute("data-kind") == "refused"
    assert "校验位不正确" in page.locator("#result").inner_text()
    page.evaluate("(url) => window.basesysScanner.decodeImage(url)", qr_data_url(f"{hall_server.url}/q/1i2.abc"))
    assert "请扫描学员的个人签到码" in page.locator("#result").inner_text()
    assert page.locator("#pending").get_attribute("data-count") == "0"  # nothing queued


def test_logged_out_device_keeps_its_queue_until_the_admin_logs_in_again(
    scanner_context, hall_server, hall, tenants, db
):
    course, trainees = hall
    page = scanner_context.new_page()
    browser_login(page, tenants.admin_a.username, PASSWORD)
    open_scanner(page, course.sessions[0])
    go_offline(scanner_context, hall_server)
    page.evaluate("(url) => window.basesysScanner.decodeImage(url)", personal_qr(trainees[2]))
    assert pending(page) == "1 条待上传"
    scanner_context.clear_cookies()  # the login is gone (expired, or logged out elsewhere)
    go_online(scanner_context, hall_server)
    page.wait_for_selector("#relogin:not([hidden])", timeout=20000)
    assert "请重新登录后上传" in page.locator("#relogin").inner_text()
    assert pending(page) == "1 条待上传"
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Attendance)) == 0

    browser_login(page, tenants.admin_a.username, PASSWORD)
    open_scanner(page, course.sessions[0])
    wait_uploaded(page)
    db.session.rollback()
    assert db.session.scalar(db.select(Attendance.trainee_id)) == trainees[2].id


def write_y4m(path, png_data_url: str, size=(640, 480), frames=10) -> None:
    """A fake camera's video (Chromium reads Y4M): the QR image centred on grey, in greyscale."""
    from PIL import Image

    raw = base64.b64decode(png_data_url.split(",", 1)[1])
    code = Image.open(io.BytesIO(raw)).convert("L")
    code.thumbnail((size[1] - 40, size[1] - 40))
    frame = Image.new("L", size, 200)
    frame.paste(code, ((size[0] - code.width) // 2, (size[1] - code.height) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (size[0] // 2 * size[1] // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{size[0]} H{size[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma + chroma + chroma)


def test_the_camera_reads_a_trainees_code(browser, hall_server, hall, tenants, tmp_path, db):
    """getUserMedia on Chromium's fake camera, which films a trainee's personal code."""
    from tests.browser.conftest import CHROMIUM_ARGS, chromium_path

    course, trainees = hall
    video = tmp_path / "camera.y4m"
    write_y4m(video, personal_qr(trainees[0]))
    camera = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    # A browser of its own: the fake camera is a launch flag (the same Playwright, Debian's chromium).
    filming = browser.browser_type.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS + camera, headless=True)
    try:
        context = filming.new_context(base_url=hall_server.url, locale="zh-CN", permissions=["camera"])
        page = context.new_page()
        browser_login(page, tenants.admin_a.username, PASSWORD)
        open_scanner(page, course.sessions[0])
        page.click("#camera-start")
        page.wait_for_function("() => document.getElementById('result').dataset.kind === 'checked_in'", timeout=20000)
        assert trainees[0].name in page.locator("#result").inner_text()
        page.wait_for_timeout(1500)  # the code stays in front of the camera: still one scan
        records = page.evaluate("() => window.basesysScanner.records()")
        assert len(records) == 1 and records[0]["code"].startswith(f"K1-{trainees[0].id}-")
        page.click("#camera-stop")
    finally:
        filming.close()
    db.session.rollback()
    assert db.session.scalar(db.select(Attendance.trainee_id)) == trainees[0].id
