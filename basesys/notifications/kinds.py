"""Kinds of notification: the sending feature declares each one's texts and link.

A feature lists its kinds in its declaration (`Feature(notification_kinds=(...))`); they are looked
up by name when a notification is shown or e-mailed, so a message is rendered in the reader's
language at reading time and the stored row holds only its values.
"""

from collections.abc import Callable
from dataclasses import dataclass

from basesys.core.features import registry


@dataclass(frozen=True)
class NotificationKind:
    """`text(data)`: the in-app message in the reader's language (translate inside); `email(data)`: (subject, body) in
    Chinese, or None for no e-mail; `link(object_id)`: the page it opens, with `link_label`."""

    name: str
    text: Callable[[dict], str]
    email: Callable[[dict], tuple[str, str]] | None = None
    link: Callable[[int], str | None] | None = None
    link_label: object = None


def kind_named(name: str) -> NotificationKind | None:
    for feature in registry().features:
        for kind in feature.notification_kinds:
            if kind.name == name:
                return kind
    return None


def notification_text(notification) -> str:
    kind = kind_named(notification.kind)
    return kind.text(notification.data or {}) if kind else notification.kind


def notification_link(notification) -> tuple[str | None, object]:
    """(url, label) of the page the notification is about, or (None, None)."""
    kind = kind_named(notification.kind)
    if kind is None or kind.link is None or notification.object_id is None:
        return None, None
    return kind.link(notification.object_id), kind.link_label
