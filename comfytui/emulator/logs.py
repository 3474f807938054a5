"""`GET /api/v2/stream-logs` (v2 only): a run's ComfyUI log lines as server-sent events.

Each event is `data: {"message", "level", "timestamp"}`. Live lines carry the text itself;
finished runs replay from the archive (kept 30 days) with `message` a JSON string of
`[{timestamp, logs}]`. The stream ends with `{"type": "stream_complete"}`, or says
`{"type": "stream_unavailable"}` when the archive has expired.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta

from comfytui.emulator.common import iso, now
from comfytui.emulator.lifecycle import FAIL_AT, RUN_END, RUN_START, RunRecord

ARCHIVE_DAYS = 30
STEPS = 20
LEVELS = ("debug", "info", "warning", "error")


def _traceback(record: RunRecord) -> list[str]:
    return [
        "Traceback (most recent call last):",
        '  File "/comfyui/main.py", line 132, in start_comfyui',
        "    await container.start(gpu=machine.gpu)",
        '  File "/comfyui/runner/container.py", line 88, in start',
        "    raise MachineError(self.status_message)",
        f"MachineError: {record.error}",
    ]


def script(record: RunRecord) -> list[tuple[float, str, str]]:
    """(scaled offset, level, text) of every line the run logs, in order."""
    lines: list[tuple[float, str, str]] = [
        (0.3, "info", f"Run {record.id} queued on {record.gpu or 'CPU'}"),
        (0.35, "info", "Starting container (cold start)"),
        (0.5, "info", "Total VRAM 22592 MB, total RAM 30000 MB"),
    ]
    if record.error:
        lines.append((FAIL_AT - 0.1, "info", "Launching ComfyUI"))
        lines += [(FAIL_AT, "error", text) for text in _traceback(record)]
        return lines
    lines += [
        (0.6, "info", "Starting server: To see the GUI go to: http://127.0.0.1:8188"),
        (0.7, "info", "got prompt"),
        (0.75, "info", "model weight dtype torch.float16, manual cast: None"),
        (0.8, "info", "model_type EPS"),
        (0.85, "info", "Requested to load SDXLClipModel"),
        (0.88, "info", "loaded completely 9.5 GB 1560.8 MB"),
    ]
    span = (RUN_END - RUN_START) / STEPS
    for step in range(1, STEPS + 1):
        percent = step * 100 // STEPS
        bar = "█" * (percent // 10) + " " * (10 - percent // 10)
        rate = 7.2 + (step % 5) * 0.11
        text = f"{percent:3d}%|{bar}| {step}/{STEPS} [00:0{step // 8}<00:00, {rate:.2f}it/s]"
        lines.append((RUN_START + step * span, "info", text))
    lines += [
        (RUN_END, "info", "Requested to load AutoencoderKL"),
        (RUN_END + 0.1, "info", "Uploading output ComfyUI_00001_.png (1.2 MB)"),
        (RUN_END + 0.4, "info", "Prompt executed in 2.13 seconds"),
    ]
    return lines


def _wanted(level: str, minimum: str) -> bool:
    try:
        return LEVELS.index(level) >= LEVELS.index(minimum)
    except ValueError:
        return True


def _data(payload: object) -> bytes:
    return f"data: {json.dumps(payload)}\n\n".encode()


def _line(record: RunRecord, offset: float, level: str, text: str) -> bytes:
    return _data({"message": text, "level": level, "timestamp": iso(record.at(offset))})


async def log_events(
    record: RunRecord, log_level: str = "info", flood: float = 0.0
) -> AsyncIterator[bytes]:
    """Replay (finished) or follow (running) the run's log; `flood` adds lines a second."""
    when = now()
    view = record.view(when)
    lines = [item for item in script(record) if _wanted(item[1], log_level)]
    if view.terminal:
        ended = view.ended_at or record.created
        if when - ended > timedelta(days=ARCHIVE_DAYS):
            yield _data({"type": "stream_unavailable"})
            return
        end = record.elapsed(ended) if record.speed > 0 else float("inf")
        archive = [
            {"timestamp": iso(record.at(offset)), "logs": text}
            for offset, _level, text in lines
            if offset <= end
        ]
        if archive:
            batch = json.dumps(archive)
            yield _data({"message": batch, "level": "info", "timestamp": iso(ended)})
        yield _data({"type": "stream_complete"})
        return
    sent = 0
    index = 0
    while True:
        elapsed = record.elapsed(now())
        while index < len(lines) and lines[index][0] <= elapsed:
            yield _line(record, *lines[index])
            index += 1
        current = record.view(now())
        if current.terminal:
            while index < len(lines) and not record.cancelled:
                yield _line(record, *lines[index])
                index += 1
            break
        if flood > 0 and current.status == "running":
            due = int((elapsed - RUN_START) / max(record.speed, 1e-9) * flood)
            stamp, burst = iso(now()), []
            while sent < due:  # the lines due since the last tick go out in one write
                sent += 1
                text = f"[flood] sampler debug line {sent}"
                burst.append(_data({"message": text, "level": "info", "timestamp": stamp}))
            if burst:
                yield b"".join(burst)
        await asyncio.sleep(0.01 if flood else 0.05)
    yield _data({"type": "stream_complete"})
