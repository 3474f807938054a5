"""The Logs tab's widget: Textual's `Log` (plain strings, only the visible lines rendered).

`RichLog` renders every written line through Rich at once (wrap, segments), which at 1,000
lines a second kept the event loop busy for half a second at a time (bench_logs). `Log` stores
strings and renders a line only when it is on screen, so a batch costs a list extend. Colour
comes from a highlighter run per visible line: timestamps dim, error/warning lines by their
level mark, search matches reversed. Server text is never parsed as markup (a `Log` has none)
and escape sequences are stripped before it is stored. Wrapping (`w`) splits lines at the
widget's width when they are written (re-done on resize).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.cells import cell_len, chop_cells
from rich.highlighter import Highlighter
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Log

from comfytui.models import LogLine
from comfytui.sanitize import plain

MARKS = {"error": "✖", "critical": "✖", "warning": "▲", "debug": "·"}
MARK_STYLES = {"✖": "red", "▲": "yellow", "·": "dim"}
STAMP = re.compile(r"^\d\d:\d\d:\d\d |^--:--:-- ")
INDENT = " " * 9  # continuation lines of a wrapped line start under the text


def line_string(line: LogLine) -> str:
    """`HH:MM:SS [mark ]text`: one stored row of the view (escapes stripped, length capped)."""
    stamp = line.timestamp.strftime("%H:%M:%S") if line.timestamp else "--:--:--"
    mark = MARKS.get(line.level)
    body = plain(line.text, 4_000)
    return f"{stamp} {mark} {body}" if mark else f"{stamp} {body}"


class LogHighlighter(Highlighter):
    def __init__(self) -> None:
        self.query: re.Pattern[str] | None = None

    def set_query(self, query: str) -> None:
        self.query = re.compile(re.escape(query), re.IGNORECASE) if query else None

    def highlight(self, text: Text) -> None:
        line = text.plain
        found = STAMP.match(line)
        if found:
            text.stylize("dim", 0, found.end() - 1)
            mark = line[found.end() : found.end() + 2]
            style = MARK_STYLES.get(mark[:1]) if mark[1:] == " " else None
            if style:
                text.stylize(style, found.end())
        if self.query is not None:
            for match in self.query.finditer(line):
                text.stylize("reverse", match.start(), match.end())


class WrapWidthChanged(Message):
    """The view was resized while wrapping: the screen writes its lines again."""


class LogView(Log):
    """A `Log` of run log lines with level colours, search highlight and optional wrapping."""

    def __init__(self, *, max_lines: int, id: str | None = None) -> None:  # noqa: A002
        super().__init__(highlight=True, max_lines=max_lines, id=id)
        self.highlighter = LogHighlighter()
        self.wrap = False
        self._wrap_width = 0

    def _update_size(self, updates: int, lines: list[str]) -> None:  # type: ignore[override]
        """The widest new row, measured here rather than in a thread per write (`Log` starts
        one): a thread holding the GIL while the OS runs something else stalls the event loop
        on a loaded machine. Rows are short and mostly ASCII (`len`), so this is cheap."""
        if lines:
            process = self._process_line
            widest = max(
                len(row) if row.isascii() and "\t" not in row else cell_len(process(row))
                for row in lines
            )
            self._update_maximum_width(updates, widest)

    def set_query(self, query: str) -> None:
        self.highlighter.set_query(query)  # type: ignore[attr-defined]
        self._render_line_cache.clear()
        self.refresh()

    def rows(self, lines: Iterable[LogLine]) -> list[str]:
        """Stored rows for `lines` (several per line when wrapping)."""
        strings = [line_string(line) for line in lines]
        width = self._wrap_width
        if not self.wrap or width <= len(INDENT) + 8:
            return strings
        out: list[str] = []
        for text in strings:
            if len(text) <= width and text.isascii():
                out.append(text)
                continue
            first, *rest = chop_cells(text, width)
            out.append(first)
            tail = "".join(rest)
            if tail:
                out.extend(INDENT + part for part in chop_cells(tail, width - len(INDENT)))
        return out

    def add(self, lines: list[LogLine]) -> None:
        """Append a batch in one write (one refresh, one scroll)."""
        if lines:
            self.write_lines(self.rows(lines))

    def replace(self, lines: Iterable[LogLine]) -> None:
        self._wrap_width = max(self.scrollable_content_region.width - 1, 0)
        self.clear()
        self.add(list(lines))

    def on_resize(self, event: events.Resize) -> None:
        if self.wrap and event.size.width - 1 != self._wrap_width:
            self.post_message(WrapWidthChanged())
