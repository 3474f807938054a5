"""Terminal bytes while idle: what the app writes to its terminal when nothing happens.

The app runs in demo mode under a real pty (120x35, `benchmarks.ptyrun`), and the bytes it writes
are counted over an idle window on each screen:

- terminal_idle_main: the main screen (rows shown, nothing pressed); target <= 512 B/s.
- terminal_idle_run_image: the run view of a finished run with its output image shown (Sixel
  forced, so every transmission is countable); target <= 1024 B/s.
- terminal_image_resends: image transmissions during that window (target 0: the image is sent
  once, when shown, and never again while it stays).
- idle_cpu_main: CPU seconds per 30 s idle on the main screen (all threads, emulator included).

The baseline of each row is a bare Textual app (a DataTable of rows and a footer) idle on the
same pty size, measured in the same run. The window is 30 s (`COMFYTUI_BENCH_IDLE_S` overrides;
`--quick` uses 2 s). Each child announces its phases on a pipe; the parent only counts.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.common import Result
from benchmarks.ptyrun import PtyRecorder

ROOT = Path(__file__).resolve().parents[1]
SETTLE_S = 2.0


def _idle_seconds(quick: bool) -> float:
    raw = os.environ.get("COMFYTUI_BENCH_IDLE_S")
    if raw:
        return max(0.5, float(raw))
    return 2.0 if quick else 30.0


# --- children (run on the pty) -------------------------------------------------------------------


def _child_app(home: str, protocol: str, events_fd: str, control_fd: str) -> None:
    """comfytui as `run_tui` starts it, plus a control pipe: `run` opens a finished run."""
    from dataclasses import replace

    from comfytui.settings import load_settings
    from comfytui.ui import launch

    os.environ["COMFYTUI_HOME"] = home
    os.environ.pop("COMFY_DEPLOY_API_KEY", None)
    settings = load_settings(keyring_lookup=False)
    settings = replace(settings, image_protocol=protocol)
    launch._setup_logging(settings.locations.log_file)
    launch._probe_images(protocol)
    from comfytui.models import RunStatus
    from comfytui.ui.app import ComfyTUI
    from comfytui.ui.runs import RunScreen
    from comfytui.ui.runs.preview import ImagePreview

    app = ComfyTUI(settings)
    events = os.fdopen(int(events_fd), "w", buffering=1)

    def say(word: str) -> None:
        events.write(word + "\n")

    async def wait_main() -> None:
        while not (app.session is not None and app.main.runs.table.row_count):
            await _sleep(0.05)
        pane = app.main.runs
        while not pane.revalidated:
            await _sleep(0.05)
        say("MAIN")

    async def open_run() -> None:
        pane = app.main.runs
        run_id = None
        while run_id is None:
            for index in range(pane.total):
                item = pane.item_at(index)
                if item is not None and item.status is RunStatus.SUCCESS:
                    run_id = item.id
                    break
            else:
                await _sleep(0.1)
        screen = RunScreen(run_id)
        await app.push_screen(screen)
        while True:
            previews = list(screen.query(ImagePreview))
            if previews and previews[0].preview is not None and previews[0].query(".preview-image"):
                break
            await _sleep(0.05)
        say("RUN")

    def control() -> None:
        with os.fdopen(int(control_fd), "r") as commands:
            for line in commands:
                word = line.strip()
                if word == "run":
                    app.call_from_thread(lambda: app.run_worker(open_run()))
                elif word == "quit":
                    app.call_from_thread(app.exit)
                    return

    def started() -> None:
        app.run_worker(wait_main())

    threading.Thread(target=control, daemon=True).start()
    app.call_later(started)
    app.run()


def _child_bare(events_fd: str, control_fd: str) -> None:
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Static

    events = os.fdopen(int(events_fd), "w", buffering=1)

    class Bare(App[None]):
        BINDINGS = [("r", "refresh", "Refresh"), ("q", "quit", "Quit")]  # noqa: RUF012

        def compose(self) -> ComposeResult:
            yield Static("bare Textual app")
            yield DataTable(cursor_type="row")
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("Name", "Env", "Machine", "GPU")
            table.add_rows(
                [(Text(f"deployment-{n}"), Text("production"), Text("m-1"), Text("A10G"))]
                for n in range(30)
            )
            self.call_after_refresh(lambda: events.write("MAIN\n"))

    app = Bare()

    def control() -> None:
        with os.fdopen(int(control_fd), "r") as commands:
            for line in commands:
                if line.strip() == "quit":
                    app.call_from_thread(app.exit)
                    return

    threading.Thread(target=control, daemon=True).start()
    app.run()


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


# --- parent --------------------------------------------------------------------------------------


class _Child:
    """A child on a pty, an event pipe (child -> parent) and a control pipe (parent -> child)."""

    def __init__(self, kind: str, *args: str, pycache: Path) -> None:
        events_r, events_w = os.pipe()
        control_r, control_w = os.pipe()
        env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm-256color", COMFYTUI_DEBUG="")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
        env.pop("COMFY_DEPLOY_API_KEY", None)
        for name in ("TMUX", "KITTY_WINDOW_ID", "TERM_PROGRAM"):
            env.pop(name, None)
        argv = [sys.executable, "-m", "benchmarks.bench_terminal", kind, *args]
        argv += [str(events_w), str(control_r)]
        self.pty = PtyRecorder(argv, env=env, pass_fds=(events_w, control_r)).start()
        os.close(events_w)
        os.close(control_r)
        self.events = os.fdopen(events_r, "r")
        self.control = os.fdopen(control_w, "w", buffering=1)

    def wait_for(self, word: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        result: list[str] = []

        def read() -> None:
            for line in self.events:
                if line.strip() == word:
                    result.append(word)
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(max(0.0, deadline - time.monotonic()))
        if not result:
            raise RuntimeError(f"child never said {word} (wrote {self.pty.total()} bytes)")

    def send(self, word: str) -> None:
        self.control.write(word + "\n")

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError, ValueError):
            self.send("quit")
        deadline = time.monotonic() + 10
        while self.pty.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        self.pty.stop()


def measure_app(home: Path, pycache: Path, seconds: float, protocol: str = "sixel") -> dict:
    child = _Child("app", str(home), protocol, pycache=pycache)
    try:
        child.wait_for("MAIN")
        time.sleep(SETTLE_S)
        main = child.pty.measure(seconds)
        child.send("run")
        child.wait_for("RUN")
        time.sleep(SETTLE_S)
        shown = child.pty.window(0, time.monotonic())
        run = child.pty.measure(seconds)
    finally:
        child.close()
    return {"main": main, "run": run, "images_total": shown.images}


def measure_bare(pycache: Path, seconds: float) -> dict:
    child = _Child("bare", pycache=pycache)
    try:
        child.wait_for("MAIN")
        time.sleep(SETTLE_S)
        main = child.pty.measure(seconds)
    finally:
        child.close()
    return {"main": main}


def run(quick: bool = False) -> list[Result]:
    seconds = _idle_seconds(quick)
    with tempfile.TemporaryDirectory() as tmp:
        pyc = Path(tmp) / "pycache"
        home = Path(tmp) / "home"
        measure_bare(pyc, 0.5)  # compile both sides' bytecode once
        bare = measure_bare(pyc, seconds)
        app = measure_app(home, pyc, seconds)
    per30 = 30.0 / seconds
    bare_main = bare["main"]
    main, run_view = app["main"], app["run"]
    floor = max(bare_main.bytes_per_s, 1.0)  # a bare app idle writes ~nothing: 1 B/s floor
    note = (
        f"{seconds:g} s idle windows, 120x35 pty, demo mode; "
        f"bare app {bare_main.bytes_per_s:.1f} B/s"
    )
    return [
        Result(
            "terminal_idle_main",
            main.bytes_per_s,
            floor,
            "B/s",
            512.0,
            absolute=True,
            note=note,
        ),
        Result(
            "terminal_idle_run_image",
            run_view.bytes_per_s,
            floor,
            "B/s",
            1024.0,
            absolute=True,
            note=f"{note}; Sixel forced; images sent before the window: {app['images_total']}",
        ),
        Result(
            "terminal_image_resends",
            float(run_view.images),
            None,
            "sends",
            0.0,
            note="image transmissions during the run-view idle window",
        ),
        Result(
            "idle_cpu_main",
            (main.cpu or 0.0) * per30,
            max((bare_main.cpu or 0.0) * per30, 0.01),
            "s/30s",
            None,
            note="CPU of the app process (all threads, emulator included) vs the bare app",
        ),
    ]


if __name__ == "__main__":
    kind, *rest = sys.argv[1:]
    {"app": _child_app, "bare": _child_bare}[kind](*rest)
