"""`ComfyTUI`: the app shell. Opens the services session, routes keys, actions and commands.

Start-up: the main screen paints at once; a worker opens the session (demo mode starts the
emulator there), then every pane paints its cached rows and revalidates in the background.
Mixins hold the rest: connection state and failures as words (`ui/app_connection.py`), the
runs' side (`ui/runs/app_runs.py`: `n`, run messages, resuming, run-ended alerts) and switching
profiles (`ui/app_profiles.py`).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input

from comfytui.errors import ComfyTuiError
from comfytui.settings import Settings
from comfytui.ui import readonly as ro
from comfytui.ui import startup_gc
from comfytui.ui.app_connection import AppConnection
from comfytui.ui.app_profiles import AppProfiles
from comfytui.ui.commandline.dispatch import CommandRunner
from comfytui.ui.commandline.history import CommandHistory
from comfytui.ui.connection import follow_link
from comfytui.ui.failures import describe
from comfytui.ui.messages import SessionReady
from comfytui.ui.panes.runs import RunsPane
from comfytui.ui.repaint import OpaqueScreens
from comfytui.ui.runs.app_runs import AppRuns
from comfytui.ui.runs.watcher import RunWatcher
from comfytui.ui.screens.main import MainScreen
from comfytui.ui.stylesheets import stylesheet_paths
from comfytui.ui.widgets.status import ConnectionState

if TYPE_CHECKING:
    from textual.command import Provider

    from comfytui.services import Session


def _is_text_field(widget: object) -> bool:
    """An Input or a TextArea (TextArea loads a document model and themes, ~40 ms: no import
    for the check; while its module is not loaded no widget is one)."""
    if isinstance(widget, Input):
        return True
    text_area = sys.modules.get("textual.widgets._text_area")
    return text_area is not None and isinstance(widget, text_area.TextArea)


def _comfy_commands() -> type[Provider]:
    """The palette's provider, loaded when the palette first opens (`textual.command` and its
    fuzzy matcher cost ~15-35 ms of start-up otherwise; Textual accepts a callable here)."""
    from comfytui.ui.commands import ComfyCommands

    return ComfyCommands


class ComfyTUI(OpaqueScreens, AppConnection, AppRuns, AppProfiles, App[int]):
    TITLE = "comfytui"
    CSS_PATH: ClassVar = stylesheet_paths()
    COMMANDS: ClassVar = App.COMMANDS | {_comfy_commands}
    BINDINGS: ClassVar = [
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        # q quits only where nothing typed can be lost (a form: never); ctrl+q (Textual's) asks
        Binding("q", "quit_key", "Quit", id="app.quit"),
        Binding("n", "start_run", "New run", id="app.start_run"),
        Binding("o", "open_by_id", "Open by id", id="app.open_by_id"),
        # G where no list takes it (the panes keep vim's G = last row; 5 opens it there)
        Binding("G", "gallery", "Gallery", show=False, id="app.gallery"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False, id="app.toggle_theme"),
        # priority: taken at once, so keys typed right after `:` reach the prompt (a normal
        # binding runs only when the key bubbles back, after later keys went to the old focus)
        Binding("colon", "command_mode", "Command", priority=True, id="app.command"),
        Binding("minus", "previous_view", "Previous view", show=False, id="app.previous_view"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        session: Session | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.session: Session | None = session
        self._session_stack = contextlib.AsyncExitStack()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.state = ConnectionState(api_host="", demo=settings.demo)
        self.run_watcher = RunWatcher(id="run-watcher")
        self.exit_message: str | None = None
        self.commands = CommandRunner(self)
        self.command_history = CommandHistory(settings.locations.data_dir / "command_history")
        self.readonly_flag = False  # --readonly given: kept across :profile switches
        self.started_here: set[str] = set()  # runs queued from this app (notifications)
        self.state.readonly = settings.readonly
        if settings.theme:
            self.theme = settings.theme
        if settings.keymap:
            self.set_keymap(dict(settings.keymap))

    def now(self) -> datetime:
        return self.clock()

    @property
    def readonly(self) -> bool:
        return self.settings.readonly or bool(getattr(self.session, "readonly", False))

    # --- read-only mode: every key and action goes through these two ---------------------------

    def _check_action_state(self, action: str, default_namespace: Any) -> bool | None:
        # Textual asks this for each binding it shows (footer, help): False hides the key.
        if self.readonly and ro.mutating(action):
            return False
        return super()._check_action_state(action, default_namespace)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `:` is a character in a text field (a prompt, a filter): no command mode there
        if action == "command_mode" and _is_text_field(self.focused):
            return False
        # a form is open: q is not a quit key there, and n is not a new run (it is typed);
        # a dialog (the deployment picker, a question) does not start another run either
        if action == "start_run" and isinstance(self.screen, ModalScreen):
            return False
        return not (action in ("quit_key", "start_run") and self.holds_input())

    async def run_action(
        self, action: Any, default_namespace: Any = None, namespaces: Any = None
    ) -> bool:
        what = ro.mutating(action) if self.readonly else None
        if what is not None:
            self.notify(ro.refusal_text(what), severity="warning", markup=False)
            return True
        return await super().run_action(action, default_namespace, namespaces)

    @property
    def main(self) -> MainScreen:
        return self.get_screen("main")  # type: ignore[return-value]

    def _runs_pane(self) -> RunsPane | None:
        """The Runs pane, or None before the main screen is composed or after the app closed
        it (a watcher's last update may arrive while the app shuts down)."""
        screen = self._installed_screens.get("main")
        if not isinstance(screen, MainScreen):
            return None
        return next(iter(screen.query(RunsPane)), None)

    # --- life cycle ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        startup_gc.hold()  # until the first frame (MainScreen releases it)
        self.install_screen(MainScreen(), name="main")
        self.push_screen("main")
        self.mount(self.run_watcher)
        self.set_interval(1.0, self._tick)
        if self.session is None:
            self._open_session()
        else:
            self.post_message(SessionReady())

    @work(exclusive=True, group="session", exit_on_error=False)
    async def _open_session(self) -> None:
        from comfytui.services import Session

        try:
            # demo: the cached demo world paints now, the emulator starts in the background
            self.session = await self._session_stack.enter_async_context(
                Session.open(self.settings, background_demo=True)
            )
        except Exception as exc:  # reported once, as one line, by the handler
            self.post_message(SessionReady(exc))
        else:
            self.post_message(SessionReady())

    async def on_unmount(self) -> None:
        with contextlib.suppress(Exception):
            await self._session_stack.aclose()
        startup_gc.thaw()

    def on_session_ready(self, message: SessionReady) -> None:
        if message.error is not None or self.session is None:
            # Nothing works without a session (bad URL, unusable cache folder): leave with one
            # line, which `run_tui` prints on stderr after the terminal is restored.
            error = message.error or RuntimeError("no session")
            text, _ = describe(error)
            self.exit_message = f"comfytui: cannot start: {text}"
            code = error.exit_code if isinstance(error, ComfyTuiError) else 4
            self.exit(return_code=code)
            return
        session = self.session
        self.state.api_host = session.api_host
        self.state.demo = session.demo
        self.state.readonly = self.readonly
        self.sub_title = "demo: local emulator" if session.demo else session.api_host
        notice = getattr(session, "notice", None)
        if notice:
            self.notify(str(notice), severity="warning", timeout=8)
        self.state.link = follow_link(self, session)
        self.main.reload_all()
        self._resume_runs()
        self._show_state()

    # --- quitting never throws typed input away (ui/quitting.py) ------------------------------

    def holds_input(self) -> bool:
        from comfytui.ui.quitting import holds_input

        return holds_input(self)

    def action_quit_key(self) -> None:
        if not self.holds_input():  # the binding is disabled then (check_action)
            self.request_quit()

    async def action_quit(self) -> None:
        """ctrl+q, the palette, `:q`: asks first when typed input would be lost."""
        self.request_quit()

    def request_quit(self, *, force: bool = False) -> None:
        from comfytui.ui.quitting import request_quit

        request_quit(self, force=force)

    def action_open_by_id(self, kind: str = "run") -> None:
        """Ask for a run or deployment id (or deployment name) and open it."""
        from comfytui.ui.screens.prompt import OpenByIdScreen

        self.push_screen(OpenByIdScreen(kind), self._open_target)

    def action_open_run_by_id(self, run_id: str = "") -> None:
        if run_id:
            from comfytui.ui.runs import RunScreen

            self.push_screen(RunScreen(run_id))
        else:
            self.action_open_by_id()

    def _open_target(self, target: tuple[str, str] | None) -> None:
        if not target:
            return
        kind, value = target
        if kind == "run":
            from comfytui.ui.runs import RunScreen

            self.push_screen(RunScreen(value))
        else:
            from comfytui.ui.screens import details

            screens = {"workflow": details.WorkflowScreen, "machine": details.MachineScreen}
            self.push_screen(screens.get(kind, details.DeploymentScreen)(value))

    def action_gallery(self) -> None:
        """The gallery of every saved output (key 5 / G, the palette)."""
        from comfytui.ui.gallery.screen import GalleryScreen

        if not isinstance(self.screen, GalleryScreen):
            self.push_screen(GalleryScreen())

    def action_help(self) -> None:
        from comfytui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def action_show_pane(self, index: int) -> None:
        """Go to a pane from anywhere (the palette uses this)."""
        while self.screen is not self.main and len(self.screen_stack) > 1:
            self.pop_screen()
        self.main.action_show_pane(index)

    def action_refresh(self) -> None:
        if self.session is None:
            return
        self.main.reload_all(cached=False)

    # --- command mode --------------------------------------------------------------------------

    def action_command_mode(self, text: str = "") -> None:
        from comfytui.ui.commandline.prompt import CommandPrompt

        prompt = CommandPrompt(
            self.command_history, self.settings.aliases, self.commands.arguments, text=text
        )
        self.push_screen(prompt, self.run_command)

    def run_command(self, line: str | None) -> None:
        """Run one `:` command line (the prompt, the palette and tests call this)."""
        self.commands.run(line)

    def action_previous_view(self) -> None:
        self.run_command("back")
