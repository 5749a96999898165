"""Rule files: the bundled ones parse, a broken file is refused with every problem named, the CLI
loads (and replaces) a bureau's set, audited as the system; the demo loads both cities'."""

import json

import pytest

from basesys.core.audit import AuditRecord
from basesys.declarations import services
from basesys.declarations.models import RuleSet
from basesys.declarations.rules import RuleFileError, bundled, parse_rule_set, read_rule_file
from basesys.extensions import db


@pytest.mark.parametrize("name", ["jining-2025.yaml", "zaozhuang-2025.yaml"])
def test_the_bundled_rule_files_parse(name):
    document, sha256 = read_rule_file(bundled(name))
    assert document["year"] == 2025 and len(sha256) == 64
    codes = {rule["code"] for rule in document["rules"]}
    assert {"posting", "expert_service", "self_study", "achievement", "competition", "absence"} <= codes


def test_a_broken_file_names_every_problem():
    broken = {
        "name": "",
        "year": 1999,
        "rules": [
            {"code": "X Y", "name": "a", "evidence": "e", "options": [{"code": "o", "name": "n", "category": "odd"}]},
            {"code": "b", "name": "b", "evidence": "e", "cap_group": "nope", "options": []},
            {
                "code": "c",
                "name": "c",
                "evidence": "e",
                "options": [{"code": "o", "name": "n", "category": "public", "hours": 0.3}],
            },
        ],
    }
    with pytest.raises(RuleFileError) as error:
        parse_rule_set(broken)
    text = str(error.value)
    for part in ("name", "year", "rules[0].code", "rules[0].options[0].category", "rules[1].cap_group",
                 "rules[1].options", "rules[2].options[0].hours"):  # fmt: skip
        assert part in text, (part, text)


def test_unparseable_text_is_a_clear_error():
    with pytest.raises(RuleFileError) as error:
        parse_rule_set(b"rules: [unclosed")
    assert "无法解析" in str(error.value)


def test_either_needs_hours_for_both_categories():
    rule = {
        "code": "c",
        "name": "c",
        "evidence": "e",
        "options": [{"code": "o", "name": "n", "category": "either", "hours_by_category": {"public": 5}}],
    }
    with pytest.raises(RuleFileError) as error:
        parse_rule_set({"name": "n", "year": 2025, "rules": [rule]})
    assert "hours_by_category" in str(error.value)


def test_the_cli_loads_and_replaces_a_bureaus_rules_audited_as_system(runner, tenants, tmp_path):
    result = runner.invoke(
        args=[
            "load-declaration-rules",
            "--bureau",
            tenants.city_b.name,
            "--year",
            "2025",
            str(bundled("jining-2025.yaml")),
        ]
    )
    assert result.exit_code == 0, result.output
    document, _ = read_rule_file(bundled("jining-2025.yaml"))
    document["rules"] = document["rules"][:1]
    path = tmp_path / "smaller.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(
        args=["load-declaration-rules", "--bureau", str(tenants.city_b.id), "--year", "2025", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(RuleSet)) == 1
    assert [r.code for r in services.rules_in_force(tenants.city_b.id, 2025).rules] == ["posting"]
    records = db.session.scalars(
        db.select(AuditRecord).where(AuditRecord.action == "declaration_rule_set.loaded")
    ).all()
    assert len(records) == 2 and {r.actor_label for r in records} == {"system"}


def test_the_cli_refuses_a_wrong_year_a_broken_file_and_an_unknown_bureau(runner, tenants, tmp_path):
    jining = str(bundled("jining-2025.yaml"))
    wrong_year = runner.invoke(
        args=["load-declaration-rules", "--bureau", str(tenants.city_b.id), "--year", "2026", jining]
    )
    assert wrong_year.exit_code != 0 and "2025" in wrong_year.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nyear: 2025\nrules: []\n", encoding="utf-8")
    result = runner.invoke(
        args=["load-declaration-rules", "--bureau", str(tenants.city_b.id), "--year", "2025", str(broken)]
    )
    assert result.exit_code != 0 and "rules" in result.output
    unknown = runner.invoke(args=["load-declaration-rules", "--bureau", "没有这个局", "--year", "2025", jining])
    assert unknown.exit_code != 0
    assert db.session.scalar(db.select(db.func.count()).select_from(RuleSet)) == 0


def test_the_demo_loads_jining_and_zaozhuang(runner, db):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    names = set(db.session.scalars(db.select(RuleSet.name)))
    assert names == {"济宁市2025年继续教育学时折算标准", "枣庄市2025年继续教育学时认定说明"}
