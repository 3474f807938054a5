"""Run logs for the TUI and CLI: the client's log stream, with one-line errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from comfytui.api.logs import LogsUnavailable
from comfytui.errors import NotSupportedError
from comfytui.models import LogLine

if TYPE_CHECKING:  # the client (httpx) is built on first network use, not imported at start
    from comfytui.api import ComfyDeployClient

__all__ = ["LogService", "LogsUnavailable"]


class LogService:
    """`lines(run_id)` replays a finished run's log or follows a running one."""

    def __init__(self, client: ComfyDeployClient) -> None:
        self.client = client

    async def lines(self, run_id: str, *, log_level: str = "info") -> AsyncIterator[LogLine]:
        try:
            async for line in self.client.stream_logs(run_id, log_level=log_level):
                yield line
        except NotSupportedError:
            raise NotSupportedError(
                f"{self.client.host} has no log route (legacy and self-hosted servers keep none)"
            ) from None

    async def queue_position(self, run_id: str) -> int | None:
        return await self.client.queue_position(run_id)
