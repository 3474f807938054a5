"""`CommandRunner`: what each `:` command does in the app. Table-driven: `HANDLERS` maps a
command to a method; a view whose screen another feature provides (gallery, sweeps) is found
by action name on the app at run time and says "not available yet" until it exists.

Every outcome is one line (a toast); nothing here raises into the app.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from comfytui.errors import ComfyTuiError, NotSupportedError
from comfytui.sanitize import plain
from comfytui.ui.commandline.parse import CommandError, Parsed, closest, parse, view_filter
from comfytui.ui.readonly import refusal_text

if TYPE_CHECKING:
    from comfytui.ui.app import ComfyTUI

#: main-screen pane of each view command
PANE_VIEWS = {"workflows": 0, "deployments": 1, "machines": 2, "runs": 3}
#: views other features provide: command -> app action (without `action_`)
FEATURE_VIEWS = {"gallery": "show_gallery", "sweeps": "show_sweeps"}
#: commands that act on what is focused: command -> action looked up on the screen, then the app
FEATURE_ACTIONS = {"rerun": "rerun"}


class CommandRunner:
    def __init__(self, app: ComfyTUI) -> None:
        self.app = app
        self.previous: list[tuple[str, str]] = []  # (view, filter) for `:back` / `-`

    @property
    def aliases(self) -> Mapping[str, str]:
        return self.app.settings.aliases

    def arguments(self) -> Mapping[str, Iterable[str]]:
        """Known values for tab completion of each command's argument."""
        from comfytui.settings import profile_names

        deployments = [d.name for d in self.app.main.deployments.items if d.name]
        return {
            "theme": list(self.app.available_themes),
            "profile": profile_names(self.app.settings.locations),
            "run": deployments,
            "open": deployments,
            "runs": ["failed", "success", "running", "queued", "cancelled"],
        }

    # --- entry ---------------------------------------------------------------------------------

    def run(self, line: str | None) -> None:
        if not line:
            return
        try:
            parsed = parse(line, self.aliases)
        except CommandError as exc:
            self.app.notify(str(exc), severity="warning", markup=False)
            return
        if parsed.spec.mutating and self.app.readonly:
            self.app.notify(refusal_text(parsed.spec.mutating), severity="warning", markup=False)
            return
        handler = getattr(self, f"do_{parsed.name}", None)
        if parsed.name in PANE_VIEWS:
            self.show_view(parsed.name, view_filter(parsed.args))
        elif parsed.name in FEATURE_VIEWS:
            self._feature_view(parsed)
        elif parsed.name in FEATURE_ACTIONS:
            self._feature_action(parsed)
        elif handler is not None:
            handler(parsed)
        else:
            self._not_yet(parsed.name)

    def _not_yet(self, name: str) -> None:
        self.app.notify(f":{name} is not available yet in this version", markup=False)

    # --- views ---------------------------------------------------------------------------------

    def current_view(self) -> tuple[str, str] | None:
        app = self.app
        if app.screen is not app.main:
            return None
        pane = app.main.current_pane
        if pane is None:
            return None
        return pane.KIND, pane.query_text

    def show_view(self, view: str, text: str, *, remember: bool = True) -> None:
        here = self.current_view()
        if remember and here is not None and here != (view, text):
            self.previous.append(here)
            del self.previous[:-20]
        app = self.app
        app.action_show_pane(PANE_VIEWS[view])
        pane = app.main.panes[PANE_VIEWS[view]]
        pane.show_filter(text)

    def _feature_view(self, parsed: Parsed) -> None:
        action = getattr(self.app, f"action_{FEATURE_VIEWS[parsed.name]}", None)
        if action is None:
            self._not_yet(parsed.name)
            return
        here = self.current_view()
        if here is not None:
            self.previous.append(here)
        action(view_filter(parsed.args)) if parsed.args else action()

    def _feature_action(self, parsed: Parsed) -> None:
        name = f"action_{FEATURE_ACTIONS[parsed.name]}"
        action = getattr(self.app.screen, name, None) or getattr(self.app, name, None)
        if action is None:
            self._not_yet(parsed.name)
            return
        action(*parsed.args)

    def do_back(self, parsed: Parsed) -> None:
        del parsed
        if not self.previous:
            self.app.notify("no previous view", markup=False)
            return
        view, text = self.previous.pop()
        if view in PANE_VIEWS:
            self.show_view(view, text, remember=False)

    # --- actions -------------------------------------------------------------------------------

    def do_run(self, parsed: Parsed) -> None:
        if not parsed.args:
            self.app.notify("usage: :run NAME [input=value ...]", markup=False)
            return
        if self.app.needs_network("starting a run"):
            return
        name, *assignments = parsed.args
        self.app.run_worker(self._run(name, assignments), group="command-run", exit_on_error=False)

    async def _run(self, name: str, assignments: list[str]) -> None:
        from comfytui.services.assignments import build_values, split_assignments
        from comfytui.ui.messages import RunStarted

        app = self.app
        session = app.session
        try:
            deployment = await session.catalog.resolve_deployment(name)
            if not assignments:
                from comfytui.ui.runs import RunFormScreen

                app.push_screen(RunFormScreen(deployment))
                return
            pairs = split_assignments(assignments, flag=":run")
            with contextlib.suppress(NotSupportedError):  # unknown inputs: sent unchecked
                deployment = await session.catalog.ensure_inputs(deployment)
            values = build_values(deployment, pairs)
            run = await session.runs.start(deployment, values)
        except ComfyTuiError as exc:
            app.notify(f":run {plain(name, 40)}: {exc}", severity="error", markup=False)
            return
        app.post_message(RunStarted(run))
        app.notify(f"Run {run.id[:8]} queued on {plain(deployment.name, 40)}", markup=False)

    def do_cancel(self, parsed: Parsed) -> None:
        del parsed
        screen_cancel = getattr(self.app.screen, "action_cancel_run", None)
        if screen_cancel is not None:
            screen_cancel()
            return
        run = self.app.main.runs.selected if self.app.screen is self.app.main else None
        if run is None:
            self.app.notify("no run selected (4 shows the Runs pane)", markup=False)
            return
        if run.is_terminal:
            self.app.notify(f"run {run.id[:8]} already ended ({run.status.value})", markup=False)
            return
        from comfytui.ui.runs.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.run_worker(self._cancel(run.id), group="command-cancel")

        self.app.push_screen(
            ConfirmScreen(f"Cancel run {run.id[:8]}?", "Cancel run", "Keep"), answered
        )

    async def _cancel(self, run_id: str) -> None:
        try:
            await self.app.session.runs.cancel(run_id)
        except ComfyTuiError as exc:
            self.app.notify(f"Cancel failed: {exc}", severity="error", markup=False)
            return
        self.app.notify(f"Cancel requested for run {run_id[:8]}.", markup=False)
        self.app.run_watcher.watch(run_id)

    def do_open(self, parsed: Parsed) -> None:
        if not parsed.args:
            self.app.action_open_by_id()
            return
        if self.app.session is None:
            self.app.notify("still connecting", markup=False)
            return
        self.app.run_worker(self._open(parsed.arg), group="command-open", exit_on_error=False)

    async def _open(self, value: str) -> None:
        app = self.app
        target = await resolve_open(app.session, value)
        if isinstance(target, str):
            app.notify(target, severity="warning", markup=False)
            return
        app._open_target(target)

    def do_theme(self, parsed: Parsed) -> None:
        themes = list(self.app.available_themes)
        if not parsed.args:
            self.app.notify(f"themes: {', '.join(themes)}", markup=False)
            return
        name = parsed.arg
        if name not in themes:
            near = _near(name, themes)
            hint = f"; did you mean {near}?" if near else ""
            self.app.notify(
                f"unknown theme {plain(name, 40)}{hint}", severity="warning", markup=False
            )
            return
        self.app.theme = name

    def do_profile(self, parsed: Parsed) -> None:
        if not parsed.args:
            self.app.notify(f"profile: {plain(self.app.settings.profile, 40)}", markup=False)
            return
        self.app.switch_profile(parsed.arg)

    def do_help(self, parsed: Parsed) -> None:
        del parsed
        self.app.action_help()

    def do_quit(self, parsed: Parsed) -> None:
        # `:q` asks first while run-form drafts were not sent; `:q!` quits at once (vim)
        self.app.request_quit(force=parsed.bang)


def _near(word: str, names: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, names, n=1, cutoff=0.5)
    return found[0] if found else None


async def resolve_open(session: Any, value: str) -> tuple[str, str] | str:
    """`(kind, id)` for an id, 6+ character id prefix or name (`catalog.resolve_any`: the
    cache first, then the server), or the one-line reason (ambiguous: the matches)."""
    try:
        return await session.catalog.resolve_any(value)
    except ComfyTuiError as exc:
        return str(exc)


__all__ = ["CommandRunner", "closest", "resolve_open"]
