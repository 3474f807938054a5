"""Helpers for the gallery tests (no tests here): runs with saved outputs, a big fake gallery."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path

from PIL import Image

from comfytui.emulator.seed import BASE_TIME
from comfytui.models import Run, RunStatus, SavedOutput


async def finished_run(session, deployment: str, inputs: dict) -> Run:
    """Start a run on the emulator and watch it to its end (which saves its outputs)."""
    target = await session.catalog.resolve_deployment(deployment)
    run = await session.runs.start(target, inputs)
    last = run
    async for change in session.runs.watch(run.id):
        last = change
    assert last.status is RunStatus.SUCCESS, last
    return last


async def fill_gallery(cache, root: Path, count: int, deployment_id: str | None = None) -> None:
    """`count` successful runs with one saved PNG each (all sharing one small file)."""
    root.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "PNG")
    content = buffer.getvalue()
    path = root / "shared.png"
    path.write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    runs = [
        Run(
            id=f"run-{i:05d}",
            status=RunStatus.SUCCESS,
            deployment_id=deployment_id,
            inputs={"prompt": f"picture {i}", "seed": i},
            created_at=BASE_TIME - timedelta(minutes=i),
        )
        for i in range(count)
    ]
    await cache.upsert_runs(runs)
    for run in runs:
        await cache.record_output(
            SavedOutput(
                run.id,
                f"http://x.invalid/{run.id}.png",
                str(path),
                digest,
                len(content),
                "image/png",
            )
        )
