"""Cell formatting: server text stays literal, relative times, progress bars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.text import Text

from comfytui.models import RunStatus
from comfytui.ui.format import ago_str, duration, progress, safe, sort_key, status

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_safe_keeps_markup_literal_and_strips_escapes():
    text = safe("[@click=app.quit]boom[/] \x1b]52;c;aGk=\x07\x1b[31mred")
    assert isinstance(text, Text)
    assert text.plain == "[@click=app.quit]boom[/] red"
    assert not text.spans
    assert safe(None).plain == "—"
    assert safe("x" * 100, 10).plain == "x" * 9 + "…"


def test_relative_times():
    assert ago_str(NOW - timedelta(seconds=3), NOW) == "just now"
    assert ago_str(NOW + timedelta(minutes=5), NOW) == "just now"  # clock skew
    assert ago_str(NOW - timedelta(seconds=42), NOW) == "42 s ago"
    assert ago_str(NOW - timedelta(minutes=3, seconds=10), NOW) == "3 min ago"
    assert ago_str(NOW - timedelta(hours=5), NOW) == "5 h ago"
    assert ago_str(NOW - timedelta(days=2), NOW) == "2 d ago"
    assert ago_str(datetime(2024, 1, 2, 3, 4), NOW) == "2024-01-02"  # naive means UTC
    # the status line's "synced ..." moves by the minute, not the second
    assert ago_str(NOW - timedelta(seconds=42), NOW, seconds_shown=False) == "just now"
    assert ago_str(NOW - timedelta(seconds=75), NOW, seconds_shown=False) == "1 min ago"


def test_progress_status_duration():
    assert progress(0.5).plain == "████░░░░  50%"
    assert progress(None).plain == ""
    assert progress(7.0).plain.endswith("100%")
    assert status(RunStatus.FAILED).style == "bold red"
    assert status("[red]x").plain == "[red]x"
    assert duration(NOW - timedelta(seconds=75), NOW, NOW).plain == "1m15s"
    assert duration(NOW - timedelta(hours=2), None, NOW).plain == "2h00m"


def test_sort_key_puts_empty_last_and_folds_case():
    values = ["b", None, "A", ""]
    assert sorted(values, key=sort_key) == ["A", "b", None, ""]


def test_ago_changes_in_is_when_the_relative_time_turns_over():
    from datetime import UTC, datetime, timedelta

    from comfytui.formats import ago_changes_in, ago_text

    when = datetime(2025, 1, 1, tzinfo=UTC)
    for age in (0.0, 3.2, 9.99, 10.0, 34.5, 59.9, 60.0, 61.0, 3599.0, 3600.0, 7300.0, 86399.0,
                86400.0, 90000.0, 86400 * 59.5):  # fmt: skip
        now = when + timedelta(seconds=age)
        wait = ago_changes_in(when, now)
        assert wait > 0
        before = ago_text(when, now + timedelta(seconds=wait - 0.001))
        after = ago_text(when, now + timedelta(seconds=wait + 0.001))
        assert before == ago_text(when, now), age  # nothing moves before that
        assert after != before, age  # and it has moved just after
    assert ago_changes_in(when, when + timedelta(days=90)) == float("inf")  # a date stays
