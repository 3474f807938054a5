"""Idle terminal bytes under a real pty (issue 15): the tick repaints only what changed.

Runs `benchmarks.bench_terminal` (demo mode on a 120x35 pty, Sixel forced) with short idle
windows and checks the issue's limits: main screen <= 512 B/s, run view with a finished image
<= 1024 B/s, and the image sent 0 times while it stays.
"""

from __future__ import annotations

import pytest

from benchmarks import bench_terminal


@pytest.mark.timeout(300)
def test_idle_screens_write_almost_nothing(monkeypatch):
    monkeypatch.setenv("COMFYTUI_BENCH_IDLE_S", "4")
    rows = {r.name: r for r in bench_terminal.run(quick=True)}
    assert rows["terminal_idle_main"].value <= 512, rows["terminal_idle_main"]
    assert rows["terminal_idle_run_image"].value <= 1024, rows["terminal_idle_run_image"]
    assert rows["terminal_image_resends"].value == 0, rows["terminal_image_resends"]
