"""Turn domain values into Rich `Text` for tables and detail views (words from `formats`).

Server text is data: every string from the server goes through `safe()`, which strips escape
sequences and builds a plain `Text` (never markup), so `[@click=app.quit]` renders literally.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text

from comfytui import formats
from comfytui.models import RunStatus
from comfytui.sanitize import plain

STATUS_STYLES: dict[str, str] = {
    # runs
    RunStatus.SUCCESS: "bold green",
    RunStatus.FAILED: "bold red",
    RunStatus.TIMEOUT: "bold red",
    RunStatus.CANCELLED: "yellow",
    RunStatus.RUNNING: "bold cyan",
    RunStatus.STARTED: "cyan",
    RunStatus.UPLOADING: "cyan",
    RunStatus.QUEUED: "blue",
    RunStatus.NOT_STARTED: "dim",
    RunStatus.UNKNOWN: "dim",
    RunStatus.NOT_FOUND: "bold yellow",
    # machines
    "ready": "bold green",
    "error": "bold red",
    "building": "yellow",
    "starting": "yellow",
    "paused": "dim",
}


def safe(value: object, limit: int | None = 80, style: str = "") -> Text:
    """Server text as a literal `Text` (no markup, no escapes); `None` becomes an em dash."""
    if value is None or value == "":
        return Text("—", style="dim")
    return Text(plain(value, limit), style=style)


def status(value: object) -> Text:
    text = plain(value, 20) or "unknown"
    return Text(text, style=STATUS_STYLES.get(text.lower(), ""))


def progress(value: float | None, width: int = 8) -> Text:
    """A small bar and percentage for an active run, e.g. `████░░░░  52%`."""
    if value is None:
        return Text("")
    fraction = min(max(value, 0.0), 1.0)
    filled = round(fraction * width)
    bar = Text("█" * filled, style="cyan")
    bar.append("░" * (width - filled), style="dim")
    bar.append(f" {fraction * 100:3.0f}%")
    return bar


def ago(when: datetime | None, now: datetime) -> Text:
    """A timestamp relative to `now`: "just now", "3 min ago", "5 h ago", "2 d ago"."""
    if when is None:
        return Text("—", style="dim")
    return Text(ago_str(when, now))


def ago_str(when: datetime, now: datetime, *, seconds_shown: bool = True) -> str:
    return formats.ago_text(when, now, seconds_shown=seconds_shown)


def duration(start: datetime | None, end: datetime | None, now: datetime) -> Text:
    """Elapsed time of a run: start to end, or start to now while it runs (`formats`)."""
    if start is None:
        return Text("—", style="dim")
    return Text(formats.duration_text(start, end, now))


def short_id(value: str | None, length: int = 8) -> Text:
    return safe(value[:length] if value else None, None, style="dim")


def sort_key(value: object) -> tuple[int, object]:
    """Sort `None` last and compare like with like (datetimes, numbers, case-folded text)."""
    if value is None or value == "":
        return (1, "")
    if isinstance(value, str):
        return (0, value.casefold())
    if isinstance(value, datetime):
        return (0, value.timestamp() if value.tzinfo else value.replace(tzinfo=UTC).timestamp())
    return (0, value)
