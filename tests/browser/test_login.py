"""Every role logs in through a real browser and reaches its home page, in Chinese."""

import pytest

from tests.browser.conftest import browser_login
from tests.conftest import PASSWORD


@pytest.mark.parametrize("role", ["sysadmin", "bureau_officer", "base_admin", "trainee"])
def test_every_role_logs_in_to_its_home(page, tenants, screenshot, role):
    actor = {
        "sysadmin": tenants.sysadmin,
        "bureau_officer": tenants.officer_a,
        "base_admin": tenants.admin_a,
        "trainee": tenants.trainee,
    }[role]
    username = getattr(actor, "username", None) or actor.id_number
    browser_login(page, username, PASSWORD)
    assert page.url.endswith("/")
    assert page.locator("button", has_text="退出").count() == 1
    screenshot(page, f"home-{role}")


def test_wrong_password_is_refused_in_chinese(page, tenants):
    browser_login(page, tenants.sysadmin.username, "wrong-password")
    assert "用户名或密码错误" in page.content()


def test_chinese_text_renders_with_a_cjk_font(page, tenants, screenshot):
    page.goto("/login")
    # The page asks for the CJK font first; the browser must have it, with the glyphs of the page.
    assert page.evaluate("""() => document.fonts.check('16px "WenQuanYi Zen Hei"', '登录学员身份证号码')""")
    glyph_widths = page.evaluate("""() => {
        const c = document.createElement('canvas').getContext('2d');
        c.font = '32px "WenQuanYi Zen Hei"';
        return ['登', '录', '\\u4DB5'].map(ch => c.measureText(ch).width);
    }""")
    assert glyph_widths[0] > 20 and glyph_widths[1] > 20
    screenshot(page, "login-zh")


def test_trainee_registers_on_a_phone(phone_page, tenants, screenshot):
    from tests.conftest import valid_id_number

    number = valid_id_number()
    phone_page.goto("/register")
    phone_page.fill("input[name=id_number]", number)
    phone_page.fill("input[name=name]", "手机学员")
    phone_page.fill("input[name=phone]", "13912345678")
    phone_page.fill("input[name=password]", PASSWORD)
    phone_page.fill("input[name=confirm]", PASSWORD)
    screenshot(phone_page, "register-phone")
    phone_page.click("button[type=submit]")
    phone_page.wait_for_load_state()
    assert "您好，手机学员" in phone_page.content()
    # The layout fits the phone: nothing wider than the viewport.
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 390
