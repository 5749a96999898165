"""Hour declarations (学时折算申报, DOMAIN.md §11)."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from basesys.accounts.signals import trainee_employer_changed
from basesys.core.features import Feature, NavEntry, Panel
from basesys.declarations import api, audit_texts, cli, demo, notices, panels, services, views
from basesys.declarations.refusals import REFUSALS


def _on_employer_changed(trainee, *, old_employer_id, new_employer_id, actor, now) -> None:
    """accounts linked the trainee to another employer: pending first reviews follow it (§11)."""
    services.move_pending_declarations(
        trainee, old_employer_id=old_employer_id, new_employer_id=new_employer_id, actor=actor, now=now
    )


def _init(app: Flask) -> None:
    # Connecting one function twice (a second app in the same process) keeps one receiver.
    trainee_employer_changed.connect(_on_employer_changed, weak=False)


FEATURE = Feature(
    name="declarations",
    blueprints=(views.bp, api.bp),
    nav=(
        NavEntry("declarations.my_declarations", _l("Hour declarations"), ("trainee",), order=35),
        NavEntry("declarations.inbox", _l("Declaration review"), ("employer_reviewer", "bureau_officer"), order=35),
        NavEntry("declarations.rules", _l("Declaration rules"), ("bureau_officer", "sysadmin"), order=36),
    ),
    panels=(
        Panel(panels.my_declarations, ("trainee",), order=12),
        Panel(panels.waiting_for_review, ("employer_reviewer", "bureau_officer"), order=10),
    ),
    commands=cli.COMMANDS,
    demo=demo.load,
    refusals=REFUSALS,
    audit_subjects=audit_texts.SUBJECTS,
    audit_actions=audit_texts.ACTIONS,
    audit_fields=audit_texts.FIELDS,
    notification_kinds=notices.KINDS,
    init=_init,
)
