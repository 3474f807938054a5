"""Timeouts mean what they say: `read_timeout` in config.toml bounds each try, the error states the
total wait and the tries, and a queue request that timed out is never sent a second time."""

from __future__ import annotations

import os
import time
from pathlib import Path

from support_cli import run_cli

READ_TIMEOUT = 1  # seconds per try (the example is 3: same code path, faster test)
DELAY = 4.0  # the emulator answers this late: every try times out


def _config(read_timeout: float) -> None:
    config = Path(os.environ["COMFYTUI_HOME"]) / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"read_timeout = {read_timeout}\ndialect = 'v2'\n")


def test_a_silent_server_is_given_up_on_with_the_total_stated(emulator):
    _config(READ_TIMEOUT)
    emulator.add_fault(kind="delay", delay=DELAY, route="/api/deployments")
    started = time.monotonic()
    result = run_cli(emulator, "ls", "deployments")
    took = time.monotonic() - started
    assert result.returncode == 4, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "did not answer: gave up after" in lines[0]
    assert "4 tries of 1 s" in lines[0]
    stated = int(lines[0].split("gave up after ")[1].split(" s")[0])
    # 4 tries of 1 s plus the documented pauses (0.25..5 s, jitter): well under the 30 s budget.
    assert 4 <= stated <= 12, lines[0]
    assert took < 30 + 15, took  # process start-up included, on a loaded machine
    tries = [r for r in emulator.requests() if r["path"] == "/api/deployments"]
    assert len(tries) == 4


def test_a_queue_request_that_timed_out_is_never_sent_again(emulator):
    _config(READ_TIMEOUT)
    emulator.add_fault(kind="delay", delay=DELAY, route="/api/run/deployment/queue")
    result = run_cli(emulator, "run", "txt2img", "-i", "prompt=fox")
    assert "Traceback" not in result.stderr, result.stderr
    queued = [r for r in emulator.requests() if r["path"] == "/api/run/deployment/queue"]
    assert len(queued) == 1, queued
    assert "tries" not in result.stderr, result.stderr  # one try: nothing to total up
