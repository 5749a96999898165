"""The self-enrolment link of an approved course and its QR code, for posters and WeChat groups
(issue 13). The link is the course's catalogue page: a trainee who is not logged in is sent to the
login page and comes back to it, then enrols there."""

import io
import re

import qrcode
import qrcode.image.svg
from markupsafe import Markup

_SIZE = re.compile(r'^<svg width="[^"]*" height="[^"]*"')


def _qr(data: str, **options):
    return qrcode.make(data, border=4, error_correction=qrcode.constants.ERROR_CORRECT_M, **options)


def qr_svg(data: str) -> str:
    """A scalable SVG of the QR code (4-module quiet zone), to download or to print."""
    return _qr(data, image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")


def qr_svg_inline(data: str) -> Markup:
    """The same SVG to put in a page; CSS gives it its size."""
    svg = _SIZE.sub('<svg class="qr" role="img" aria-label="QR" shape-rendering="crispEdges"', qr_svg(data))
    return Markup(svg)


def qr_png(data: str, box_size: int = 12) -> bytes:
    """A PNG of the QR code, large enough for a printed poster or a chat message."""
    out = io.BytesIO()
    _qr(data, box_size=box_size).save(out, format="PNG")
    return out.getvalue()
