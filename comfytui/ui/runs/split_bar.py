"""The run screen's time bar: queue, cold start and execution as one coloured bar plus a legend.

Pure (run + now -> rich Text); the numbers are the server's (via `services.timeline`), drawn as
text, never markup. The run screen repaints it only when the text changes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.text import Text

from comfytui.services.timeline import Split, split
from comfytui.ui.format import duration

STYLES = {"queue": "yellow", "cold_start": "magenta", "execution": "green"}
BAR = "━"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def seconds_text(seconds: float) -> str:
    """A phase's length with the app's duration format ("<1s" under a second)."""
    if seconds < 1.0:
        return "<1s"
    end = _EPOCH + timedelta(seconds=seconds)
    return duration(_EPOCH, end, end).plain


def bar_widths(parts: list[float], width: int) -> list[int]:
    """Cells per phase: proportional, every non-zero phase at least one cell, sum == width."""
    total = sum(parts)
    if total <= 0 or width <= 0:
        return [0 for _ in parts]
    cells = [max(1, round(width * p / total)) if p > 0 else 0 for p in parts]
    while sum(cells) > width:
        cells[cells.index(max(cells))] -= 1
    while sum(cells) < width:
        cells[cells.index(max(cells))] += 1
    return cells


def split_text(run, now: datetime | None = None, width: int = 32) -> Text:  # noqa: ANN001
    """The bar, then one legend line per phase (`━━ cold start  29s`): fits a narrow column."""
    parts = split(run, now)
    return render(parts, width)


def render(parts: Split, width: int = 32) -> Text:
    text = Text()
    if not parts.known:
        return Text("Time split: —", style="dim")
    phases = parts.phases
    cells = bar_widths([p.seconds or 0.0 for p in phases], width)
    if not any(cells):
        text.append(BAR * width, style="dim")
    for phase, count in zip(phases, cells, strict=True):
        text.append(BAR * count, style=STYLES[phase.name])
    for phase in phases:
        text.append("\n")
        text.append(BAR * 2, style=STYLES[phase.name])
        text.append(f" {phase.label:<11}")
        if phase.seconds is None:
            text.append("—", style="dim")
        else:
            text.append(seconds_text(phase.seconds))
        if phase.current:
            text.append(" (now)", style="dim")
    return text
