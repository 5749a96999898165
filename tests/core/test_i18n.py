import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_has_a_chinese_translation():
    spec = importlib.util.spec_from_file_location("i18n", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.missing() == []


def test_catalog_folder_is_named_zh():
    assert (ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.mo").exists()
