"""The projector's countdown in a real browser (issue 15): never "0 秒" beside a fresh code, and the
short address of the code page written big enough to read from the back of a hall.

The live server's clock is frozen one second before the code changes; the test moves it on."""

from datetime import timedelta

import pytest

from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD, at

# What the countdown line shows each time the code on the screen changes, and every second shown.
WATCH = """() => {
  window.seen = [];
  window.atNewCode = [];
  var line = document.getElementById("countdown-line");
  var code = document.getElementById("code");
  var last = code.textContent;
  var visible = function () { return line.innerText.trim(); };
  new MutationObserver(function () {
    if (code.textContent !== last) { last = code.textContent; window.atNewCode.push(visible()); }
  }).observe(code, {childList: true, characterData: true, subtree: true});
  new MutationObserver(function () { window.seen.push(visible()); })
    .observe(line, {childList: true, characterData: true, subtree: true, attributes: true});
}"""


@pytest.fixture
def hall_course(make_course, tenants, enroll):
    course = make_course(base=tenants.base_a, sessions=[(at("2025-06-02", "09:00"), at("2025-06-02", "12:00"))])
    enroll(course, tenants.trainee)
    return course


def test_countdown_restarts_with_the_new_code_and_never_shows_zero(page, hall_course, tenants, clock, live_server):
    clock.set(at("2025-06-02", "09:10") + timedelta(seconds=29))  # the 30-second code changes at 09:10:30
    browser_login(page, tenants.admin_a.username, PASSWORD)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"/attendance/sessions/{hall_course.sessions[0].id}/projector")
    page.wait_for_selector("#qr svg")
    first = page.locator("#code").inner_text()
    assert page.locator("#countdown").inner_text() in ("1", "2")  # 1 s to go (and the page's 150 ms margin)
    page.evaluate(WATCH)
    # The second runs out while the server still issues the same code: "new code coming", not 0.
    page.wait_for_function("() => document.getElementById('countdown-line').dataset.state === 'renewing'")
    clock.advance(seconds=2)  # 09:10:31: the next code, 29 s to go
    page.wait_for_function(f"() => document.getElementById('code').textContent !== '{first}'", timeout=10000)
    at_new_code = page.evaluate("() => window.atNewCode")
    # the fresh code's own seconds at once (29 s and the page's 150 ms margin), not the old "0" or "1"
    assert at_new_code in (["距离更换二维码 29 秒"], ["距离更换二维码 30 秒"]), at_new_code
    seen = page.evaluate("() => window.seen")
    assert "正在更换二维码…" in seen and not [text for text in seen if text.startswith("距离更换二维码 0 ")], seen

    address = page.locator("#code-address")
    assert address.inner_text() == live_server.url.split("://")[1] + "/c"
    assert float(address.evaluate("el => getComputedStyle(el).fontSize").removesuffix("px")) >= 40  # at 1080p
