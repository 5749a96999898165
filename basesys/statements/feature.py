"""Annual statements (学时证明, DOMAIN.md §15): signed, numbered, verifiable by anyone."""

from basesys.core.features import Feature, Panel
from basesys.statements import api, audit_texts, cli, models, panels, views  # noqa: F401 -- models: the tables
from basesys.statements.refusals import REFUSALS

FEATURE = Feature(
    name="statements",
    blueprints=(views.bp, api.bp),
    panels=(Panel(panels.statement_button, ("trainee",), order=10, slot="hours"),),
    commands=cli.COMMANDS,
    refusals=REFUSALS,
    audit_subjects=audit_texts.SUBJECTS,
    audit_actions=audit_texts.ACTIONS,
    audit_fields=audit_texts.FIELDS,
)
