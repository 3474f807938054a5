"""comfytui in real graphics terminals under Xvfb (issue 15): right pixels, kept, sent once.

For each terminal (xterm as a VT340 and mlterm: Sixel; kitty where it starts with software GL)
the demo app opens a finished run whose output image is known, and the test checks on
screenshots that:

- the image region holds the output's pixels (`imagematch.score`: mean colour, coarse
  histogram, worst strip; the strip catches a wrongly coloured Sixel band);
- the image is still there in 5 screenshots over 3 s (no wipe and redraw);
- esc leaves none of its pixels behind;
- idle, the terminal receives <= 512 B/s on the main screen and <= 1024 B/s on the run view
  with the finished image, and the image is not sent again.

Run by `make test-terminals` (installs the packages); `make test` does not collect this folder.
Screenshots and figures go to $COMFYTUI_TERMINALS_OUT (default: a `comfytui-terminals` folder in
the system temp dir).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from imagematch import Score, count, dominant, locate, near_mask, score
from PIL import Image
from xsession import ROOT, TERMINALS, TerminalApp, XDisplay, missing_tools, wait_for

pytestmark = [pytest.mark.terminals, pytest.mark.timeout(400)]

IDLE_S = float(os.environ.get("COMFYTUI_TERMINALS_IDLE_S", "6"))
MAIN_LIMIT, RUN_LIMIT = 512.0, 1024.0
#: (mean, hist, worst strip) a faithful drawing stays within, per renderer kind
TOLERANCE = {"sixel": (12.0, 0.10, 25.0), "halfblock": (12.0, 0.10, 25.0)}


def _out() -> Path:
    out = Path(os.environ.get("COMFYTUI_TERMINALS_OUT") or Path(tempfile.gettempdir()))
    out = out / "comfytui-terminals" if "COMFYTUI_TERMINALS_OUT" not in os.environ else out
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="module")
def display():
    missing = missing_tools()
    if missing:
        message = (
            f"REAL-TERMINAL SUITE SKIPPED: missing {', '.join(missing)} "
            "(tests/terminals/install.sh installs them with apt-get as root)"
        )
        print(f"\n{'#' * 90}\n# {message}\n{'#' * 90}", file=sys.stderr)
        pytest.skip(message)
    xdisplay = XDisplay()
    yield xdisplay
    xdisplay.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A demo home holding one finished run (made with the CLI) and its saved output image."""
    home = tmp_path_factory.mktemp("terminals") / "home"
    env = dict(os.environ, COMFYTUI_HOME=str(home))
    env.pop("COMFY_DEPLOY_API_KEY", None)
    done = subprocess.run(  # noqa: S603 - our own CLI
        [str(Path(sys.executable).parent / "comfytui"), "run", "txt2img", "-i", "prompt=fox"]
        + ["--wait"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    output = Path(done.stdout.strip().splitlines()[-1])
    assert output.is_file(), done.stdout
    return home, output


def _config(home: Path, protocol: str) -> None:
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'image_protocol = "{protocol}"\n', encoding="utf-8")


def _within(found: Score, kind: str) -> bool:
    mean, hist, worst = TOLERANCE[kind]
    return found.mean <= mean and found.hist <= hist and found.worst_row <= worst


@pytest.mark.parametrize("name", list(TERMINALS))
def test_output_image_in_a_real_terminal(name, display, world, tmp_path):
    terminal = TERMINALS[name]
    home, output = world
    run_id = output.parent.name
    source = Image.open(output).convert("RGB")
    kind = "halfblock" if terminal.image_protocol == "halfblock" else "sixel"
    _config(home, terminal.image_protocol)
    out = _out()
    app = TerminalApp(display, terminal, home, tmp_path).start()
    figures: dict[str, object] = {"terminal": name, "protocol": terminal.image_protocol}
    try:
        try:
            app.wait_quiet()
        except AssertionError:
            if name == "kitty" and not app.alive():
                pytest.skip(f"kitty did not start here: {_tail(tmp_path / 'kitty-stderr.txt')}")
            raise
        # our run alone in the runs pane (filter by its id), the rows focused
        app.press("4")
        # each key once the app has answered the one before (the filter box must exist first);
        # the filter's cursor blinks: a few bytes a second while it has the focus
        for key in ("slash", *run_id[:8]):
            app.press(key, below=1024)
        display.screenshot(out / f"{name}-filter.png")
        app.press("Return")
        colour = dominant(source)
        # what the main screen itself has near that colour (a selected row's highlight, say)
        baseline = count(near_mask(display.screenshot(), colour))
        app.key("Return")

        last: list[str] = ["not found"]

        def shown() -> tuple[Image.Image, object, Score] | None:
            shot = display.screenshot()
            match = locate(shot, source)
            if match is None:
                return None
            found = score(shot, match, source)
            last[0] = f"{found} at {match.box}"
            return (shot, match, found) if _within(found, kind) else None

        try:
            shot, match, found = wait_for(shown, 120, f"{name}: the output image on screen", 0.5)
        except AssertionError as exc:
            figures["score"] = last[0]
            raise AssertionError(f"{exc}; last: {last[0]} (tolerance {TOLERANCE[kind]})") from None
        finally:
            display.screenshot(out / f"{name}-run.png")
        figures["score"] = str(found)
        figures["box"] = match.box

        app.wait_quiet()
        start = time.time()
        kept = []
        for _ in range(5):  # 5 screenshots over about 3 s: never wiped, never redrawn wrong
            again = display.screenshot()
            seen = locate(again, source)
            assert seen is not None, f"{name}: the image vanished from the run view"
            assert _close(seen.box, match.box), (seen.box, match.box)
            kept.append(score(again, seen, source))
            assert _within(kept[-1], kind), f"{name}: image changed: {kept[-1]}"
            time.sleep(0.6)
        time.sleep(max(0.0, start + IDLE_S - time.time()))
        run = app.bytes_between(start, time.time())
        figures["run_idle_B_per_s"] = round(run.bytes_per_s, 1)
        figures["run_idle_image_sends"] = run.images
        figures["kept_scores"] = [str(k) for k in kept]

        app.key("Escape")

        def gone() -> Image.Image | None:
            shot = display.screenshot()
            left = count(near_mask(shot, colour)) - baseline
            return shot if left < match.pixels // 100 else None

        try:
            wait_for(gone, 60, f"{name}: the image's pixels to go after esc", 0.5)
        finally:
            display.screenshot(out / f"{name}-after-esc.png")
        figures["after_esc"] = "no image pixels left"

        # back on the main screen, loaded (the run was opened from it): idle bytes
        app.wait_quiet(quiet_s=3.0)
        display.screenshot(out / f"{name}-main.png")
        start = time.time()
        time.sleep(IDLE_S)  # a measuring window, not a wait for a condition
        main = app.bytes_between(start, time.time())
        figures["main_idle_B_per_s"] = round(main.bytes_per_s, 1)

        assert main.bytes_per_s <= MAIN_LIMIT, figures
        assert run.bytes_per_s <= RUN_LIMIT, figures
        assert run.images == 0, figures
    finally:
        app.key("ctrl+q")
        with contextlib.suppress(AssertionError):
            wait_for(lambda: not app.alive(), 20, f"{name} to close")
        app.stop()
        if app.log.exists():
            shutil.copy(app.log, out / app.log.name)
        with open(out / "figures.jsonl", "a", encoding="utf-8") as log:
            log.write(json.dumps(figures) + "\n")


def _close(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return all(abs(x - y) <= 3 for x, y in zip(a, b, strict=True))


def _tail(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no output)"
    return " | ".join(lines[-3:]) or "(no output)"
