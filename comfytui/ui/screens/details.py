"""Detail views of a workflow, a deployment and a machine (the run view is `ui/runs/`).

One base, `DetailScreen`: a worker asks the services for the detail and posts `DetailLoaded`;
the handler builds the sections. Tables of related things (runs, deployments) open on `enter`:
their row keys are `kind:id`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from comfytui.errors import NotFoundError, NotSupportedError
from comfytui.formats import number_text, range_text, value_text
from comfytui.models import Deployment, InputSpec, ItemRef, Machine, Run, Workflow
from comfytui.ui.failures import ReportsFailures, fetch
from comfytui.ui.focus import row_ref
from comfytui.ui.format import ago, duration, progress, safe, short_id, status
from comfytui.ui.widgets.cells import set_cell

if TYPE_CHECKING:
    from comfytui.ui.app import ComfyTUI

Row = tuple[str | None, Sequence[Text]]


class DetailLoaded(Message, bubble=False):
    def __init__(self, detail: Any) -> None:
        super().__init__()
        self.detail = detail


class DetailScreen(ReportsFailures, Screen[None]):
    """Base of the detail views: load in a worker, show in the handler, escape goes back."""

    KIND: ClassVar[str] = ""
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="detail.back"),
        Binding("r", "reload", "Refresh", id="detail.refresh"),
    ]

    def __init__(self, item_id: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.detail: Any = None

    @property
    def comfy(self) -> ComfyTUI:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{self.KIND} {self.item_id}", style="bold"), classes="detail-title")
        yield VerticalScroll(Static(Text("loading…", style="dim")), classes="detail-body")
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        if self.comfy.session is None:
            self.notify("still connecting", severity="warning")
            return
        self._load()

    @fetch(group="detail")
    async def _load(self) -> None:
        self.post_message(DetailLoaded(await self.fetch_detail()))

    async def fetch_detail(self) -> Any:
        raise NotImplementedError

    async def on_detail_loaded(self, message: DetailLoaded) -> None:
        self.detail = message.detail
        body = self.query_one(".detail-body", VerticalScroll)
        await body.remove_children()
        title, widgets = self.build(message.detail)
        if getattr(message.detail, "offline", False):
            title.append("   offline: cached copy", style="bold red")
        self.query_one(".detail-title", Static).update(title)
        await body.mount_all(widgets)
        first = next(iter(body.query(DataTable)), None)
        if first is not None:
            first.focus()

    def build(self, detail: Any) -> tuple[Text, list[Static | DataTable]]:
        raise NotImplementedError

    # --- building blocks -----------------------------------------------------------------------

    @staticmethod
    def section(title: str) -> Static:
        return Static(Text(title, style="bold underline"), classes="detail-section")

    @staticmethod
    def facts(pairs: Iterable[tuple[str, Text]]) -> Static:
        text = Text()
        for label, value in pairs:
            text.append(f"{label:>12}  ", style="dim")
            text.append_text(value)
            text.append("\n")
        text.rstrip()
        return Static(text, classes="detail-facts")

    @staticmethod
    def table(columns: Sequence[str], rows: Iterable[Row]) -> DataTable:
        """A related-items table; a row key `kind:id` makes `enter` open it."""
        table: DataTable = DataTable(cursor_type="row", zebra_stripes=True, classes="detail-table")
        table.add_columns(*columns)
        count = 0
        for key, cells in rows:
            table.add_row(*cells, key=key)
            count += 1
        if not count:
            table.add_row(*([Text("none", style="dim")] + [Text("")] * (len(columns) - 1)))
        return table

    def focus_target(self) -> ItemRef | None:
        """The focused related row (`kind:id` key), else this screen's own item (ui/focus.py)."""
        table = self.focused
        if isinstance(table, DataTable) and table.row_count:
            with contextlib.suppress(Exception):
                key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
                found = row_ref(key)
                if found is not None:
                    return found
        item = getattr(self, "deployment", None) or _get(self.detail, self.KIND)
        return ItemRef(self.KIND, self.item_id if item is None else item.id, item)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value or ""
        kind, _, ident = key.partition(":")
        if kind == "run":
            from comfytui.ui.runs import RunScreen

            self.app.push_screen(RunScreen(ident))
        elif kind == "deployment":
            self.app.push_screen(DeploymentScreen(ident))
        elif kind == "workflow":
            self.app.push_screen(WorkflowScreen(ident))
        elif kind == "machine":
            self.app.push_screen(MachineScreen(ident))

    # --- shared rows ---------------------------------------------------------------------------

    def input_rows(self, inputs: Iterable[InputSpec]) -> list[tuple[None, Sequence[Text]]]:
        rows: list[tuple[None, Sequence[Text]]] = []
        for spec in inputs:
            if spec.enum_options:
                limits = ", ".join(spec.enum_options)
            elif spec.min_value is not None or spec.max_value is not None:
                step = f" step {number_text(spec.step)}" if spec.step is not None else ""
                limits = f"{range_text(spec.min_value, spec.max_value)}{step}"
            else:
                limits = None
            default = None if spec.default is None else value_text(spec.default)
            rows.append(
                (
                    None,
                    (
                        safe(spec.input_id, 30, style="bold"),
                        safe(str(spec.kind), 12),
                        safe(default, 40),
                        safe(limits, 40),
                        safe(spec.display_name or spec.description, 40),
                    ),
                )
            )
        return rows

    def deployment_rows(self, deployments: Iterable[Deployment]) -> list:
        now = self.comfy.now()
        return [
            (
                f"deployment:{d.id}",
                (
                    safe(d.name, 32),
                    safe(d.environment, 12),
                    safe(d.machine_name or d.machine_id, 20),
                    ago(d.updated_at or d.created_at, now),
                ),
            )
            for d in deployments
        ]

    def run_rows(self, runs: Iterable[Run]) -> list:
        now = self.comfy.now()
        return [
            (
                f"run:{r.id}",
                (
                    ago(r.created_at, now),
                    status(r.status),
                    progress(r.progress) if not r.is_terminal else Text(""),
                    duration(r.started_at or r.created_at, r.ended_at, now),
                    short_id(r.id, 36),
                ),
            )
            for r in runs
        ]


def _get(detail: Any, name: str, default: Any = None) -> Any:
    return getattr(detail, name, default)


class WorkflowScreen(DetailScreen):
    """A workflow: facts, versions, the inputs discovered in its graph, deployments using it."""

    KIND = "workflow"

    async def fetch_detail(self) -> Any:
        return await self.comfy.session.catalog.workflow_detail(self.item_id)

    def build(self, detail: Any) -> tuple[Text, list]:
        workflow: Workflow = _get(detail, "workflow", detail)
        now = self.comfy.now()
        title = Text("Workflow ", style="dim") + safe(workflow.name, 80, style="bold")
        versions = _get(detail, "versions", ()) or ()
        return title, [
            self.facts(
                [
                    ("id", safe(workflow.id, None)),
                    ("description", safe(workflow.description, 200)),
                    ("machine", safe(workflow.machine_id, None)),
                    ("updated", ago(workflow.updated_at or workflow.created_at, now)),
                ]
            ),
            self.section(f"Versions ({len(versions)})"),
            self.table(
                ("Version", "Comment", "Created", "ID"),
                (
                    (
                        None,
                        (
                            Text(f"v{v.version}"),
                            safe(v.comment, 50),
                            ago(v.created_at, now),
                            short_id(v.id, 36),
                        ),
                    )
                    for v in sorted(versions, key=lambda v: v.version, reverse=True)
                ),
            ),
            self.section("Inputs discovered in the latest version"),
            self.table(
                ("Input", "Type", "Default", "Range / options", "Label"),
                self.input_rows(_get(detail, "inputs", ()) or ()),
            ),
            self.section("Deployments using it"),
            self.table(
                ("Name", "Env", "Machine", "Updated"),
                self.deployment_rows(_get(detail, "deployments", ()) or ()),
            ),
        ]


class DeploymentScreen(DetailScreen):
    """A deployment: environment, machine, every input with type/default/range, recent runs."""

    KIND = "deployment"
    BINDINGS: ClassVar = [
        Binding("n", "app.start_run", "New run", id="deployment.start_run"),
    ]

    def __init__(self, item_id: str) -> None:
        super().__init__(item_id)
        self.recent_runs: list[Run] = []
        self._runs_table: DataTable | None = None
        self._runs_title: Static | None = None

    @property
    def deployment(self) -> Deployment | None:
        return _get(self.detail, "deployment", self.detail) if self.detail is not None else None

    def on_mount(self) -> None:
        super().on_mount()
        watcher = getattr(self.app, "run_watcher", None)
        if watcher is not None:  # runs started or changed anywhere in the app show here at once
            watcher.updated.subscribe(self, self._on_run)
        self.set_interval(1.0, self._tick_runs)

    def _on_run(self, run: Run) -> None:
        deployment = self.deployment
        if deployment is None or run.deployment_id != deployment.id or self._runs_table is None:
            return
        runs = [r for r in self.recent_runs if r.id != run.id]
        known = len(runs) != len(self.recent_runs)
        if known:
            self.recent_runs = [run if r.id == run.id else r for r in self.recent_runs]
        else:
            self.recent_runs = [run, *runs]
        table = self._runs_table
        table.clear()
        for key, cells in self.run_rows(self.recent_runs):
            table.add_row(*cells, key=key)
        if self._runs_title is not None:
            self._runs_title.update(self._runs_heading())

    def _runs_heading(self) -> Text:
        return self._runs_heading_for(len(self.recent_runs))

    @staticmethod
    def _runs_heading_for(count: int) -> Text:
        return Text(f"Recent runs ({count})", style="bold underline")

    def _tick_runs(self) -> None:
        """Created keeps moving (changed cells only), while this screen shows."""
        table = self._runs_table
        if table is None or self.app.screen is not self or not self.recent_runs:
            return
        rows = dict(self.run_rows(self.recent_runs))
        for row in range(table.row_count):
            key = table.coordinate_to_cell_key((row, 0)).row_key.value
            cells = rows.get(key or "")
            if cells is not None:
                # Created only: a running run's Took moves with its updates (`_on_run`)
                set_cell(table, key, table.ordered_columns[0].key, cells[0])

    async def fetch_detail(self) -> Any:
        """By id; what the user typed may also be a name (or name@env): resolve it first."""
        catalog = self.comfy.session.catalog
        try:
            return await catalog.deployment_detail(self.item_id)
        except NotSupportedError:  # a self-hosted server: no lookup, show what can be known
            from comfytui.services import targets

            return await targets.deployment_by_id(self.comfy.session, self.item_id)
        except NotFoundError:
            deployment = await catalog.resolve_deployment(self.item_id)
            return await catalog.deployment_detail(deployment.id)

    def build(self, detail: Any) -> tuple[Text, list]:
        deployment: Deployment = _get(detail, "deployment", detail)
        machine: Machine | None = _get(detail, "machine")
        now = self.comfy.now()
        title = Text("Deployment ", style="dim") + safe(deployment.name, 80, style="bold")
        runs_title = self._runs_title = self.section("")
        runs_title.update(self._runs_heading_for(len(list(_get(detail, "runs", ()) or ()))))
        runs_table = self._runs_table = self.table(
            ("Created", "Status", "Progress", "Took", "ID"),
            self.run_rows(_get(detail, "runs", ()) or ()),
        )
        runs = _get(detail, "runs", ()) or ()
        self.recent_runs = list(runs)
        machine_text = safe(deployment.machine_name or deployment.machine_id, 60)
        if machine is not None:
            machine_text = safe(machine.name, 40) + Text("  ") + status(machine.status)
        return title, [
            self.facts(
                [
                    ("id", safe(deployment.id, None)),
                    ("environment", safe(deployment.environment, 30)),
                    ("machine", machine_text),
                    ("gpu", safe(deployment.gpu or (machine.gpu if machine else None), 20)),
                    ("version", safe(deployment.version, 10)),
                    ("workflow", safe(deployment.workflow_id, None)),
                    ("description", safe(deployment.description, 200)),
                    ("updated", ago(deployment.updated_at or deployment.created_at, now)),
                ]
            ),
            self.section(f"Inputs ({len(deployment.inputs)})   n starts a run"),
            *self.inputs_unknown(detail),
            self.table(
                ("Input", "Type", "Default", "Range / options", "Label"),
                self.input_rows(deployment.inputs),
            ),
            runs_title,
            runs_table,
        ]

    @staticmethod
    def inputs_unknown(detail: Any) -> list[Static]:
        if _get(detail, "inputs_known", True):
            return []
        text = Text("inputs unknown: values are sent as typed", style="yellow")
        text.append(" (this server cannot list them; a run of it lets them be discovered)")
        return [Static(text, classes="detail-note")]


class MachineScreen(DetailScreen):
    """A machine: status, type, GPU, and the deployments running on it."""

    KIND = "machine"

    async def fetch_detail(self) -> Any:
        return await self.comfy.session.catalog.machine_detail(self.item_id)

    def build(self, detail: Any) -> tuple[Text, list]:
        machine: Machine = _get(detail, "machine", detail)
        now = self.comfy.now()
        title = Text("Machine ", style="dim") + safe(machine.name, 80, style="bold")
        return title, [
            self.facts(
                [
                    ("id", safe(machine.id, None)),
                    ("status", status(machine.status)),
                    ("type", safe(machine.type, 30)),
                    ("gpu", safe(machine.gpu, 20)),
                    ("updated", ago(machine.updated_at or machine.created_at, now)),
                ]
            ),
            self.section("Deployments on this machine"),
            self.table(
                ("Name", "Env", "Machine", "Updated"),
                self.deployment_rows(_get(detail, "deployments", ()) or ()),
            ),
        ]
