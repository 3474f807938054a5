"""The async ComfyUI Deploy API client: the only code in comfytui that speaks HTTP."""

from __future__ import annotations

from comfytui.api.client import ComfyDeployClient
from comfytui.api.dialect import Dialect
from comfytui.api.download import Download
from comfytui.api.inputs import input_kind, input_spec, is_input_class

__all__ = ["ComfyDeployClient", "Dialect", "Download", "input_kind", "input_spec", "is_input_class"]
