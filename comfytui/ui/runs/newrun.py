"""`n`: a new run for the focused item, through one path whatever the screen.

`focused_item` names the item in front of the user; the services map it to deployments
(`services.targets`). One deployment opens the run form at once; several (a workflow deployed
to production and staging) open a choice, production first; an item that maps to nothing (or
no item) opens a picker of every known deployment.
"""

from __future__ import annotations

from typing import Any

from comfytui.errors import ComfyTuiError
from comfytui.models import Deployment, ItemRef
from comfytui.sanitize import plain


async def start_run_for(app: Any, ref: ItemRef | None) -> None:
    from comfytui.services import targets

    session = app.session
    try:
        choice = await targets.deployments_for(session, ref)
    except ComfyTuiError as exc:
        app.notify(f"Cannot start a run: {exc}", severity="error", markup=False)
        return
    deployment: Deployment | None
    if choice.from_target and len(choice.deployments) == 1:
        deployment = choice.deployments[0]
    elif not choice.deployments:
        app.notify(
            "No deployment known yet: o opens one by id (or 2 shows the Deployments pane).",
            severity="warning",
            markup=False,
        )
        return
    else:
        deployment = await app.push_screen_wait(_picker(choice))
        if deployment is None:
            return
    try:
        deployment, known = await targets.prepared(session, deployment)
    except ComfyTuiError as exc:
        app.notify(f"Cannot start a run: {exc}", severity="error", markup=False)
        return
    from comfytui.ui.runs.form import RunFormScreen

    app.push_screen(RunFormScreen(deployment, inputs_known=known))


def _picker(choice: Any) -> Any:
    from comfytui.ui.screens.pick_deployment import DeploymentPicker

    if choice.from_target:
        title = f"New run: which deployment of {plain(choice.what, 60)}?"
        return DeploymentPicker(choice.deployments, title)
    title = "New run: choose a deployment"
    if choice.what:
        title += f" ({plain(choice.what, 40)} has none)"
    return DeploymentPicker(choice.deployments, title, filter=True)
