"""WeChat's in-app browser (its user agent says `MicroMessenger`) cannot download a file: it opens a
PDF only when served inline, and saving it takes its menu (右上角 ··· → 在浏览器打开). Pages with a
PDF link show that hint there; the PDF views serve inline to it and as before to every other browser.
"""

from flask import request

WECHAT_MARK = "MicroMessenger"


def in_wechat() -> bool:
    """Whether this request comes from WeChat's in-app browser."""
    return WECHAT_MARK in (request.user_agent.string or "")


def pdf_headers(filename: str) -> dict[str, str]:
    """Content-Disposition for a PDF a person opens: inline in WeChat, a download elsewhere."""
    disposition = "inline" if in_wechat() else "attachment"
    return {"Content-Disposition": f'{disposition}; filename="{filename}"', "Vary": "User-Agent"}
