"""The emulator's servers do not wake ten times a second when idle, and still stop at once."""

from __future__ import annotations

import time

from comfytui.emulator.server import EmulatorServer


def test_idle_emulator_ticks_about_once_a_second_and_stops_at_once():
    server = EmulatorServer()
    server.start()
    try:
        ticks = [0] * len(server._servers)
        for i, uv in enumerate(server._servers):
            original = uv.on_tick

            async def counted(counter: int, i: int = i, original=original) -> bool:
                ticks[i] += 1
                return await original(counter)

            uv.on_tick = counted  # type: ignore[method-assign]
        time.sleep(2.5)
        # uvicorn's own loop ticks every 0.1 s: ~25 in this window; a quiet one ~2-3
        assert all(1 <= n <= 6 for n in ticks), ticks
    finally:
        started = time.perf_counter()
        server.stop()
        stopped = time.perf_counter() - started
    assert stopped < 1.5  # stop() wakes the loop: no waiting out a one-second tick
    assert server._thread is None
