"""The rules in force (DOMAIN.md §11): a bureau's rule set for a year, else the nearest bureau's above."""

from datetime import datetime

from basesys.accounts.models import Bureau
from basesys.core.audit import audit
from basesys.declarations.models import RuleSet
from basesys.declarations.services.views import OptionView, RuleSetView, RuleView
from basesys.extensions import db


def load_rule_set(actor, bureau: Bureau, document: dict, *, source_sha256: str, now: datetime) -> RuleSet:
    """Stores a validated document (rules.parse_rule_set) as the bureau's set of its year, replacing
    the one loaded before (declarations already made keep their claim; approvals use the new caps)."""
    rule_set = db.session.scalar(
        db.select(RuleSet).where(RuleSet.bureau_id == bureau.id, RuleSet.year == document["year"])
    )
    before = None
    if rule_set is None:
        rule_set = RuleSet(bureau_id=bureau.id, year=document["year"])
        db.session.add(rule_set)
    else:
        before = {"name": rule_set.name, "source_sha256": rule_set.source_sha256}
    rule_set.name = document["name"]
    rule_set.rules = document
    rule_set.source_sha256 = source_sha256
    rule_set.loaded_at = now
    rule_set.loaded_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit(
        actor,
        "declaration_rule_set.loaded",
        rule_set,
        now=now,
        before=before,
        after={"name": rule_set.name, "year": rule_set.year, "source_sha256": source_sha256},
        bureau_id=bureau.id,
    )
    return rule_set


def view_of(rule_set: RuleSet) -> RuleSetView:
    document = rule_set.rules
    groups = document.get("cap_groups") or {}
    rules = []
    for rule in document["rules"]:
        group = rule.get("cap_group")
        members = tuple(r["code"] for r in document["rules"] if group and r.get("cap_group") == group)
        options = [
            OptionView(o["code"], o["name"], o["category"], float(o["hours"]), dict(o["hours_by_category"]))
            for o in rule["options"]
        ]
        rules.append(
            RuleView(
                code=rule["code"],
                name=rule["name"],
                unit=rule["unit"],
                options=options,
                per_unit=rule["per_unit"],
                cap_per_year=rule["cap_per_year"],
                cap_group=group,
                evidence=rule["evidence"],
                needs_dates=rule["kind"] in ("expert_service", "absence"),
                kind=rule["kind"],
                cap_group_hours=groups[group]["cap_per_year"] if group else None,
                cap_group_name=groups[group]["name"] if group else "",
                cap_group_rules=members,
                note=rule.get("note") or "",
                min_months_away={o["code"]: o.get("min_months_away") for o in rule["options"]},
            )
        )
    return RuleSetView(rule_set.bureau_id, rule_set.year, rule_set.name, rules, rule_set_id=rule_set.id)


def rule_set_in_force(bureau_id: int | None, year: int) -> RuleSet | None:
    """The stored set of the bureau or of the nearest bureau above it that has one for the year."""
    seen: set[int] = set()
    current = bureau_id
    while current is not None and current not in seen:
        seen.add(current)
        rule_set = db.session.scalar(db.select(RuleSet).where(RuleSet.bureau_id == current, RuleSet.year == year))
        if rule_set is not None:
            return rule_set
        current = db.session.scalar(db.select(Bureau.parent_id).where(Bureau.id == current))
    return None


def rules_in_force(bureau_id: int | None, year: int) -> RuleSetView | None:
    """The rule set of the bureau for the year, or of the nearest bureau above it that has one."""
    rule_set = rule_set_in_force(bureau_id, year)
    return view_of(rule_set) if rule_set is not None else None


def rules_for_trainee(trainee, year: int) -> RuleSetView | None:
    """The rules in force for the trainee's rules_bureau_id (the employer's bureau, else its own)."""
    return rules_in_force(trainee.rules_bureau_id, year)
