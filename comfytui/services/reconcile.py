"""After a crash: find on the server the run a "sending" planned run may have started.

A queue request whose answer never came (killed process, timeout, dropped connection, 5xx) is
never sent again blindly. The deployment's recent runs (`GET /api/deployment/{id}/runs` on v2)
are searched for one with the same inputs, created after the request was written down (less a
clock-skew allowance) and not already adopted by another planned run. Found: adopted (queued).
Not found: "unknown: may have started" (`comfytui sweep retry ID` decides).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from comfytui.errors import ApiError, NotSupportedError
from comfytui.models import PlannedRun, Run

if TYPE_CHECKING:  # the client (httpx) is built on first network use
    from comfytui.api import ComfyDeployClient

log = logging.getLogger(__name__)

SKEW = timedelta(minutes=5)  # server and client clocks may disagree this much
UNKNOWN_NOTE = "unknown: may have started (not found on the server)"
NO_LISTING_NOTE = "unknown: may have started (this server cannot list a deployment's runs)"


def process_alive(pid: int | None) -> bool:
    if pid is None or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _norm(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): _norm(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    return value


def inputs_key(inputs: Mapping[str, Any]) -> str:
    return json.dumps(_norm(dict(inputs)), sort_keys=True, ensure_ascii=False, default=str)


def match_runs(
    planned: Sequence[PlannedRun], server_runs: Sequence[Run], taken: set[str]
) -> dict[int, str]:
    """planned index -> server run id; each server run adopted at most once, oldest first."""
    pool = sorted(
        (r for r in server_runs if r.id not in taken),
        key=lambda r: (r.created_at.timestamp() if r.created_at else 0.0, r.id),
    )
    found: dict[int, str] = {}
    used: set[str] = set()
    for p in sorted(planned, key=lambda p: p.sent_at.timestamp() if p.sent_at else 0.0):
        key = inputs_key(p.inputs)
        for run in pool:
            if run.id in used or inputs_key(run.inputs) != key:
                continue
            if p.sent_at and run.created_at and run.created_at < p.sent_at - SKEW:
                continue
            found[p.index] = run.id
            used.add(run.id)
            break
    return found


async def lookup(
    client: ComfyDeployClient,
    deployment_id: str,
    planned: Sequence[PlannedRun],
    taken: set[str],
    limit: int,
) -> dict[int, str] | None:
    """Matches for `planned` (all of one deployment); None when the server cannot list runs."""
    try:
        server_runs = await client.list_deployment_runs(deployment_id, limit=limit)
    except NotSupportedError:
        return None
    except ApiError as exc:
        log.info("cannot list runs of %s to reconcile: %s", deployment_id, exc)
        raise
    return match_runs(planned, server_runs, taken)
