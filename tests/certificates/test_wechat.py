"""PDFs a trainee opens inside WeChat's browser (issue 12): inline there with a hint how to save,
a download in every other browser, as before."""

from tests.browser.conftest import WECHAT_UA

CHROME_UA = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"


def test_certificate_pdf_is_inline_in_wechat_and_a_download_elsewhere(client, login, finalized):
    login(finalized.trainee)
    url = f"/certificates/{finalized.certificate.number}.pdf"
    wechat = client.get(url, headers={"User-Agent": WECHAT_UA})
    assert wechat.status_code == 200 and wechat.mimetype == "application/pdf"
    assert wechat.headers["Content-Disposition"].startswith("inline;")
    assert "User-Agent" in wechat.headers["Vary"]
    other = client.get(url, headers={"User-Agent": CHROME_UA})
    assert other.headers["Content-Disposition"].startswith("attachment;")
    assert other.data.startswith(b"%PDF") and wechat.data.startswith(b"%PDF")


def test_hours_statement_pdf_is_inline_in_wechat(client, login, finalized):
    login(finalized.trainee)
    wechat = client.get("/me/hours.pdf?year=2025", headers={"User-Agent": WECHAT_UA})
    assert wechat.headers["Content-Disposition"] == 'inline; filename="hours-2025.pdf"'
    other = client.get("/me/hours.pdf?year=2025", headers={"User-Agent": CHROME_UA})
    assert other.headers["Content-Disposition"] == 'attachment; filename="hours-2025.pdf"'


def test_pages_with_a_pdf_link_show_the_hint_in_wechat_only(client, login, finalized):
    login(finalized.trainee)
    for url in ("/me/certificates?year=2025", "/me/hours?year=2025"):
        wechat = client.get(url, headers={"User-Agent": WECHAT_UA})
        assert 'id="wechat-hint"' in wechat.text and "右上角 ··· → 在浏览器打开" in wechat.text, url
        assert 'id="wechat-hint"' not in client.get(url, headers={"User-Agent": CHROME_UA}).text, url


def test_wechat_changes_nothing_of_the_walls(client, login, finalized):
    login(finalized.other_trainee)
    url = f"/certificates/{finalized.certificate.number}.pdf"
    assert client.get(url, headers={"User-Agent": WECHAT_UA}).status_code == 404
