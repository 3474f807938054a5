"""`run_tui(args)`: settings, logging, the image-protocol probe, then the app; returns an exit code.

Never prints a traceback: a comfytui error is one line on stderr with its exit code; anything
unexpected is one line on stderr and the traceback goes to the log file.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading

from comfytui.errors import ComfyTuiError
from comfytui.settings import load_settings
from comfytui.ui import startup_gc

log = logging.getLogger("comfytui")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise ComfyTuiError(f"comfytui: {message} (try --help)")


def _parse(args: list[str]) -> argparse.Namespace:
    parser = _Parser(prog="comfytui", description="Browse and run ComfyUI Deploy workflows.")
    parser.add_argument("--profile", help="config profile to use")
    parser.add_argument("--api-url", help="API base URL (default: config, then env)")
    parser.add_argument(
        "--readonly", action="store_true", help="browse only: nothing is started or changed"
    )
    return parser.parse_args(args)


def _setup_logging(path: os.PathLike[str] | str) -> None:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("comfytui")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if os.environ.get("COMFYTUI_DEBUG") else logging.INFO)


def _prewarm(demo: bool) -> None:
    """Import the heavy modules in a thread while the image probe waits on the terminal.

    The probe mostly sleeps waiting for the terminal's answers; the services and the app
    import meanwhile, so the first rows appear sooner. Imports are thread-safe; the main thread
    simply finds them done. The demo emulator (FastAPI, uvicorn) is not among them: it starts
    after the cached rows are painted (Session.open(background_demo=True)).
    """
    del demo

    def work() -> None:
        try:
            import comfytui.services  # noqa: F401
            import comfytui.ui.app  # noqa: F401
        except Exception:  # the main thread will import (and report) for real
            log.debug("prewarm import failed", exc_info=True)

    threading.Thread(target=work, name="comfytui-prewarm", daemon=True).start()


def _probe_images(setting: str = "auto") -> None:
    """Ask the terminal and choose the image renderer now: the probe needs the real TTY before
    Textual takes it (comfytui.ui.imagesetup; the choice and its reason go to the log)."""
    try:
        from comfytui.ui.imagesetup import prepare

        prepare(setting)
    except Exception:  # a broken probe must not stop the app; previews fall back
        log.warning("terminal image probe failed", exc_info=True)


def _bad_keymap(settings) -> str | None:  # noqa: ANN001 - Settings, imported above
    """One line when config [keymap] names a binding id the app does not have."""
    from comfytui.config_check import closest_first, unknown_keymap_ids
    from comfytui.ui.keymap_ids import known_binding_ids

    known = known_binding_ids()
    unknown = unknown_keymap_ids(settings.keymap, known)
    if not unknown:
        return None
    return (
        f"{settings.locations.config_file}: keymap.{unknown[0]} is not a binding id; "
        f"closest: {', '.join(closest_first(unknown[0], known)[:3])} "
        f"({len(known)} ids; the help screen, ?, lists them)"
    )


def run_tui(args: list[str]) -> int:
    startup_gc.hold()  # the imports too: released after the first frame (or at the end)
    try:
        options = _parse(args)
        settings = load_settings(
            api_url=options.api_url, profile=options.profile, readonly=options.readonly
        )
    except ComfyTuiError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    _setup_logging(settings.locations.log_file)
    _prewarm(settings.demo)
    _probe_images(settings.image_protocol)
    from comfytui.ui.app import ComfyTUI

    if settings.keymap:
        bad = _bad_keymap(settings)
        if bad:
            print(bad, file=sys.stderr)
            return 2
    app = ComfyTUI(settings)
    app.readonly_flag = bool(options.readonly)
    try:
        app.run()
    except ComfyTuiError as exc:
        print(f"comfytui: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        log.exception("the app stopped on an unexpected error")
        print(
            f"comfytui: unexpected {type(exc).__name__}: {exc} "
            f"(details in {settings.locations.log_file})",
            file=sys.stderr,
        )
        return 4
    if app.exit_message:
        print(app.exit_message, file=sys.stderr)
    return app.return_code or 0
