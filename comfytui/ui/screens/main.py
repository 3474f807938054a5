"""The main screen: four panes in a grid, the offline banner, the status bar and the footer."""

from __future__ import annotations

import contextlib
from typing import ClassVar, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.css.query import NoMatches
from textual.screen import Screen

from comfytui.ui import startup_gc
from comfytui.ui.firstpaint import FirstPaint
from comfytui.ui.panes import PANES, DeploymentsPane, ListingLoaded, ResourcePane, RunsPane
from comfytui.ui.widgets.footer import AppFooter
from comfytui.ui.widgets.status import OfflineBanner, StatusBar

PaneT = TypeVar("PaneT", bound=ResourcePane)
FIRST_FRAME_WAIT = 0.5  # seconds the first frame waits for the panes' cached rows at most


class MainScreen(Screen[None]):
    ALLOW_IN_MAXIMIZED_VIEW = "AppFooter, StatusBar, OfflineBanner"
    #: the first focus lands on the Deployments rows (one focus change at start-up, not two)
    AUTO_FOCUS = "#pane-deployments PaneTable"
    _resumed_once = False
    _first_frame: contextlib.AbstractContextManager[None] | None = None
    _panes: tuple[ResourcePane, ...] = ()  # composed below
    BINDINGS: ClassVar = [
        Binding("1", "show_pane(0)", "Workflows", show=False, id="main.pane1"),
        Binding("2", "show_pane(1)", "Deployments", show=False, id="main.pane2"),
        Binding("3", "show_pane(2)", "Machines", show=False, id="main.pane3"),
        Binding("4", "show_pane(3)", "Runs", show=False, id="main.pane4"),
        Binding("5", "app.gallery", "Gallery", id="main.gallery"),
        Binding("tab", "cycle_pane(1)", "Next pane", show=False, id="main.next_pane"),
        Binding("shift+tab", "cycle_pane(-1)", "Previous pane", show=False, id="main.prev_pane"),
        Binding("z", "zoom", "Zoom pane", id="main.zoom"),
    ]

    def compose(self) -> ComposeResult:
        #: opens when every pane's cached rows are painted: the network waits for it
        self.first_paint = FirstPaint(len(PANES))
        # One first frame with every pane's cached rows in it, not an empty frame and then one
        # a pane: repaints are held (Textual's batch_update) until each pane has its first
        # listing, or FIRST_FRAME_WAIT at most (a slow or failed cache read holds nobody).
        self._listed: set[str] = set()
        self._first_frame = self.app.batch_update()
        self._first_frame.__enter__()
        # Kept, not queried: the once-a-second tick reads them (a DOM query walks every node).
        self.status_bar = StatusBar(id="status-bar")
        self.offline_banner = OfflineBanner(id="offline-banner")
        self._panes = tuple(pane(id=f"pane-{pane.KIND}") for pane in PANES)
        yield self.status_bar
        yield self.offline_banner
        with Grid(id="panes"):
            yield from self._panes
        yield AppFooter()

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # The first resume follows the mount that styled every node: restyling them all again
        # (~70 style passes) would change nothing. Later resumes (back from a screen) restyle.
        if not self._resumed_once:
            self._resumed_once = True
            event.refresh_styles = False
        super()._on_screen_resume(event)

    def _compositor_refresh(self) -> None:
        # While the first frame is held, Textual still renders each layout pass in full (it
        # defers them with call_later) and then drops the output: two passes over the empty
        # panes, ~30 ms before the first rows. Skipped: the release lays out and renders once.
        if self._first_frame is not None:
            return
        super()._compositor_refresh()

    def on_listing_loaded(self, message: ListingLoaded) -> None:
        # Runs show deployment names: hand them over whenever deployments arrive.
        if message.kind == "deployments":
            self.runs.set_deployment_names(list(message.listing.items))
        self._listed.add(message.kind)
        if len(self._listed) >= len(PANES):
            self._show_first_frame()

    def on_mount(self) -> None:
        self.action_show_pane(1)
        self.set_timer(FIRST_FRAME_WAIT, self._show_first_frame)

    def _show_first_frame(self) -> None:
        held, self._first_frame = self._first_frame, None
        if held is not None:
            held.__exit__(None, None, None)
            self.refresh(layout=True)
            self.call_after_refresh(startup_gc.release)

    def on_unmount(self) -> None:
        self._show_first_frame()  # never leave the app's repaints held

    @property
    def panes(self) -> list[ResourcePane]:
        return list(self._panes)

    def pane(self, kind: str) -> ResourcePane:
        return self.query_one(f"#pane-{kind}", ResourcePane)

    @property
    def deployments(self) -> DeploymentsPane:
        return self._pane_of(DeploymentsPane)

    @property
    def runs(self) -> RunsPane:
        return self._pane_of(RunsPane)

    def _pane_of(self, kind: type[PaneT]) -> PaneT:
        for pane in self._panes:
            if isinstance(pane, kind):
                return pane
        raise NoMatches(f"no {kind.__name__} on the main screen (not composed yet)")

    @property
    def current_pane(self) -> ResourcePane | None:
        focused = self.focused
        if focused is None:
            return None
        for node in (focused, *focused.ancestors):
            if isinstance(node, ResourcePane):
                return node
        return None

    def action_show_pane(self, index: int) -> None:
        pane = self.panes[index]
        if self.maximized is not None:
            self.maximize(pane, container=False)
        self.set_focus(pane.table)  # at once: keys typed next are already queued

    def action_cycle_pane(self, step: int) -> None:
        panes = self.panes
        current = self.current_pane
        index = panes.index(current) if current in panes else -1
        self.action_show_pane((index + step) % len(panes))

    def action_zoom(self) -> None:
        if self.maximized is not None:
            self.minimize()
        elif (pane := self.current_pane) is not None:
            self.maximize(pane, container=False)

    def reload_all(self, *, cached: bool = True) -> None:
        for pane in self.panes:
            pane.reload(cached=cached)
