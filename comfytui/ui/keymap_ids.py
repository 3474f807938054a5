"""The binding ids the app's keys have: a config [keymap] naming another id is refused."""

from __future__ import annotations

import importlib
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode

import comfytui.ui


def known_binding_ids() -> set[str]:
    """Every `Binding(id=...)` declared by a comfytui widget, screen or app."""
    for info in pkgutil.walk_packages(comfytui.ui.__path__, "comfytui.ui."):
        importlib.import_module(info.name)
    ids: set[str] = set()
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        ids |= declared_ids(cls)
    return ids


def declared_ids(cls: type) -> set[str]:
    """The binding ids `cls` itself declares, when it is a comfytui class (else none)."""
    if not cls.__module__.startswith("comfytui."):
        return set()
    return {
        binding.id
        for binding in cls.__dict__.get("BINDINGS", ())
        if isinstance(binding, Binding) and binding.id
    }
