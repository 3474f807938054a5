"""The three server dialects: which route serves which operation, and the one-time probe.

- `v2`: api.comfydeploy.com (FastAPI backend).
- `legacy`: the hosted v1 API (www.comfydeploy.com/api) with its deployment listing.
- `selfhost`: the open-source server: run/upload/workflow routes only; listings answer 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

from comfytui.api.lazy import lazy_module
from comfytui.errors import NotFoundError

# the parsers (pydantic models) load on the first response parsed, not at import
parse_v2 = lazy_module("comfytui.api.parse_v2")
parse_legacy = lazy_module("comfytui.api.parse_legacy")

Dialect = Literal["v2", "legacy", "selfhost"]
DIALECTS: tuple[Dialect, ...] = ("v2", "legacy", "selfhost")
# what the UI calls each dialect (status bar, pane notices, error messages)
DIALECT_LABELS: dict[str, str] = {
    "v2": "ComfyDeploy API v2",
    "legacy": "hosted legacy API",
    "selfhost": "self-hosted server",
}
# the environments the hosted legacy deployment listing takes as `?environment=` (§1.9)
LEGACY_ENVIRONMENTS: tuple[str, ...] = ("production", "staging")


@dataclass(frozen=True, slots=True)
class Route:
    """One operation's HTTP method and path in a dialect."""

    method: str
    path: str  # relative to the API root; `{}` are filled with quoted ids in order
    listing: str = ""  # what a listing route lists; a 404 there means "not offered here"


_V2: dict[str, Route] = {
    "list_workflows": Route("GET", "workflows", listing="workflows"),
    "get_workflow": Route("GET", "workflow/{}"),
    "list_workflow_versions": Route("GET", "workflow/{}/versions"),
    "get_workflow_version": Route("GET", "workflow-version/{}"),
    "list_deployments": Route("GET", "deployments", listing="deployments"),
    "get_deployment": Route("GET", "deployment/{}"),
    "list_deployment_runs": Route("GET", "deployment/{}/runs"),
    "list_machines": Route("GET", "machines", listing="machines"),
    "get_machine": Route("GET", "machine/{}"),
    "queue_run": Route("POST", "run/deployment/queue"),
    "get_run": Route("GET", "run/{}"),
    "cancel_run": Route("POST", "run/{}/cancel"),
    "stream_run": Route("POST", "run/deployment/stream"),
    "stream_logs": Route("GET", "v2/stream-logs"),
    "upload_file": Route("POST", "file/upload"),
    "push_workflow": Route("POST", "workflow"),
}

# Routes both legacy flavours have (§7: the only ones a self-hosted server answers).
_LEGACY_COMMON: dict[str, Route] = {
    "get_workflow_version": Route("GET", "workflow-version/{}"),
    "queue_run": Route("POST", "run"),
    "get_run": Route("GET", "run"),  # ?run_id=
    "upload_file": Route("GET", "upload-url"),  # presigned PUT follows
    "push_workflow": Route("POST", "workflow"),
}

_HOSTED: dict[str, Route] = {
    **_LEGACY_COMMON,
    "list_workflows": Route("GET", "v1/workflows", listing="workflows"),
    "get_workflow": Route("GET", "v1/workflows/{}"),
    "list_deployments": Route("GET", "deployment", listing="deployments"),
    "get_deployment": Route("GET", "deployment/{}/inputs"),
    "list_machines": Route("GET", "v1/machines", listing="machines"),
    "get_machine": Route("GET", "v1/machines/{}"),
}

ROUTES: dict[str, dict[str, Route]] = {"v2": _V2, "legacy": _HOSTED, "selfhost": _LEGACY_COMMON}
PARSERS: dict[str, ModuleType] = {"v2": parse_v2, "legacy": parse_legacy, "selfhost": parse_legacy}

# The probe: v2's deployment listing, then the hosted legacy one; both 404 -> self-hosted.
PROBES: tuple[tuple[Dialect, str, dict[str, Any]], ...] = (
    ("v2", "deployments", {"page_size": 1}),
    ("legacy", "deployment", {"environment": "production"}),
)


async def probe(get: Callable[[str, dict[str, Any]], Awaitable[object]]) -> Dialect:
    """Ask the server which dialect it speaks; `get(path, params)` raises on failure.

    Only a 404 moves on to the next guess; any other error (bad key, network) propagates.
    """
    for dialect, path, params in PROBES:
        try:
            await get(path, params)
        except NotFoundError:
            continue
        return dialect
    return "selfhost"
