"""CJK fonts for reportlab PDFs.

reportlab cannot use OTF/CFF fonts (Noto CJK), its built-in STSong-Light is not embedded (Chrome's
viewer then shows no Chinese), and it silently drops characters a font lacks. So: embed TrueType
CJK fonts (Debian's fonts-wqy-zenhei first), and check every string's characters before drawing.

The check needs only which characters a font has: its character map, read on its own
(`_coverage`, ≈ 50 ms) — not the whole 17 MB file parsed as reportlab does to draw with it
(≈ 0.4–0.8 s), which only drawing a PDF waits for (`registered_fonts`).
"""

import functools
from pathlib import Path

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontParser

# (registered name, file, subfont index); the first that exists is the main font, the others are
# fallbacks for characters it lacks.
CANDIDATES = [
    ("WQYZenHei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("WQYMicroHei", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("ARPLUMing", "/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("ARPLUKai", "/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
]


class MissingFont(RuntimeError):
    """No TrueType CJK font is installed (Debian: fonts-wqy-zenhei)."""


@functools.cache
def available_fonts() -> tuple[str, ...]:
    """The installed candidates' names, main font first (none registered with reportlab yet)."""
    names = tuple(name for name, path, _index in CANDIDATES if Path(path).exists())
    if not names:
        raise MissingFont("no TrueType CJK font found: install the Debian package fonts-wqy-zenhei")
    return names


@functools.cache
def registered_fonts() -> tuple[str, ...]:
    """The installed candidates, registered with reportlab to draw with (each file parsed whole)."""
    names = available_fonts()
    for name, path, index in CANDIDATES:
        if name in names:
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
    return names


def cjk_font() -> str:
    """The main embedded CJK font's registered name."""
    return registered_fonts()[0]


SPACES = "\n\r\t "  # drawn as advances: no glyph needed


@functools.cache
def _coverage(font_name: str) -> frozenset[int]:
    """The code points the font maps: the keys reportlab's `face.charToGlyph` has once it has parsed
    the file (tests/certificates/test_pdf.py compares them), read from the same character map
    subtable, chosen as reportlab chooses it. Formats 4, 12 and 13 (every installed candidate's);
    another format is left to reportlab itself."""
    path, index = next((path, index) for name, path, index in CANDIDATES if name == font_name)
    font = TTFontParser(path, validate=0, subfontIndex=index)
    table = font.seek_table("cmap")
    version, count = font.read_ushort(), font.read_ushort()
    if count == 0 and version != 0:
        count = version
    chosen, encoding_kind = None, 0
    for _ in range(count):  # reportlab's choice: the last Unicode subtable listed
        platform, encoding, offset = font.read_ushort(), font.read_ushort(), font.read_ulong()
        if platform == 3 or (platform == 1 and encoding == 1) or (platform == 0 and encoding != 5):
            chosen, encoding_kind = offset, 1
        elif platform == 1 and encoding == 0 and encoding_kind != 1:
            chosen, encoding_kind = offset, 2
    if chosen is None:
        return _parsed_coverage(font_name)
    font.seek(table + chosen)
    ranges = _cmap_ranges(font, font.read_ushort())
    if ranges is None:
        return _parsed_coverage(font_name)
    codes = set()
    for start, end in ranges:
        codes.update(range(start, end + 1))
    if 0x20 in codes or 0xA0 in codes:  # reportlab maps the no-break space and the space alike
        codes |= {0x20, 0xA0}
    return frozenset(codes)


def _cmap_ranges(font, form: int) -> list[tuple[int, int]] | None:
    """The (first, last) code point ranges of a format 4, 12 or 13 subtable, font at its body."""
    if form == 4:  # every code point of every segment is in reportlab's map, even on glyph 0
        font.skip(4)  # length, language
        segments = font.read_ushort() // 2
        font.skip(6)
        ends = [font.read_ushort() for _ in range(segments)]
        font.skip(2)
        return list(zip([font.read_ushort() for _ in range(segments)], ends, strict=True))
    if form in (12, 13):
        font.skip(10)  # reserved, length, language
        ranges = []
        for _ in range(font.read_ulong()):
            ranges.append((font.read_ulong(), font.read_ulong()))
            font.skip(4)
        return ranges
    return None


def _parsed_coverage(font_name: str) -> frozenset[int]:
    registered_fonts()
    return frozenset(pdfmetrics.getFont(font_name).face.charToGlyph)


def missing_glyphs(text: str, font_name: str | None = None) -> list[str]:
    """Characters of `text` that the font cannot draw (reportlab would drop them silently)."""
    covered = _coverage(font_name or available_fonts()[0])
    return sorted({ch for ch in text or "" if ch not in SPACES and ord(ch) not in covered})


@functools.lru_cache(maxsize=4096)
def font_for(text: str) -> str | None:
    """The first installed font that has every character of `text`, or None if none has (kept
    for the texts asked most: a course's title and base are checked for every one of its trainees)."""
    for name in available_fonts():
        covered = _coverage(name)
        if all(ch in SPACES or ord(ch) in covered for ch in text or ""):
            return name
    return None


INK = HexColor("#1f2328")  # the PDFs' text and QR modules


def qr_matrix(text: str) -> list[list[bool]]:
    """The modules of `text`'s QR code (error correction M, no quiet zone: the layout leaves it)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def draw_qr(canvas, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    """Dark modules as one filled path, adjacent modules of a row merged into one rectangle."""
    cell = size / len(matrix)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * cell
        start = None
        for col, dark in enumerate([*row, False]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                path.rect(x + start * cell, top, (col - start) * cell, cell)
                start = None
    canvas.setFillColor(INK)
    canvas.drawPath(path, stroke=0, fill=1)
