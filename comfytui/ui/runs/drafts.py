"""What was typed in run forms and not sent yet: one draft per deployment, for the app's life.

A form keeps its draft on every change (`keep`), so leaving it any way and opening it again for
the same deployment restores the text. A draft equal to what the form showed when it opened
(`pristine`) is no draft. Starting the run forgets it. ctrl+q asks before quitting while
`pending` names any: that is typed input the user would lose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary


@dataclass(frozen=True)
class Draft:
    name: str  # the deployment's, for "the run form of txt2img"
    raws: dict[str, Any]
    pristine: dict[str, Any]  # what the form showed before anything was typed


_DRAFTS: WeakKeyDictionary[Any, dict[str, Draft]] = WeakKeyDictionary()


def get(app: Any, deployment_id: str) -> Draft | None:
    return _DRAFTS.get(app, {}).get(deployment_id)


def keep(app: Any, deployment_id: str, name: str, raws: dict, pristine: dict) -> None:
    drafts = _DRAFTS.setdefault(app, {})
    if raws == pristine:
        drafts.pop(deployment_id, None)
    else:
        drafts[deployment_id] = Draft(name, dict(raws), dict(pristine))


def forget(app: Any, deployment_id: str) -> None:
    _DRAFTS.get(app, {}).pop(deployment_id, None)


def pending(app: Any) -> list[str]:
    """The deployment names with typed input not sent yet."""
    return [d.name for d in _DRAFTS.get(app, {}).values()]
