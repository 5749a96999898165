"""Build the zh catalog from translations/zh.d/*.tsv, or list strings still untranslated.

Each feature keeps its own TSV (`English<TAB>中文` per line, `#` comments), so features never edit
the same file. `build` writes translations/zh/LC_MESSAGES/messages.{po,mo} (Flask-Babel wants the
folder named `zh`, not `zh_CN`). `missing` extracts every msgid from the code and templates and
prints those without a translation (a test fails on any).
"""

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "translations" / "zh.d"
TARGET = ROOT / "translations" / "zh" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHODS = [("basesys/**.py", "python"), ("templates/**.html", "jinja2")]


def load_translations() -> dict[str, str]:
    table: dict[str, str] = {}
    where: dict[str, str] = {}
    for path in sorted(SOURCES.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            english, sep, chinese = line.partition("\t")
            if not sep or not chinese.strip():
                raise SystemExit(f"{path.name}:{number}: expected 'English<TAB>中文'")
            if english in table and table[english] != chinese.strip():
                raise SystemExit(
                    f"{path.name}:{number}: {english!r} is translated {table[english]!r} in {where[english]}"
                    f" and {chinese.strip()!r} here: one feature's page would show the other's words"
                )
            table[english], where[english] = chinese.strip(), f"{path.name}:{number}"
    return table


def extracted_ids() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        ROOT, METHODS, keywords=KEYWORDS, options_map={"templates/**.html": {"extensions": "jinja2.ext.do"}}
    ):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def build() -> None:
    catalog = Catalog(locale="zh", project="basesys", charset="utf-8")
    for english, chinese in load_translations().items():
        catalog.add(english, chinese)
    TARGET.mkdir(parents=True, exist_ok=True)
    with open(TARGET / "messages.po", "wb") as po:
        write_po(po, catalog, width=0, omit_header=False)
    with open(TARGET / "messages.mo", "wb") as mo:
        write_mo(mo, catalog)
    print(f"zh catalog: {len(catalog)} messages")


def missing() -> list[str]:
    table = load_translations()
    return sorted(m for m in extracted_ids() if m not in table)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "build"
    if command == "build":
        build()
    elif command == "missing":
        gaps = missing()
        print("\n".join(gaps) if gaps else "every message is translated")
        sys.exit(1 if gaps else 0)
    else:
        raise SystemExit("usage: i18n.py build|missing")
