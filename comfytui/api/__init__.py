"""The async ComfyUI Deploy API client: the only code in comfytui that speaks HTTP.

The names load on first access (PEP 562): `comfytui.api.inputs` or `comfytui.api.urls` can be
imported by offline code without pulling in httpx, which `comfytui.api.client` imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comfytui.api.client import ComfyDeployClient
    from comfytui.api.dialect import Dialect
    from comfytui.api.download import Download
    from comfytui.api.inputs import input_kind, input_spec, is_input_class

_WHERE = {
    "ComfyDeployClient": "comfytui.api.client",
    "Dialect": "comfytui.api.dialect",
    "Download": "comfytui.api.download",
    "input_kind": "comfytui.api.inputs",
    "input_spec": "comfytui.api.inputs",
    "is_input_class": "comfytui.api.inputs",
}

__all__ = ["ComfyDeployClient", "Dialect", "Download", "input_kind", "input_spec", "is_input_class"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
