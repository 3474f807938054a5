"""The queue line of a waiting run: "3rd in queue on gpu-a10g-prod"."""

from __future__ import annotations

from rich.text import Text

from comfytui.sanitize import plain


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def queue_text(waiting_before: int, machine: str | None) -> Text:
    """`waiting_before` is the server's queue_position (runs ahead of this one)."""
    where = f" on {plain(machine, 60)}" if machine else ""
    return Text(f"{ordinal(waiting_before + 1)} in queue{where}", style="yellow")
