"""What a declaration claims under its rule (DOMAIN.md §11), and what the yearly caps leave.

Caps count per trainee, year and rule (or the rule's cap group): for the form and a new
submission, the hours recognised plus those claimed by declarations still under review; for an
approval, the hours recognised only (a pending one may still be returned).
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func

from basesys.core.errors import DomainError, ValidationFailed
from basesys.core.hours import floor_to_half
from basesys.core.policy import get_policy
from basesys.declarations.models import Declaration, DeclarationKind, DeclarationStatus
from basesys.declarations.services.rules import rules_for_trainee
from basesys.declarations.services.views import OptionView, Preview, RuleSetView, RuleView
from basesys.extensions import db

PENDING = (DeclarationStatus.SUBMITTED, DeclarationStatus.EMPLOYER_APPROVED)
MAX_QUANTITY = 1000  # far beyond any rule's units; keeps the numbers the database holds


@dataclass
class Claim:
    rule: RuleView
    option: OptionView
    category: str  # public / professional / both
    quantity: float
    public: float
    professional: float
    kind: str = DeclarationKind.HOURS
    months_at_work: int | None = None
    started_on: date | None = None
    ended_on: date | None = None
    extra: dict = field(default_factory=dict)

    @property
    def total(self) -> float:
        return self.public + self.professional


def _used(trainee_id: int, year: int, codes: tuple[str, ...], *, pending: bool, exclude_id: int | None) -> float:
    granted = func.coalesce(Declaration.granted_public, 0) + func.coalesce(Declaration.granted_professional, 0)
    claimed = Declaration.claimed_public + Declaration.claimed_professional
    base = [Declaration.trainee_id == trainee_id, Declaration.year == year, Declaration.rule.in_(codes)]
    if exclude_id is not None:
        base.append(Declaration.id != exclude_id)
    total = db.session.scalar(
        db.select(func.coalesce(func.sum(granted), 0)).where(*base, Declaration.status == DeclarationStatus.RECOGNIZED)
    )
    if pending:
        total += db.session.scalar(
            db.select(func.coalesce(func.sum(claimed), 0)).where(*base, Declaration.status.in_(PENDING))
        )
    return float(total or 0)


def used_this_year(trainee, year: int, rule_code: str) -> float:
    """Hours of the rule already recognised, or claimed by declarations under review, in the year."""
    return _used(trainee.id, year, (rule_code,), pending=True, exclude_id=None)


def cap_left(trainee, year: int, rule: RuleView, *, pending: bool = True, exclude_id: int | None = None):
    """What the rule's cap and its group's cap still allow (the smaller); None without a cap."""
    left = None
    if rule.cap_per_year is not None:
        left = rule.cap_per_year - _used(trainee.id, year, (rule.code,), pending=pending, exclude_id=exclude_id)
    if rule.cap_group is not None and rule.cap_group_hours is not None:
        group = rule.cap_group_hours - _used(
            trainee.id, year, rule.cap_group_rules or (rule.code,), pending=pending, exclude_id=exclude_id
        )
        left = group if left is None else min(left, group)
    return max(0.0, left) if left is not None else None


def left_in_cap(trainee, year: int, rule: RuleView) -> float | None:
    """What the rule's (or its cap group's) yearly cap still allows; None without a cap."""
    return cap_left(trainee, year, rule)


def find_rule(rule_set: RuleSetView | None, rule_code: str, option_code: str) -> tuple[RuleView, OptionView]:
    """The rule and option of the set; `rule_unknown` when either is not in it (or there is no set)."""
    rule = rule_set.rule(rule_code) if rule_set is not None else None
    option = rule.option(option_code) if rule is not None else None
    if option is None:
        raise DomainError("rule_unknown")
    return rule, option


def _number(value, field_name: str, *, whole: bool) -> float:
    try:
        number = float(value if value is not None else 0)
    except (TypeError, ValueError):
        raise ValidationFailed({field_name: "应为数字"}) from None
    if not 0 < number <= MAX_QUANTITY:
        raise ValidationFailed({field_name: f"应大于0且不超过{MAX_QUANTITY}"})
    if whole and number != int(number):
        raise ValidationFailed({field_name: "应为整数"})
    if abs(number * 2 - round(number * 2)) > 1e-9:
        raise ValidationFailed({field_name: "应为0.5的整数倍"})
    return number


def _dates_in_year(year: int, started_on, ended_on, *, clip: bool) -> tuple[date, date]:
    if started_on is None or ended_on is None:
        raise ValidationFailed({"started_on" if started_on is None else "ended_on": "该项目须填写起止日期"})
    if ended_on < started_on:
        raise ValidationFailed({"ended_on": "结束日期早于开始日期"})
    first, last = date(year, 1, 1), date(year, 12, 31)
    if clip:
        if ended_on < first or started_on > last:
            raise ValidationFailed({"started_on": f"起止日期须与{year}年有重叠"})
        return max(started_on, first), min(ended_on, last)
    if started_on < first or ended_on > last:
        raise ValidationFailed({"started_on": f"起止日期须在{year}年内"})
    return started_on, ended_on


def whole_months(start: date, end: date) -> int:
    """Whole months from `start` to `end` (inclusive): 2025-01-01..2025-06-30 is 6."""
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    return months - 1 if after.day < start.day else months


def _absence(claim: Claim, rule: RuleView, option: OptionView, year: int, started_on, ended_on) -> Claim:
    start, end = _dates_in_year(year, started_on, ended_on, clip=True)
    away = whole_months(start, end)
    minimum = rule.min_months_away.get(option.code)
    # "超过6个月": longer than the minimum — 6 whole months and at least one day more.
    if minimum is not None and not _longer(start, end, minimum):
        raise ValidationFailed({"ended_on": f"{option.name}：年度内离岗须超过{minimum}个月"})
    claim.kind = DeclarationKind.REQUIREMENT
    claim.quantity = float(away)
    claim.months_at_work = max(0, 12 - away)
    claim.started_on, claim.ended_on = started_on, ended_on
    return claim


def _longer(start: date, end: date, months: int) -> bool:
    """The period start..end (inclusive) lasts more than `months` months."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return end >= date(year, month, day)


def compute_claim(
    trainee, rule: RuleView, option: OptionView, *, year, quantity, category=None, started_on=None, ended_on=None
) -> Claim:
    """The hours a declaration claims under its rule (before caps); refuses bad fields (422)."""
    claim = Claim(rule, option, option.category, 1.0, 0.0, 0.0)
    if rule.kind == "absence":
        return _absence(claim, rule, option, year, started_on, ended_on)
    if rule.kind == "posting":
        months = _number(quantity, "quantity", whole=True)
        if months > 12:
            raise ValidationFailed({"quantity": "援派月数每年最多12个月"})
        claim.quantity = months
        claim.public = floor_to_half(option.hours_by_category.get("public", 0) * months / 12)
        claim.professional = floor_to_half(option.hours_by_category.get("professional", 0) * months / 12)
        claim.started_on, claim.ended_on = started_on, ended_on
        return claim
    if rule.kind == "expert_service":
        start, end = _dates_in_year(year, started_on, ended_on, clip=False)
        hours = _number(quantity, "quantity", whole=False)
        cap = get_policy(trainee.rules_bureau_id, year).daily_cap_hours
        days = (end - start).days + 1
        if hours > days * cap:
            raise ValidationFailed({"quantity": f"每天不超过{cap:g}学时：{days}天最多{days * cap:g}学时"})
        claim.quantity, claim.started_on, claim.ended_on = hours, start, end
        per_unit = option.hours_by_category.get(option.category, 1.0)
        return _set_hours(claim, option.category, floor_to_half(hours * per_unit))
    units = _number(quantity, "quantity", whole=True) if rule.per_unit else 1.0
    claim.quantity = units
    if started_on is not None or ended_on is not None:
        claim.started_on, claim.ended_on = _dates_in_year(
            year, started_on or ended_on, ended_on or started_on, clip=False
        )
    target = option.category
    if option.category == "either":
        if category not in ("public", "professional"):
            raise ValidationFailed({"category": "请选择计入公需科目或专业科目（每项只能抵扣其一）"})
        target = category
    claim.category = target
    return _set_hours(claim, target, floor_to_half(option.hours_by_category.get(target, option.hours) * units))


def _set_hours(claim: Claim, category: str, hours: float) -> Claim:
    claim.category = category
    if category == "public":
        claim.public = hours
    else:
        claim.professional = hours
    return claim


def cut_note(left: float, granted: float) -> str:
    return f"本年度该项剩余 {left:g} 学时，核定 {granted:g} 学时"


def preview(trainee, *, year, rule, option, quantity, category=None, started_on=None, ended_on=None) -> Preview:
    """The hours a declaration would claim (the form shows it); raises the same refusals as submit."""
    rule_view, option_view = find_rule(rules_for_trainee(trainee, year), rule, option)
    claim = compute_claim(
        trainee,
        rule_view,
        option_view,
        year=year,
        quantity=quantity,
        category=category,
        started_on=started_on,
        ended_on=ended_on,
    )
    left = cap_left(trainee, year, rule_view)
    note = ""
    if left is not None and left <= 0:
        raise DomainError("cap_reached")
    if left is not None and claim.total > left:
        note = f"本年度该项剩余 {left:g} 学时，超出部分不予认定"
    if claim.months_at_work is not None:
        note = f"本年度在岗 {claim.months_at_work} 个月，应完成学时按 {claim.months_at_work}/12 折算"
    return Preview(claim.public, claim.professional, claim.total, left, note, claim.months_at_work)
