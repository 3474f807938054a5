"""`ComfyDeployClient`: every operation of the contract, for the three dialects.

Routes live in `dialect.py`, parsing in `parse_v2.py` / `parse_legacy.py`, HTTP in
`transport.py`, retry rules in `retry.py`; this module only wires them together.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from comfytui.api import watch
from comfytui.api.dialect import (
    DIALECT_LABELS,
    DIALECTS,
    LEGACY_ENVIRONMENTS,
    PARSERS,
    ROUTES,
    Dialect,
    Route,
    parse_legacy,
    parse_v2,
    probe,
)
from comfytui.api.download import Download, fetch
from comfytui.api.retry import RetryPolicy
from comfytui.api.transport import NO_BODY, Transport
from comfytui.api.urls import ApiBase, segment
from comfytui.errors import (
    ApiError,
    AuthError,
    ConfigError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    NotSupportedError,
    ProtocolError,
    RateLimitedError,
    ValidationError,
)
from comfytui.models import (
    Deployment,
    LogLine,
    Machine,
    PushedWorkflow,
    Run,
    Workflow,
    WorkflowVersion,
)

if TYPE_CHECKING:
    from comfytui.api.upload import ProgressCallback

T = TypeVar("T")

# what `ping` asks: a small listing where there is one, else a run id nobody has (404 = alive)
PINGS: dict[str, tuple[str, dict[str, Any]]] = {
    "v2": ("deployments", {"page_size": 1}),
    "legacy": ("deployment", {"environment": "production"}),
    "selfhost": ("run", {"run_id": "00000000-0000-0000-0000-000000000000"}),
}

_EMPTY_SNAPSHOT = {"comfyui": "", "git_custom_nodes": {}, "file_custom_nodes": []}


class ComfyDeployClient:
    """Async client for one ComfyUI Deploy server; use as `async with`."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        dialect: str = "auto",
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_body_bytes: int = 20_000_000,
        retry_attempts: int = 4,
        retry_timeout: float = 30.0,
        retry_wait_initial: float = 0.25,
        retry_wait_max: float = 5.0,
        retry_jitter: float = 0.5,
        retry_after_cap: float = 30.0,
        poll_rate: float = 100.0,
    ) -> None:
        if dialect != "auto" and dialect not in DIALECTS:
            raise ConfigError(f"unknown API dialect {dialect!r}: use auto, {', '.join(DIALECTS)}")
        self._base = ApiBase.parse(base_url)
        self._transport = Transport(
            self._base,
            api_key,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_body_bytes=max_body_bytes,
        )
        self._retry = RetryPolicy(
            max(retry_attempts, 1), retry_timeout, retry_wait_initial, retry_wait_max,
            retry_jitter, retry_after_cap,
        )  # fmt: skip
        self._dialect: Dialect | None = None if dialect == "auto" else dialect  # type: ignore[assignment]
        self._probe_lock = asyncio.Lock()
        # watch_run polls of this client share one pace: at most `poll_rate` GETs a second
        self._pacer = watch.Pacer(poll_rate)

    async def __aenter__(self) -> ComfyDeployClient:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    @property
    def origin(self) -> str:
        return self._base.origin

    @property
    def host(self) -> str:
        return self._base.host

    @property
    def dialect(self) -> str | None:
        """The dialect in use: set in config, or found by the first probe (None before)."""
        return self._dialect

    @property
    def api_url(self) -> str:
        return self._base.root

    # --- plumbing ---------------------------------------------------------------------------

    async def detect_dialect(self) -> Dialect:
        """The server's dialect; probed once (two GETs at most) and remembered."""
        if self._dialect is None:
            async with self._probe_lock:
                if self._dialect is None:
                    self._dialect = await probe(self._probe_get)
        return self._dialect

    async def ping(self) -> None:
        """One cheap GET, sent once (no retries), that shows whether the server is usable.

        Any JSON answer counts, a 4xx included (it answered); 5xx, 429, network failures and
        unusable bodies raise their errors. Used by the background probe after a failure.
        """
        dialect = self._dialect or await self.detect_dialect()
        path, params = PINGS[dialect]
        try:
            reply = await self._transport.send("GET", self._base.url(path), params=params)
        except (NotFoundError, ValidationError, AuthError, ForbiddenError):
            return
        reply.json()

    async def _probe_get(self, path: str, params: dict[str, Any]) -> object:
        return await self._call(Route("GET", path), params=params)

    async def _route(self, op: str) -> tuple[Route, Any]:
        dialect = self._dialect or await self.detect_dialect()
        route = ROUTES[dialect].get(op)
        if route is None:
            what = op.replace("_", " ")
            raise NotSupportedError(f"{self.host} ({DIALECT_LABELS[dialect]}) cannot {what}")
        return route, PARSERS[dialect]

    async def _call(
        self,
        route: Route,
        *ids: str,
        params: Mapping[str, Any] | None = None,
        body: Any = NO_BODY,
        idempotent: bool | None = None,
    ) -> Any:
        """Send `route` under the retry policy and decode its JSON."""
        url = self._base.url(route.path.format(*(segment(i) for i in ids)))
        if idempotent is None:
            idempotent = route.method == "GET"
        try:
            reply = await self._retry.call(
                lambda: self._transport.send(route.method, url, params=params, json_body=body),
                idempotent=idempotent,
            )
        except NotFoundError:
            if not route.listing:
                raise
            label = DIALECT_LABELS.get(self._dialect or "", "")
            host = f"{self.host} ({label})" if label else self.host
            message = f"{host} does not list {route.listing}: enter ids by hand"
            raise NotSupportedError(message) from None
        return reply.json()

    def _parse(self, fn: Callable[..., T], data: Any, *args: Any) -> T:
        try:
            return fn(data, *args)
        except ProtocolError as exc:
            raise ProtocolError(f"{self.host} sent an unusable answer: {exc}") from None

    async def _get(self, op: str, fn_name: str, *ids: str, params: Any = None) -> Any:
        route, parser = await self._route(op)
        data = await self._call(route, *ids, params=params)
        return self._parse(getattr(parser, fn_name), data)

    # --- catalog ----------------------------------------------------------------------------

    async def list_workflows(
        self, limit: int = 100, offset: int = 0, search: str | None = None
    ) -> list[Workflow]:
        params = {"limit": limit, "offset": offset, **({"search": search} if search else {})}
        return await self._get("list_workflows", "parse_workflows", params=params)

    async def get_workflow(self, workflow_id: str) -> Workflow:
        return await self._get("get_workflow", "parse_workflow", workflow_id)

    async def list_workflow_versions(self, workflow_id: str) -> list[WorkflowVersion]:
        return await self._get("list_workflow_versions", "parse_versions", workflow_id)

    async def get_workflow_version(self, version_id: str) -> WorkflowVersion:
        return await self._get("get_workflow_version", "parse_version", version_id)

    async def list_deployments(self, environment: str | None = None) -> list[Deployment]:
        route, parser = await self._route("list_deployments")
        if parser is parse_legacy:
            # Hosted legacy (§1.9): no environment field; one listing per environment, and an
            # entry is labelled with the environment it was listed under.
            wanted = (environment,) if environment else LEGACY_ENVIRONMENTS
            pages = await asyncio.gather(
                *(self._call(route, params={"environment": env}) for env in wanted)
            )
            return [
                deployment
                for env, data in zip(wanted, pages, strict=True)
                for deployment in self._parse(parse_legacy.parse_deployments, data, env)
            ]
        data = await self._call(route, params={"environment": environment} if environment else {})
        return self._parse(parse_v2.parse_deployments, data)

    async def get_deployment(self, deployment_id: str) -> Deployment:
        route, parser = await self._route("get_deployment")
        if parser is not parse_legacy:
            return self._parse(parse_v2.parse_deployment, await self._call(route, deployment_id))
        # Hosted legacy has no single-deployment route: the listing entry + its input list.
        found = [d for d in await self.list_deployments() if d.id == deployment_id]
        if not found:
            raise NotFoundError(f"Deployment {deployment_id} not found on {self.host}")
        if found[0].inputs:
            return found[0]
        inputs = self._parse(parse_legacy.parse_input_list, await self._call(route, deployment_id))
        return replace(found[0], inputs=inputs)

    async def list_deployment_runs(self, deployment_id: str, limit: int = 50) -> list[Run]:
        params = {"limit": limit}
        return await self._get("list_deployment_runs", "parse_runs", deployment_id, params=params)

    async def list_machines(self) -> list[Machine]:
        return await self._get("list_machines", "parse_machines")

    async def get_machine(self, machine_id: str) -> Machine:
        return await self._get("get_machine", "parse_machine", machine_id)

    # --- runs -------------------------------------------------------------------------------

    async def queue_run(self, deployment_id: str, inputs: Mapping[str, Any]) -> str:
        """Queue a run; returns its id.

        NEVER retried once the request may have reached the server: a duplicate would start
        a second paid GPU run. `idempotent=False` limits retries to ConnectFailedError, raised
        only when no connection could be opened (nothing was sent).
        """
        route, parser = await self._route("queue_run")
        body = {"deployment_id": deployment_id, "inputs": dict(inputs)}
        data = await self._call(route, body=body, idempotent=False)
        return self._parse(parser.parse_queued, data)

    async def get_run(self, run_id: str) -> Run:
        try:
            if self._dialect is None:
                run = await self._get_run_unprobed(run_id)
                if run is not None:
                    return run
            route, parser = await self._route("get_run")
            if route.path == "run":  # legacy: GET /api/run?run_id=
                data = await self._call(route, params={"run_id": run_id})
            else:
                data = await self._call(route, run_id)
        except NotFoundError as exc:  # legacy says "Workflow not found" for a missing run
            raise NotFoundError(
                f"run {run_id} not found on {self.host}", status_code=exc.status_code
            ) from None
        return self._parse(parser.parse_run, data)

    async def _get_run_unprobed(self, run_id: str) -> Run | None:
        """Before the dialect is known, v2's `GET run/{id}` in place of the probe's round trip.

        A 200 whose body is a v2 run (it has `number`: v2's run model requires it, neither
        legacy body has it, reference 1.4 and 2.4) decides v2. A bad key, a network failure
        or a rate limit would fail the probe alike: raised. Any other answer is the probe's to
        judge: on a v2 server it stands (raised or parsed, never asked twice); on a legacy one
        (which answers 404 here) None, and the caller asks the legacy route.
        """
        try:
            data = await self._call(ROUTES["v2"]["get_run"], run_id)
        except (AuthError, ForbiddenError, NetworkError, RateLimitedError):
            raise
        except ApiError:
            if await self.detect_dialect() == "v2":
                raise
            return None
        if isinstance(data, dict) and "number" in data:
            self._dialect = self._dialect or "v2"
        elif await self.detect_dialect() != "v2":
            return None
        return self._parse(parse_v2.parse_run, data)

    async def cancel_run(self, run_id: str) -> None:
        route, _ = await self._route("cancel_run")
        await self._call(route, run_id, idempotent=True)  # cancelling twice is harmless

    def watch_run(
        self,
        run_id: str,
        *,
        min_interval: watch.Interval = 0.5,
        max_interval: float = 5.0,
        report: watch.Report | None = None,
    ) -> AsyncIterator[Run]:
        """Poll a run, yielding each changed snapshot, until it is terminal (see `watch.poll`)."""
        return watch.poll(
            self.get_run, run_id, min_interval, max_interval, pacer=self._pacer, report=report
        )

    async def stream_run(
        self,
        deployment_id: str,
        inputs: Mapping[str, Any],
        *,
        idle_timeout: float = 120.0,
        min_interval: float = 0.5,
        max_interval: float = 5.0,
        on_log: Callable[[str, list[LogLine]], object] | None = None,
    ) -> AsyncIterator[Run | str]:
        """Queue a run on the v2 SSE route: yields its id (str) first, then Run snapshots.

        Never retried (it queues a paid run). Falls back to polling if the stream breaks
        after the run id arrived; `idle_timeout` is the longest silence accepted. The lines of
        its `log_update` events go to `on_log(run_id, lines)` (e.g. `session.logs.publish`).
        """
        route, _ = await self._route("stream_run")
        body = {"deployment_id": deployment_id, "inputs": dict(inputs)}
        items = watch.stream(
            self._transport,
            self._base.url(route.path),
            body,
            self.get_run,
            idle_timeout=idle_timeout,
            min_interval=min_interval,
            max_interval=max_interval,
            pacer=self._pacer,
            on_log=on_log,
        )
        async for item in items:
            yield item

    async def stream_logs(
        self, run_id: str, *, log_level: str = "info", idle_timeout: float = 120.0
    ) -> AsyncIterator[LogLine]:
        """A run's log lines (v2): replayed when finished, followed while it runs.

        Ends at the server's `stream_complete`; `LogsUnavailable` when it keeps none;
        `NotSupportedError` on legacy and self-hosted servers (no log route).
        """
        from comfytui.api.logs import iter_log_lines
        from comfytui.api.sse import iter_events

        route, _ = await self._route("stream_logs")
        params = {"run_id": run_id, "log_level": log_level}
        url = self._base.url(route.path)
        async with self._transport.stream(
            "GET", url, params=params, read_timeout=idle_timeout
        ) as resp:
            events = iter_events(resp.aiter_text(), self._transport.max_body_bytes, self.host)
            async for line in iter_log_lines(events, self.host):
                yield line

    async def queue_position(self, run_id: str) -> int | None:
        """How many runs wait before this one on its machine (v2 only; else None)."""
        route, _ = await self._route("get_run")
        if route.path == "run":
            return None
        data = await self._call(route, run_id, params={"queue_position": "true"})
        value = data.get("queue_position") if isinstance(data, dict) else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    # --- files and workflows ----------------------------------------------------------------

    async def upload_file(
        self,
        path: Path,
        *,
        content_type: str | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> str:
        """Upload a local input file; returns the URL to pass as the input value."""
        from comfytui.api import upload  # noqa: PLC0415 - mimetypes and secrets, only to upload

        path = Path(path)
        route, parser = await self._route("upload_file")
        url = self._base.url(route.path)
        if parser is parse_v2:
            body = upload.multipart_body(path, content_type, on_progress)
            reply = await upload.send(self._transport, self._retry, "POST", url, body)
            return self._parse(parse_v2.parse_uploaded, reply.json())
        body = upload.raw_body(path, content_type, on_progress)
        params = {"type": body.file_type, "file_size": body.size}
        presigned = self._parse(
            parse_legacy.parse_presigned, await self._call(route, params=params)
        )
        await upload.send(self._transport, self._retry, "PUT", presigned.upload_url, body)
        return presigned.download_url

    async def download(
        self, url: str, *, max_bytes: int | None = None, allowed_types: Sequence[str] = ("image/",)
    ) -> Download:
        """Fetch an output file: no key sent, redirects followed, size and type checked."""
        allowed = tuple(allowed_types)
        return await fetch(
            self._transport, self._retry, url, max_bytes=max_bytes, allowed_types=allowed
        )

    async def push_workflow(
        self,
        name: str,
        workflow: Any,
        workflow_api: Mapping[str, Any],
        snapshot: Mapping[str, Any] | None = None,
        workflow_id: str | None = None,
    ) -> PushedWorkflow:
        """Create a workflow (or a new version of `workflow_id`); not retried once sent."""
        route, parser = await self._route("push_workflow")
        body: dict[str, Any] = {
            "workflow_name": name,
            "workflow": workflow,
            "workflow_api": dict(workflow_api),
            "snapshot": dict(snapshot) if snapshot is not None else _EMPTY_SNAPSHOT,
        }
        if workflow_id:
            body["workflow_id"] = workflow_id
        return self._parse(parser.parse_pushed, await self._call(route, body=body))
