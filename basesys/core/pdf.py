"""CJK fonts for reportlab PDFs.

reportlab cannot use OTF/CFF fonts (Noto CJK), its built-in STSong-Light is not embedded (Chrome's
viewer then shows no Chinese), and it silently drops characters a font lacks. So: embed TrueType
CJK fonts (Debian's fonts-wqy-zenhei first), and check every string's characters before drawing.
"""

import functools
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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
def registered_fonts() -> tuple[str, ...]:
    names = []
    for name, path, index in CANDIDATES:
        if Path(path).exists():
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
            names.append(name)
    if not names:
        raise MissingFont("no TrueType CJK font found: install the Debian package fonts-wqy-zenhei")
    return tuple(names)


def cjk_font() -> str:
    """The main embedded CJK font's registered name."""
    return registered_fonts()[0]


SPACES = "\n\r\t "  # drawn as advances: no glyph needed


def _glyphs(font_name: str) -> dict:
    """The font's character map (code point → glyph), looked up once per text, not per character."""
    return pdfmetrics.getFont(font_name).face.charToGlyph


def missing_glyphs(text: str, font_name: str | None = None) -> list[str]:
    """Characters of `text` that the font cannot draw (reportlab would drop them silently)."""
    glyphs = _glyphs(font_name or cjk_font())
    return sorted({ch for ch in text or "" if ch not in SPACES and ord(ch) not in glyphs})


@functools.lru_cache(maxsize=4096)
def font_for(text: str) -> str | None:
    """The first registered font that has every character of `text`, or None if none has (kept
    for the texts asked most: a course's title and base are checked for every one of its trainees)."""
    for name in registered_fonts():
        glyphs = _glyphs(name)
        if all(ch in SPACES or ord(ch) in glyphs for ch in text or ""):
            return name
    return None
