"""10,000 deployments and 20,000 runs in the cache stay responsive: the tables hold a window of
rows, the Runs pane pages the cache, and g/G/filter reach the whole list."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from support_ui import FIXED_NOW, wait_until

from comfytui.models import Deployment, Run, RunStatus
from comfytui.services import Session
from comfytui.settings import Secret, load_settings
from comfytui.ui.app import ComfyTUI

SIZE = (120, 35)
BASE = datetime(2025, 1, 1, tzinfo=UTC)


def _deployments(count: int) -> list[Deployment]:
    return [
        Deployment(
            id=f"dep-{n:05d}",
            name=f"deployment-{n:05d}",
            machine_name="m",
            version=1,
            updated_at=BASE + timedelta(minutes=n),
        )
        for n in range(count)
    ]


def _runs(count: int) -> list[Run]:
    return [
        Run(
            id=f"run-{n:06d}",
            status=RunStatus.SUCCESS,
            deployment_id=f"dep-{n % 50:05d}",
            created_at=BASE + timedelta(seconds=n),
            started_at=BASE + timedelta(seconds=n),
            ended_at=BASE + timedelta(seconds=n + 9),
        )
        for n in range(count)
    ]


async def test_ten_thousand_rows_stay_windowed():
    settings = replace(
        load_settings(keyring_lookup=False),
        api_url="http://127.0.0.1:9/api",  # unreachable: the cache is all there is
        api_key=Secret("test-key-0123456789"),
    )
    async with Session.open(settings, client_options={"retry_attempts": 1}) as session:
        await session.cache.upsert_deployments(_deployments(10_000))
        await session.cache.upsert_runs(_runs(20_000))
        app = ComfyTUI(settings, session=session, clock=lambda: FIXED_NOW)
        async with app.run_test(size=SIZE) as pilot:
            deployments, runs = app.main.deployments, app.main.runs
            await wait_until(pilot, lambda: deployments.total == 10_000 and runs.total == 20_000)
            assert deployments.table.row_count <= deployments.WINDOW
            assert runs.paged and runs.table.row_count <= runs.WINDOW
            assert len(runs.items) <= runs.WINDOW  # only a page of runs in memory

            await pilot.press("2", "G")
            assert deployments.selected.name == "deployment-09999"
            await pilot.press("k")
            assert deployments.selected.name == "deployment-09998"
            await pilot.press("g")
            assert deployments.selected.name == "deployment-00000"

            await pilot.press("4", "G")
            await wait_until(pilot, lambda: runs.selected.id == "run-000000")  # oldest last
            await pilot.press("g")
            await wait_until(pilot, lambda: runs.selected.id == "run-019999")
            # Walking down past the window slides it (a new page read from the cache).
            runs.show_at(runs.WINDOW - 2)
            await wait_until(pilot, lambda: runs.selected is not None)
            await pilot.press("j", "j", "j")
            await wait_until(pilot, lambda: runs.window_start > 0)
            assert runs.selected.id == f"run-{20_000 - runs.WINDOW - 2:06d}"

            await pilot.press("slash", *"run-00001")
            await wait_until(pilot, lambda: runs.total == 10)  # cache search: id prefix
