"""Hour declarations (DOMAIN.md §11): the rules in force, evidence, declaring and the review chain.

The pages (views.py), the API (api.py) and the CLI call only these functions. Every service takes
`now` (UTC) where time matters, raises `DomainError(code)` (codes in refusals.py) for a refusal and
`NotFound` outside the caller's scope; it flushes and the caller commits.
"""

from basesys.declarations.services.claims import left_in_cap, preview, used_this_year
from basesys.declarations.services.declaring import resubmit_declaration, submit_declaration
from basesys.declarations.services.evidence import evidence_path, get_evidence_for, sniff, store_evidence
from basesys.declarations.services.queries import (
    can_decide,
    declarations_of,
    declarations_page,
    get_declaration_for,
    inbox,
    waiting_count,
)
from basesys.declarations.services.review import decide_declaration, move_pending_declarations
from basesys.declarations.services.rules import load_rule_set, rule_set_in_force, rules_for_trainee, rules_in_force
from basesys.declarations.services.views import DeclarationPage, OptionView, Preview, RuleSetView, RuleView

__all__ = [
    "DeclarationPage",
    "OptionView",
    "Preview",
    "RuleSetView",
    "RuleView",
    "can_decide",
    "decide_declaration",
    "declarations_of",
    "declarations_page",
    "evidence_path",
    "get_declaration_for",
    "get_evidence_for",
    "inbox",
    "left_in_cap",
    "load_rule_set",
    "move_pending_declarations",
    "preview",
    "resubmit_declaration",
    "rule_set_in_force",
    "rules_for_trainee",
    "rules_in_force",
    "sniff",
    "store_evidence",
    "submit_declaration",
    "used_this_year",
    "waiting_count",
]
