"""What the pages and the API read of the rules and of a preview: plain frozen values."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OptionView:
    """One choice of a rule: "论文 · 核心期刊", "职称外语 · A级". `category` is public / professional /
    both (a posting, or a long absence) / either (the declaration picks one; `hours_by_category`
    then gives the hours per unit of each)."""

    code: str
    name: str
    category: str
    hours: float  # per unit (for `either`: the larger of the two; see hours_by_category)
    hours_by_category: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleView:
    """One row of the bureau's table (§11). `kind`: hours (per unit), expert_service (actual hours
    on dates, under the daily cap), posting (pro rata by months, both categories), absence (a long
    absence: pro-rates the year's requirement, no hours)."""

    code: str
    name: str
    unit: str  # the unit's label: 项, 篇, 个, 月, 学时…
    options: list[OptionView]
    per_unit: bool  # hours × quantity (False: one item, quantity 1)
    cap_per_year: float | None
    cap_group: str | None  # several rules sharing one cap (Zaozhuang: 自学考试 + 在职学历 ≤ 40)
    evidence: str  # what evidence it needs (text shown on the form)
    needs_dates: bool
    kind: str
    cap_group_hours: float | None = None  # the group's cap when cap_group is set
    cap_group_name: str = ""
    cap_group_rules: tuple[str, ...] = ()  # the codes of the rules sharing the group's cap
    note: str = ""
    min_months_away: dict = field(default_factory=dict)  # absence: option code → months (or None)

    def option(self, code: str) -> OptionView | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class RuleSetView:
    bureau_id: int  # the bureau whose set it is (maybe above the one asked for)
    year: int
    name: str
    rules: list[RuleView]
    rule_set_id: int | None = None

    def rule(self, code: str) -> RuleView | None:
        return next((r for r in self.rules if r.code == code), None)


@dataclass(frozen=True)
class Preview:
    hours_public: float
    hours_professional: float
    hours_claimed: float
    left_in_cap: float | None  # None: the rule has no cap
    note: str  # e.g. "本年度该项剩余 10 学时，超出部分不予认定" when the cap cuts the claim
    months_at_work: int | None = None  # a long absence: the months at work of the year


@dataclass
class DeclarationPage:
    items: list
    total: int
    page: int
    size: int
