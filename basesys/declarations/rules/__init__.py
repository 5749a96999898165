"""Declaration rules as data (DOMAIN.md §11): one YAML (or JSON) file per bureau and year.

The format (`jining-2025.yaml`, `zaozhuang-2025.yaml` beside this module are the examples):

    name: 济宁市2025年继续教育学时折算标准   # required, ≤ 120 characters
    year: 2025                              # required
    cap_groups:                             # optional: caps shared by several rules
      - {code: study, name: 自学考试、在职学历教育, cap_per_year: 40}
    rules:                                  # required, at least one
      - code: self_study                    # required, [a-z0-9_]{1,40}, unique in the file
        name: 自学考试                       # required
        kind: hours                         # hours (default) / expert_service / posting / absence
        unit: 门                             # the quantity's unit, shown on the form
        per_unit: true                      # hours × quantity (default); false: one item per declaration
        cap_per_year: 40                    # optional, hours per trainee and year
        cap_group: study                    # optional, a code of cap_groups
        evidence: 单科合格证书                # what evidence it needs (text)
        note: ...                           # optional text shown with the rule
        options:                            # required, at least one
          - {code: course, name: 每门课程, category: professional, hours: 10}

An option's `category` is `public`, `professional`, `either` (the declaration picks one:
`hours_by_category: {public: 5, professional: 30}`) or `both` (a posting:
`hours_by_category: {public: 30, professional: 60}` a year, pro rata by months). Kinds:
- `hours`: hours per unit × quantity (quantity 1 when per_unit is false);
- `expert_service`: quantity is the actual hours over started_on..ended_on, at most the policy's
  daily cap per date together with course hours (§7);
- `posting`: quantity is months (≤ 12), both categories pro rata;
- `absence`: a long absence over started_on..ended_on (`min_months_away` on an option: the
  absence must be longer than that); recognised, it pro-rates the year's requirement.
Hours are multiples of 0.5; caps too.
"""

import hashlib
import json
import re
from pathlib import Path

import yaml

HERE = Path(__file__).parent
KINDS = ("hours", "expert_service", "posting", "absence")
CATEGORIES = ("public", "professional", "either", "both")
CODE = re.compile(r"^[a-z0-9_]{1,40}$")
MAX_HOURS = 1000


class RuleFileError(ValueError):
    """The file is not a valid rule set; the message names every problem (in Chinese)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


def read_rule_file(path: Path) -> tuple[dict, str]:
    """The validated document of a YAML/JSON file and the sha256 of its bytes."""
    data = Path(path).read_bytes()
    return parse_rule_set(data, json_file=str(path).endswith(".json")), hashlib.sha256(data).hexdigest()


def parse_rule_set(source, *, json_file: bool = False) -> dict:
    """A rule document (bytes/text of YAML or JSON, or an already loaded dict), validated and
    normalised (every key present). Raises RuleFileError listing every problem found."""
    if isinstance(source, (bytes, str)):
        try:
            document = json.loads(source) if json_file else yaml.safe_load(source)
        except (ValueError, yaml.YAMLError) as exc:
            raise RuleFileError([f"文件无法解析：{exc}"]) from None
    else:
        document = source
    problems: list[str] = []
    if not isinstance(document, dict):
        raise RuleFileError(["文件内容应为一个对象（name、year、rules）"])
    name = document.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 120 or "\x00" in name:
        problems.append("name：必填，最多120个字符")
    year = document.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        problems.append("year：应为2000至2100之间的整数")
    groups = _groups(document.get("cap_groups") or [], problems)
    rules_in = document.get("rules")
    rules = []
    if not isinstance(rules_in, list) or not rules_in:
        problems.append("rules：至少需要一条规则")
    else:
        seen: set[str] = set()
        for index, rule in enumerate(rules_in):
            parsed = _rule(rule, f"rules[{index}]", groups, problems)
            if parsed is None:
                continue
            if parsed["code"] in seen:
                problems.append(f"rules[{index}].code：重复的规则代码 {parsed['code']}")
            seen.add(parsed["code"])
            rules.append(parsed)
    if problems:
        raise RuleFileError(problems)
    return {"name": name.strip(), "year": year, "cap_groups": groups, "rules": rules}


def _text(value, where: str, problems: list[str], *, required=True, limit=400) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit or "\x00" in value:
        problems.append(f"{where}：{'必填，' if required else ''}应为不超过{limit}个字符的文字")
        return ""
    return value.strip()


def _hours(value, where: str, problems: list[str], *, required=True) -> float | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_HOURS:
        problems.append(f"{where}：应为大于0、不超过{MAX_HOURS}的学时数")
        return None
    if abs(value * 2 - round(value * 2)) > 1e-9:
        problems.append(f"{where}：学时应为0.5的整数倍")
        return None
    return float(value)


def _code(value, where: str, problems: list[str]) -> str:
    if not isinstance(value, str) or not CODE.match(value):
        problems.append(f"{where}：代码应为1至40个小写字母、数字或下划线")
        return ""
    return value


def _groups(groups_in, problems: list[str]) -> dict:
    groups = {}
    if not isinstance(groups_in, list):
        problems.append("cap_groups：应为列表")
        return groups
    for index, group in enumerate(groups_in):
        where = f"cap_groups[{index}]"
        if not isinstance(group, dict):
            problems.append(f"{where}：应为对象")
            continue
        code = _code(group.get("code"), f"{where}.code", problems)
        name = _text(group.get("name"), f"{where}.name", problems, limit=120)
        cap = _hours(group.get("cap_per_year"), f"{where}.cap_per_year", problems)
        if code:
            groups[code] = {"code": code, "name": name, "cap_per_year": cap}
    return groups


def _rule(rule, where: str, groups: dict, problems: list[str]) -> dict | None:
    if not isinstance(rule, dict):
        problems.append(f"{where}：应为对象")
        return None
    kind = rule.get("kind", "hours")
    if kind not in KINDS:
        problems.append(f"{where}.kind：应为 {' / '.join(KINDS)} 之一")
    group = rule.get("cap_group")
    if group is not None and group not in groups:
        problems.append(f"{where}.cap_group：未在 cap_groups 中定义的 {group}")
    per_unit = rule.get("per_unit", True)
    if not isinstance(per_unit, bool):
        problems.append(f"{where}.per_unit：应为 true 或 false")
    parsed = {
        "code": _code(rule.get("code"), f"{where}.code", problems),
        "name": _text(rule.get("name"), f"{where}.name", problems, limit=120),
        "kind": kind,
        "unit": _text(rule.get("unit", "项"), f"{where}.unit", problems, limit=20),
        "per_unit": per_unit is not False and kind != "absence",
        "cap_per_year": _hours(rule.get("cap_per_year"), f"{where}.cap_per_year", problems, required=False),
        "cap_group": group,
        "evidence": _text(rule.get("evidence"), f"{where}.evidence", problems),
        "note": _text(rule.get("note"), f"{where}.note", problems, required=False),
        "options": [],
    }
    options = rule.get("options")
    if not isinstance(options, list) or not options:
        problems.append(f"{where}.options：至少需要一个选项")
        return parsed
    seen: set[str] = set()
    for index, option in enumerate(options):
        parsed_option = _option(option, f"{where}.options[{index}]", kind, problems)
        if parsed_option is None:
            continue
        if parsed_option["code"] in seen:
            problems.append(f"{where}.options[{index}].code：重复的选项代码")
        seen.add(parsed_option["code"])
        parsed["options"].append(parsed_option)
    return parsed


def _option(option, where: str, kind: str, problems: list[str]) -> dict | None:
    if not isinstance(option, dict):
        problems.append(f"{where}：应为对象")
        return None
    category = option.get("category")
    parsed = {
        "code": _code(option.get("code"), f"{where}.code", problems),
        "name": _text(option.get("name"), f"{where}.name", problems, limit=120),
        "category": category,
        "hours": 0.0,
        "hours_by_category": {},
        "min_months_away": None,
    }
    if category not in CATEGORIES:
        problems.append(f"{where}.category：应为 {' / '.join(CATEGORIES)} 之一")
        return parsed
    if kind == "absence":
        if category != "both":
            problems.append(f"{where}.category：长期离岗折算两类学时要求，应为 both")
        months = option.get("min_months_away")
        if months is not None and (isinstance(months, bool) or not isinstance(months, int) or not 0 <= months < 12):
            problems.append(f"{where}.min_months_away：应为0至11之间的整数")
        parsed["min_months_away"] = months
        return parsed
    if category in ("either", "both"):
        by = option.get("hours_by_category")
        if kind == "posting" and category != "both":
            problems.append(f"{where}.category：援派类规则应为 both")
        if not isinstance(by, dict) or set(by) != {"public", "professional"}:
            problems.append(f"{where}.hours_by_category：应给出 public 和 professional 的学时")
            return parsed
        parsed["hours_by_category"] = {
            cat: _hours(by[cat], f"{where}.hours_by_category.{cat}", problems) or 0.0
            for cat in ("public", "professional")
        }
        parsed["hours"] = max(parsed["hours_by_category"].values())
    else:
        if kind == "posting":
            problems.append(f"{where}.category：援派类规则应为 both")
        parsed["hours"] = _hours(option.get("hours"), f"{where}.hours", problems) or 0.0
        parsed["hours_by_category"] = {category: parsed["hours"]}
    return parsed


def bundled(name: str) -> Path:
    """A rule file shipped with the code (the demo's): `jining-2025.yaml`."""
    return HERE / name
