"""Non-visual widget that follows runs in background workers (stub; being filled in)."""

from __future__ import annotations

from textual.widget import Widget


class RunWatcher(Widget):
    """Follows runs, one worker each; posts RunUpdated to the app."""

    DEFAULT_CSS = "RunWatcher { display: none; }"

    def watch(self, run_id: str) -> None:  # noqa: D102 - stub
        """Start following `run_id` (no-op until filled in)."""

    async def resume(self) -> None:
        """Follow every run the cache holds as unfinished (no-op until filled in)."""
