"""Read-only mode, enforced once, below every front end.

`Session` hands its services a `ReadOnlyClient` when `settings.readonly` is set: reads pass
through to the real client, and every call that starts, cancels, uploads or pushes raises
`ReadOnlyError` before any request is built. Features built on the services (runs, sweeps,
reruns, workflow push) inherit the rule without knowing about it; the UI and the CLI only use
`refusal()` / `MUTATING` to say so earlier and to hide their keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from comfytui.errors import READONLY_HINT as HINT
from comfytui.errors import ReadOnlyError

#: client method -> what the user tried, for the one-line refusal
MUTATING: dict[str, str] = {
    "queue_run": "starting a run",
    "stream_run": "starting a run",
    "cancel_run": "cancelling a run",
    "upload_file": "uploading a file",
    "push_workflow": "pushing a workflow",
}


def refusal(what: str) -> ReadOnlyError:
    return ReadOnlyError(f"{what} is disabled in {HINT}")


class ReadOnlyClient:
    """A `ComfyDeployClient` that refuses every mutating call (see `MUTATING`)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    @property
    def wrapped(self) -> Any:
        return self._client

    def __getattr__(self, name: str) -> Any:
        what = MUTATING.get(name)
        if what is not None:
            return _refuser(what)
        return getattr(self._client, name)


def _refuser(what: str) -> Callable[..., Any]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        del args, kwargs
        raise refusal(what)

    return refuse
