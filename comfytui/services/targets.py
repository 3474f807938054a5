"""What the user has in front of them, mapped to the deployments a new run would use.

The TUI's `n` (new run) and the palette ask one question through here, whatever screen or pane
has focus: "which deployments does this item stand for?" An `ItemRef` (models) names the focused
item (`workflow`, `deployment`, `run` or `machine`, its id, and the object when the screen has
it); `deployments_for` answers, in the order a choice is offered: production first, then staging,
then the rest by name. No target (or one that maps to nothing) gets every known deployment,
for a picker. `prepared` gives a deployment its inputs, or says they cannot be known (a
self-hosted server: values are then sent as typed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from comfytui.errors import ApiError, NotFoundError, NotSupportedError
from comfytui.models import Deployment, ItemRef, Run
from comfytui.services.base import UNREACHABLE
from comfytui.services.listing import DeploymentDetail

if TYPE_CHECKING:
    from comfytui.services.session import Session

ENVIRONMENT_ORDER = ("production", "staging")


@dataclass(frozen=True)
class Choice:
    """The deployments a target stands for (best first) and whether they came from it."""

    deployments: list[Deployment]
    from_target: bool  # False: the target mapped to nothing; these are all known deployments
    what: str = ""  # the target, for the picker's title: "workflow txt2img"


def environment_rank(deployment: Deployment) -> tuple[int, str, str, str]:
    env = deployment.environment or ""
    rank = ENVIRONMENT_ORDER.index(env) if env in ENVIRONMENT_ORDER else len(ENVIRONMENT_ORDER)
    return (rank, env.casefold(), (deployment.name or "").casefold(), deployment.id)


def ordered(deployments: list[Deployment]) -> list[Deployment]:
    """Production first, then staging, then the rest (by environment, then name)."""
    return sorted(deployments, key=environment_rank)


async def known_deployments(session: Session) -> list[Deployment]:
    """Every deployment the cache knows; the server is asked when the cache has none."""
    catalog = session.catalog
    items = list((await catalog.cached_deployments()).items)
    if not items:
        items = list((await catalog.refresh_deployments()).items)
    return ordered(items)


async def deployments_for(session: Session, target: ItemRef | None) -> Choice:
    """The deployments `target` stands for; with none, every known one (`from_target=False`)."""
    found: list[Deployment] = []
    what = ""
    if target is not None:
        found, what = await _mapped(session, target)
    if found:
        return Choice(ordered(found), True, what)
    return Choice(await known_deployments(session), False, what)


async def _mapped(session: Session, target: ItemRef) -> tuple[list[Deployment], str]:
    cache = session.cache
    item = target.item
    if target.kind == "deployment":
        if isinstance(item, Deployment):
            return [item], f"deployment {item.name}"
        try:
            deployment = await session.catalog.resolve_deployment(target.id)
        except (NotFoundError, *UNREACHABLE):
            return [], f"deployment {target.id[:8]}"
        return [deployment], f"deployment {deployment.name}"
    if target.kind == "workflow":
        name = getattr(item, "name", None) or target.id[:8]
        found = await cache.list_deployments(workflow_id=target.id)
        if not found:
            listing = await session.catalog.refresh_deployments(workflow_id=target.id)
            found = [d for d in listing.items if d.workflow_id == target.id]
        return found, f"workflow {name}"
    if target.kind == "run":
        return await _of_run(session, target), f"run {target.id[:8]}"
    if target.kind == "machine":
        name = getattr(item, "name", None) or target.id[:8]
        found = [d for d in await cache.list_deployments() if d.machine_id == target.id]
        return found, f"machine {name}"
    return [], ""


async def _of_run(session: Session, target: ItemRef) -> list[Deployment]:
    """The run's deployment: by its id when the run names one, else matched by version."""
    run = target.item if isinstance(target.item, Run) else await session.cache.get_run(target.id)
    deployment_id = getattr(target.item, "deployment_id", None) or getattr(
        run, "deployment_id", None
    )
    if deployment_id:
        known = await session.cache.get_deployment(deployment_id)
        if known is not None:
            return [known]
    if run is None:
        try:
            run = await session.catalog.get_run(target.id)
        except (ApiError, *UNREACHABLE):
            return []
    try:
        return [await session.sweeps.deployment_of(run)]
    except (NotFoundError, ApiError, *UNREACHABLE):
        return []


def inputs_known(deployment: Deployment) -> bool:
    """Inputs listed, or a workflow version to read them from (no inputs there means none)."""
    return bool(deployment.inputs) or deployment.workflow_version_id is not None


async def prepared(session: Session, deployment: Deployment) -> tuple[Deployment, bool]:
    """The deployment with its inputs (asked for or discovered, §3.1), and whether they are
    known; a server that cannot tell gets the deployment as it is (values sent as typed)."""
    try:
        deployment = await session.catalog.ensure_inputs(deployment)
    except (ApiError, *UNREACHABLE):
        return deployment, bool(deployment.inputs)
    return deployment, inputs_known(deployment)


async def deployment_by_id(session: Session, deployment_id: str) -> DeploymentDetail:
    """A deployment of a server that cannot look one up (self-hosted, §7): what can be known.

    The id as the name (or what the cache knows), its inputs discovered from the workflow
    version its runs used, and the runs of it in the cache.
    """
    catalog = session.catalog
    try:
        deployment = await catalog.resolve_deployment(deployment_id)
    except NotSupportedError:
        deployment = Deployment(id=deployment_id, name=deployment_id)
    if deployment.name == deployment.id and deployment.workflow_id is None:
        deployment = replace(deployment, environment="")  # nothing known: not "production"
    deployment, known = await prepared(session, deployment)
    runs = await session.cache.list_runs(limit=20, deployment_id=deployment.id)
    error = None if known else "inputs unknown: values are sent as typed"
    return DeploymentDetail(deployment, None, runs, False, error, inputs_known=known)
