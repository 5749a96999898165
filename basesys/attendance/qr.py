"""QR codes drawn on the server as SVG (no CDN, no JavaScript library): the projector shows them."""

import re

import qrcode
import qrcode.image.svg
from markupsafe import Markup

_SIZE = re.compile(r'^<svg width="[^"]*" height="[^"]*"')


def qr_svg(data: str) -> Markup:
    """A scalable SVG QR code with the standard 4-module quiet zone; CSS gives it its size."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        border=4,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg = image.to_string(encoding="unicode")
    svg = _SIZE.sub('<svg class="qr" role="img" aria-label="QR" shape-rendering="crispEdges"', svg)
    return Markup(svg)
