"""One formatter (comfytui.formats) for the TUI and the CLI: the same duration text in both,
ranges without exponents, defaults as typed, and a filter that matches nothing says so."""

from __future__ import annotations

from support_cli import run_cli
from support_ui import FIXED_NOW, cell_texts, panes_filled, settings_for, wait_until
from textual.widgets import DataTable, Static

from comfytui import formats
from comfytui.models import InputKind, InputSpec
from comfytui.ui.app import ComfyTUI
from comfytui.ui.runs.fields import range_hint
from comfytui.ui.screens.details import DeploymentScreen

SIZE = (120, 35)


def test_the_formatter():
    assert formats.seconds_text(23 * 3600 + 59 * 60 + 59) == "23h59m"
    assert formats.seconds_text(187) == "3m07s"
    assert formats.seconds_text(6) == "6s"
    assert formats.seconds_text(3 * 86400) == "3d"
    assert formats.range_text(0, 4294967295.0) == "0..4294967295"
    assert formats.range_text(None, 10) == "..10"
    assert formats.number_text(0.25) == "0.25"
    assert formats.value_text(False) == "false"
    assert formats.value_text("a cat") == "a cat"
    assert formats.value_text(7.0) == "7"
    assert formats.size_text(250 * 1024 * 1024) == "250 MB"
    assert formats.no_match_text("runs", "xyz") == "no runs match 'xyz'"
    seed = InputSpec("seed", "ComfyUIDeployExternalSeed", InputKind.SEED, -1, 0, 4294967295.0)
    assert range_hint(seed) == "0..4294967295"


def _cli_durations(emulator) -> dict[str, str]:
    result = run_cli(emulator, "ls", "runs")
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    return {row[0]: row[-1] for row in rows if row}


async def test_tui_and_cli_show_the_same_durations_and_defaults(emulator):
    cli = _cli_durations(emulator)
    assert "23h59m" in cli.values()  # the seed's run that hit the 24 h server timeout
    shown = run_cli(emulator, "show", "deployment", "txt2img")
    assert shown.returncode == 0, shown.stderr
    hires = next(line for line in shown.stdout.splitlines() if line.startswith("hires"))
    assert hires.split()[2] == "false"
    prompt = next(line for line in shown.stdout.splitlines() if line.startswith("prompt "))
    assert "a lighthouse at dusk, oil painting" in prompt and "'" not in prompt

    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        pane = app.main.runs
        took = {
            run.id: formats.duration_text(run.started_at or run.created_at, run.ended_at, FIXED_NOW)
            for run in pane.view
            if run.ended_at is not None
        }
        rows = cell_texts(pane.table)
        by_short = {row[5]: row[4] for row in rows}
        compared = 0
        for run_id, text in cli.items():
            if run_id[:8] in by_short and run_id in took:
                assert by_short[run_id[:8]] == text == took[run_id], run_id
                compared += 1
        assert compared >= 3
        assert "23h59m" in by_short.values()

        deployment = next(d for d in app.main.deployments.items if d.name == "txt2img")
        app.push_screen(DeploymentScreen(deployment.id))
        await wait_until(pilot, lambda: isinstance(app.screen, DeploymentScreen))
        screen = app.screen

        def inputs_table() -> DataTable | None:
            for table in screen.query(DataTable):
                if table.row_count and str(table.get_row_at(0)[0]) == "prompt":
                    return table
            return None

        await wait_until(pilot, lambda: inputs_table() is not None)
        cells = {row[0]: row for row in cell_texts(inputs_table())}
        assert cells["hires"][2] == "false"
        assert cells["prompt"][2].startswith("a lighthouse at dusk")
        assert cells["steps"][3] == "1..50"


def test_cli_ls_filter_that_matches_nothing_says_so(emulator):
    empty = run_cli(emulator, "ls", "runs", "--filter", "xyz")
    assert empty.returncode == 0 and empty.stdout == ""
    assert empty.stderr.strip() == "no runs match 'xyz'"
    some = run_cli(emulator, "ls", "runs", "--filter", "FAILED")
    assert some.returncode == 0 and some.stdout.count("failed") >= 1
    assert all("failed" in line for line in some.stdout.splitlines()[1:])
    as_json = run_cli(emulator, "ls", "deployments", "--json", "--filter", "nothing-like-it")
    assert '"items": []' in as_json.stdout
    assert as_json.stderr.strip() == "no deployments match 'nothing-like-it'"


async def test_pane_filter_that_matches_nothing_says_so(emulator):
    app = ComfyTUI(settings_for(emulator), clock=lambda: FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: panes_filled(app))
        for key, pane in (("4", app.main.runs), ("2", app.main.deployments)):
            await pilot.press(key, "slash", *"xyz")
            notice = pane.query_one(".pane-notice", Static)
            noun = pane.NOUN
            await wait_until(pilot, lambda n=notice: n.display)
            assert str(notice.render()) == f"no {noun} match 'xyz'"
            assert pane.table.row_count == 0
            await pilot.press("escape")  # closes the filter: the rows and no notice
            await wait_until(
                pilot, lambda p=pane, n=notice: p.table.row_count > 0 and not n.display
            )
