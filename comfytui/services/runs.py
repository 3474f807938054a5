"""`session.runs`: start, watch, cancel and resume runs; save their outputs. A run is never lost.

The run id and the inputs used are written to the cache the moment the server returns the id;
every change seen while watching is written through; a new session finds the unfinished runs
in the cache and watches them again (`unfinished()`, `resume()`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from comfytui.cache import Cache
from comfytui.errors import ApiError, ComfyTuiError, NotFoundError
from comfytui.models import Deployment, OutputFile, Run, RunStatus, SavedOutput, output_key
from comfytui.sanitize import plain
from comfytui.services.base import UNREACHABLE
from comfytui.services.catalog import Catalog
from comfytui.services.inputs import local_files, validate_inputs
from comfytui.services.outputs import OutputStore
from comfytui.services.run_catalog import merge_run, not_found, resumable_runs
from comfytui.services.sweeps import queued_run

if TYPE_CHECKING:
    from comfytui.api import ComfyDeployClient
    from comfytui.api.watch import Interval

log = logging.getLogger(__name__)

Report = Callable[[BaseException | None], object]
UploadProgress = Callable[[str, int, int | None], object]  # (input name, bytes sent, total)
DOWNLOAD_TYPES = ("image/", "video/", "audio/", "application/", "text/")


class RunService:
    def __init__(
        self,
        client: ComfyDeployClient,
        cache: Cache,
        catalog: Catalog,
        store: OutputStore,
        *,
        min_interval: float = 0.5,
        max_interval: float = 5.0,
    ) -> None:
        self.client = client
        self.cache = cache
        self.catalog = catalog
        self.store = store
        self.min_interval = min_interval
        self.max_interval = max_interval
        self.queue: Callable[[Deployment, dict[str, Any]], Awaitable[str]] | None = None
        self._save_locks: dict[str, asyncio.Lock] = {}  # run id -> its outputs being saved

    # --- start --------------------------------------------------------------------------------

    async def _keep_logs(self, run_id: str) -> None:
        """A run started here: its log is kept whole in the cache (services.logs)."""
        try:
            await self.cache.track_logs(run_id)
        except ComfyTuiError as exc:
            log.warning("run log of %s will not be kept: %s", run_id, exc)

    async def start(
        self,
        deployment: Deployment | str,
        values: Mapping[str, Any],
        on_upload_progress: UploadProgress | None = None,
    ) -> Run:
        """Validate, upload local files, queue; the run is in the cache as soon as its id is."""
        if isinstance(deployment, str):
            deployment = await self.catalog.resolve_deployment(deployment)
        try:
            deployment = await self.catalog.ensure_inputs(deployment)
        except (ApiError, *UNREACHABLE) as exc:
            log.info("inputs of %s unknown (%s); values are sent unchecked", deployment.id, exc)
        inputs = validate_inputs(deployment.inputs, values)
        for name, path in local_files(inputs).items():
            inputs[name] = await self._upload(name, path, on_upload_progress)
        if self.queue is not None:  # the sweeps service: intent recorded, reconciled after a crash
            run_id = await self.queue(deployment, inputs)
        else:
            run_id = await self.client.queue_run(deployment.id, inputs)
        run = queued_run(deployment, run_id, inputs)
        await self.cache.upsert_run(run)
        await self._keep_logs(run_id)
        await self.cache.save_last_inputs(deployment.id, inputs)
        return run

    async def _upload(self, name: str, path: Path, progress: UploadProgress | None) -> str:
        callback = None
        if progress is not None:

            def callback(sent: int, total: int) -> None:
                progress(name, sent, total)

        return await self.client.upload_file(path, on_progress=callback)

    async def last_inputs(self, deployment_id: str) -> dict[str, Any] | None:
        return await self.cache.last_inputs(deployment_id)

    # --- follow -------------------------------------------------------------------------------

    async def watch(
        self,
        run_id: str,
        *,
        save: bool = True,
        report: Report | None = None,
        min_interval: Interval | None = None,
    ) -> AsyncIterator[Run]:
        """Each change of the run until it ends, written to the cache before it is yielded.

        After a successful end has been yielded, its outputs are saved (`save_outputs`) before
        the iteration finishes; a failure there is logged, and a later `save_outputs` reports it.
        Every poll's outcome goes to the session's `Connectivity` and to `report` (None: the
        server answered; an error: a rate limit being waited out, or the error that ends the
        watch). `min_interval` (seconds, or a callable asked before each wait) overrides the
        service's shortest poll interval. A run the server answers 404 for is marked
        `not-found` in the cache and yielded once more, so it is never left "queued"
        (see `mark_not_found`).
        """
        known = await self.cache.get_run(run_id)
        if known is not None and known.is_terminal:
            yield known
        else:
            link = self.catalog.link

            def heard(error: BaseException | None) -> None:
                if error is None:
                    link.reached()
                else:
                    link.failed(error)
                if report is not None:
                    report(error)

            stream = self.client.watch_run(
                run_id,
                min_interval=self.min_interval if min_interval is None else min_interval,
                max_interval=self.max_interval, report=heard,
            )  # fmt: skip
            try:
                async for snapshot in stream:
                    known = merge_run(snapshot, known)
                    await self.cache.upsert_run(known)
                    yield known
            except NotFoundError as exc:
                heard(None)  # it answered: the server is fine, the run is what is missing
                if known is None:
                    raise
                known = await self.mark_not_found(known, str(exc))
                yield known
                return
            except UNREACHABLE as exc:
                heard(exc)
                raise
        if save and known is not None and known.status is RunStatus.SUCCESS and known.outputs:
            try:
                await self.save_outputs(known)
            except ComfyTuiError as exc:
                log.warning("outputs of run %s not saved: %s", run_id, exc)

    async def mark_not_found(self, run: Run, reason: str) -> Run:
        """Keep `run` in the cache as unknown to the server (status `not-found`)."""
        gone = not_found(run, reason)
        await self.cache.upsert_run(gone)
        return gone

    async def cancel(self, run_id: str) -> Run | None:
        await self.client.cancel_run(run_id)
        try:
            return await self.catalog.get_run(run_id)
        except ComfyTuiError:
            return None

    async def unfinished(self) -> list[Run]:
        """Runs worth watching again after a restart (see `resumable_runs`)."""
        return await resumable_runs(self.cache)

    async def resume(
        self, on_update: Callable[[Run], object] | None = None, save: bool = True
    ) -> list[Run]:
        """Watch every unfinished run to its end (saving outputs); returns the final states."""

        async def follow(run: Run) -> Run:
            last = run
            async for last in self.watch(run.id, save=save):
                if on_update is not None:
                    on_update(last)
            return last

        pending = await self.unfinished()
        results = await asyncio.gather(*(follow(r) for r in pending), return_exceptions=True)
        for run, result in zip(pending, results, strict=True):
            if isinstance(result, BaseException):
                log.warning("could not resume run %s: %s", run.id, result)
        return [r for r in results if isinstance(r, Run)]

    # --- outputs ------------------------------------------------------------------------------

    async def save_outputs(self, run: Run) -> list[SavedOutput]:
        """Download the run's output files into `<data>/outputs/<run_id>/` (once each).

        One save of a run at a time: the run watcher and an open run screen both ask when a
        run ends, and the second must find the first's files, not download them again (a
        second download would also overwrite a file the user may be looking at)."""
        lock = self._save_locks.setdefault(run.id, asyncio.Lock())
        async with lock:
            return await self._save_outputs(run)

    async def _save_outputs(self, run: Run) -> list[SavedOutput]:
        recorded = {output_key(o.url): o for o in await self.cache.outputs_for_run(run.id)}
        saved: list[SavedOutput] = []
        errors: list[ComfyTuiError] = []
        for output in run.outputs:
            known = recorded.get(output_key(output.url))
            if known is not None and Path(known.path).is_file():
                saved.append(known)
                continue
            try:
                saved.append(await self._save_one(run.id, output))
            except ComfyTuiError as exc:
                errors.append(exc)
        if errors:
            raise errors[0]
        return saved

    async def _save_one(self, run_id: str, output: OutputFile) -> SavedOutput:
        download = await self.client.download(output.url, allowed_types=DOWNLOAD_TYPES)
        name = output.filename or _url_name(output.url)
        try:
            stored = await asyncio.to_thread(self.store.save, run_id, name, download.content)
        except OSError as exc:
            raise ComfyTuiError(
                f"cannot save {plain(name, 60)} in {self.store.root}: {exc.strerror or exc}"
            ) from None
        if not stored.written:
            same = await self.cache.find_output_by_sha(run_id, stored.sha256)
            if same is not None and Path(same.path) == stored.path:
                return same
        saved = SavedOutput(
            run_id,
            output.url,
            str(stored.path),
            stored.sha256,
            stored.size,
            download.content_type or None,
        )
        await self.cache.record_output(saved)
        return saved


def _url_name(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "output"
