"""Features declare themselves; the factory registers the declarations in layer order.

A feature package has a `feature.py` holding one `Feature`: its blueprints, nav entries, home
panels, scheduled jobs, CLI commands, demo data, refusals and anything else it binds to the app
(`init`). `basesys.FEATURES` lists them bottom-up; `register_features(app, FEATURES)` is the one
loop. Nothing is registered as a side effect of an import: the registries live on the app
(`app.extensions["basesys"]`), so two apps in one process (tests) never share one.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import click
from flask import Blueprint, Flask, current_app

from basesys.core.errors import Refusal, register_refusals

EXTENSION = "basesys"


@dataclass(frozen=True)
class NavEntry:
    """A link in the top bar for some roles; `label` is an English msgid (lazy-translated)."""

    endpoint: str
    label: object
    roles: tuple[str, ...]
    order: int = 50


@dataclass(frozen=True)
class Panel:
    """A section a feature adds to a page of a lower one, for some roles.

    slot "home" and "scan_result" (the trainee's page after a scan): `func(user, now)`; slot
    "course" (the course page) and "catalog" (the trainee's catalogue page of a course):
    `func(user, now, course)`; slot "hours" (the trainee's hours page of a year): `func(user, now, year)`.
    Either returns `{"template": ..., **context}`, or None when it has nothing to show.
    """

    func: Callable
    roles: tuple[str, ...]
    order: int = 50
    slot: str = "home"


@dataclass(frozen=True)
class Job:
    """A scheduled job: `func(now) -> str | None`, idempotent, run every `every_minutes`."""

    name: str
    every_minutes: int
    func: Callable[[datetime], str | None]


@dataclass(frozen=True)
class Feature:
    name: str
    blueprints: tuple[Blueprint, ...] = ()
    nav: tuple[NavEntry, ...] = ()
    panels: tuple[Panel, ...] = ()
    jobs: tuple[Job, ...] = ()
    commands: tuple[click.Command, ...] = ()
    # demo(ctx, now): adds this feature's demo data, after the features below it (one transaction).
    demo: Callable[[dict, datetime], None] | None = None
    refusals: Mapping[str, Refusal] = field(default_factory=dict)
    template_filters: Mapping[str, Callable] = field(default_factory=dict)
    init: Callable[[Flask], None] | None = None  # anything else the feature binds to the app
    # basesys.notifications.kinds.NotificationKind: the texts and link of each kind this feature sends.
    notification_kinds: tuple = ()
    # The audit log for people (core.audit_text): per object type, an AuditSubject (its keys, name
    # and link); per action, the sentence; per object type, {field: AuditField} of its before/after.
    audit_subjects: Mapping[str, object] = field(default_factory=dict)
    audit_actions: Mapping[str, str] = field(default_factory=dict)
    audit_fields: Mapping[str, Mapping[str, object]] = field(default_factory=dict)


@dataclass
class Registry:
    """What the registered features contributed, in registration (layer) order."""

    features: list[Feature] = field(default_factory=list)
    nav: list[NavEntry] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    jobs: dict[str, Job] = field(default_factory=dict)
    services: dict[str, object] = field(default_factory=dict)
    audit_subjects: dict[str, object] = field(default_factory=dict)
    audit_actions: dict[str, str] = field(default_factory=dict)
    audit_fields: dict[str, dict[str, object]] = field(default_factory=dict)

    def nav_for(self, role: str) -> list[NavEntry]:
        return sorted((e for e in self.nav if role in e.roles), key=lambda e: e.order)

    def panels_for(self, role: str, slot: str = "home") -> list[Panel]:
        return sorted((p for p in self.panels if role in p.roles and p.slot == slot), key=lambda p: p.order)

    def demos(self) -> list[tuple[str, Callable]]:
        return [(f.name, f.demo) for f in self.features if f.demo is not None]


def register_features(app: Flask, features: Iterable[Feature]) -> Registry:
    registry = app.extensions.setdefault(EXTENSION, Registry())
    for feature in features:
        register_refusals(feature.name, feature.refusals)
        for blueprint in feature.blueprints:
            app.register_blueprint(blueprint)
        for command in feature.commands:
            app.cli.add_command(command)
        app.jinja_env.filters.update(feature.template_filters)
        registry.nav.extend(feature.nav)
        registry.panels.extend(feature.panels)
        for job in feature.jobs:
            if job.name in registry.jobs:
                raise RuntimeError(f"job {job.name!r} is declared twice")
            registry.jobs[job.name] = job
        _register_audit(registry, feature)
        if feature.init is not None:
            feature.init(app)
        registry.features.append(feature)
    return registry


def _register_audit(registry: Registry, feature: Feature) -> None:
    for name, declared, into in (
        ("audit subject", feature.audit_subjects, registry.audit_subjects),
        ("audit action", feature.audit_actions, registry.audit_actions),
    ):
        for key, value in declared.items():
            if key in into:
                raise RuntimeError(f"{name} {key!r} is declared twice")
            into[key] = value
    for object_type, fields in feature.audit_fields.items():
        registry.audit_fields.setdefault(object_type, {}).update(fields)


def registry(app: Flask | None = None) -> Registry:
    return (app or current_app).extensions[EXTENSION]


def provide(app: Flask, name: str, implementation: object) -> None:
    """A higher feature supplies what a lower layer needs but may not import (e.g. accounts gives
    core the function that turns a bearer token into a user)."""
    app.extensions.setdefault(EXTENSION, Registry()).services[name] = implementation


def provided(name: str):
    return registry().services[name]
