"""Demo data: the Jining 2025 rules for the Jining bureau, Zaozhuang 2025's for Zaozhuang (§11)."""

from datetime import datetime

from basesys.declarations.rules import bundled, read_rule_file
from basesys.declarations.services import load_rule_set

DEMO_FILES = (("jining", "jining-2025.yaml"), ("zaozhuang", "zaozhuang-2025.yaml"))


def load(ctx: dict, now: datetime) -> None:
    for key, name in DEMO_FILES:
        bureau = ctx.get(key)
        if bureau is None:
            continue
        document, sha256 = read_rule_file(bundled(name))
        load_rule_set(None, bureau, document, source_sha256=sha256, now=now)
