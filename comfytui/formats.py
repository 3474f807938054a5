"""How values read on screen, the same in the TUI and the CLI (no Textual, no rich).

- durations: `seconds_text(86399)` -> "23h59m", `duration_text(start, end, now)`;
- relative times: `ago_text(when, now)` -> "3 min ago";
- numbers without exponents: `number_text(4294967295.0)` -> "4294967295";
- ranges: `range_text(0, 4294967295)` -> "0..4294967295";
- values as typed: `value_text(False)` -> "false", `value_text("a cat")` -> "a cat";
- byte counts: `size_text(1536)` -> "1.5 KB";
- an empty filter result: `no_match_text("runs", "xyz")` -> "no runs match 'xyz'".

`ui/format.py` wraps these in rich `Text`; `cli/output.py` prints them as they are.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from comfytui.sanitize import plain


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def seconds_text(seconds: float) -> str:
    """A span of time: "45s", "3m07s", "23h59m", "3d" (48 h and more in days)."""
    total = max(int(seconds), 0)
    minutes, secs = divmod(total, 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24}d"
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def duration_text(start: datetime | None, end: datetime | None, now: datetime) -> str:
    """Start to end, or start to `now` while it runs; "" without a start."""
    if start is None:
        return ""
    return seconds_text((_aware(end or now) - _aware(start)).total_seconds())


def ago_text(when: datetime, now: datetime, *, seconds_shown: bool = True) -> str:
    """A timestamp relative to `now`: "just now", "34 s ago", "3 min ago", "5 h ago", "2 d ago".

    Without `seconds_shown`, the first minute reads "just now" (a status line that would
    otherwise change, and be repainted, every second)."""
    seconds = (_aware(now) - _aware(when)).total_seconds()
    if seconds < (10 if seconds_shown else 60):  # also clock skew: a stamp slightly ahead
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 86400 * 60:
        return f"{int(seconds // 86400)} d ago"
    return _aware(when).strftime("%Y-%m-%d")


def ago_changes_in(when: datetime, now: datetime) -> float:
    """Seconds until `ago_text(when, now)` reads differently (the unit it shows turns over)."""
    seconds = (_aware(now) - _aware(when)).total_seconds()
    if seconds < 10:
        return 10 - seconds
    for unit, limit in ((1, 60), (60, 3600), (3600, 86400), (86400, 86400 * 60)):
        if seconds < limit:
            return unit - seconds % unit
    return math.inf  # a date: it stays


def number_text(value: float | int | None) -> str:
    """A number as typed: whole floats without ".0", never an exponent for a whole number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e18:
        return str(int(value))
    return repr(value)


def range_text(low: float | None, high: float | None) -> str:
    """`low..high` with either side left empty when open: "0..4294967295", "1..", "..10"."""
    return f"{number_text(low)}..{number_text(high)}"


def value_text(value: Any) -> str:
    """A value as the user would type it: `false`, `7`, `0.5`, `a cat`; lists as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return number_text(value)
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def size_text(count: float) -> str:
    """Bytes as "512 B", "1.5 KB", "250 MB", "1.1 GB" (1024 steps)."""
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            number = f"{value:.0f}" if unit == "B" else f"{value:.1f}".removesuffix(".0")
            return f"{number} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def no_match_text(noun: str, query: str) -> str:
    """What an empty filter result says: "no runs match 'xyz'"."""
    return f"no {noun} match {plain(query.strip(), 60)!r}"
