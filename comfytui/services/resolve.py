"""What the user typed -> the one item meant: full ids, id prefixes (6+ characters) and names.

The one resolver every front end uses (CLI `show`, `cancel`, `logs`, `rerun`, `run`; the TUI's
`o` and `:open`). The cache answers first; only when it knows nothing does the server get asked
(the listing is refreshed and the cache looked at again). A prefix never reaches the server as
an id, so no "Input should be a valid UUID" comes back; an ambiguous prefix is an
`AmbiguousIdError` listing the matches.

Deployment names: `NAME@ENV` splits only when ENV is a known environment (`ENVIRONMENTS`), so a
name holding `@` is still a name; a name shared by several deployments means its production one.
"""

from __future__ import annotations

import re
from typing import Any

from comfytui.cache.ids import IdMatch
from comfytui.errors import (
    AmbiguousIdError,
    ApiError,
    InputError,
    NetworkError,
    NotFoundError,
)
from comfytui.models import Deployment
from comfytui.sanitize import plain
from comfytui.services.base import CatalogBase
from comfytui.services.lazy_client import OfflineError

MIN_PREFIX = 6
KINDS = ("run", "deployment", "workflow", "machine")
# every environment a deployment can have (reference §2.8; legacy lists production and staging)
ENVIRONMENTS = (
    "production",
    "staging",
    "preview",
    "public-share",
    "private-share",
    "community-share",
)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HEX = re.compile(r"^[0-9a-fA-F-]+$")
_SHOWN = 5


def is_full_id(text: str) -> bool:
    return bool(_UUID.match(text.strip()))


def looks_like_id(text: str) -> bool:
    """Hex digits and dashes only: a whole id or a piece of one."""
    return bool(_HEX.match(text.strip()))


def split_environment(text: str) -> tuple[str, str]:
    """`name@staging` -> ("name", "staging"); `a@b` (b not an environment) -> ("a@b", "")."""
    name, sep, environment = text.rpartition("@")
    if sep and name and environment.casefold() in ENVIRONMENTS:
        return name, environment.casefold()
    return text, ""


def describe(match: IdMatch) -> str:
    """`4d125e7f-… (cancelled, txt2img)`: enough to tell the matches apart."""
    shown = ", ".join(plain(w, 30) for w in (match.label, match.detail) if w)
    return f"{match.id} ({shown})" if shown else match.id


def ambiguous(
    text: str, matches: list[IdMatch], names: dict[str, str] | None = None
) -> AmbiguousIdError:
    if names:  # a run is told apart by its deployment's name
        matches = [
            m._replace(detail=names.get(m.detail, m.detail[:8])) if m.kind == "run" else m
            for m in matches
        ]
    kinds = {m.kind for m in matches}
    what = next(iter(kinds)) if len(kinds) == 1 else "item"
    listed = ", ".join(describe(m) for m in matches[:_SHOWN])
    more = f" and {len(matches) - _SHOWN} more" if len(matches) > _SHOWN else ""
    return AmbiguousIdError(
        f"{plain(text, 40)!r} matches {len(matches)} {what}s: {listed}{more}; type more of the id",
        matches=matches,
    )


class IdResolver(CatalogBase):
    """Mixed into `Catalog`: `resolve_id`, `resolve_deployment`, `resolve_any`."""

    async def resolve_id(self, kind: str, text: str) -> str:
        """The full id of the one `kind` item `text` names: an id, a 6+ character id prefix, or
        (workflow, machine) a name. InputError (too short, not an id), AmbiguousIdError,
        NotFoundError; NetworkError when the cache does not know it and the server is away."""
        if kind == "deployment":
            return (await self.resolve_deployment(text)).id
        key = text.strip()
        if not key:
            raise InputError(f"no {kind} id given")
        if is_full_id(key):
            return key
        if looks_like_id(key):
            _check_length(kind, key)
        elif kind == "run":
            raise InputError(
                f"{plain(key, 40)!r} is not a run id: type the id shown (at least "
                f"{MIN_PREFIX} characters, such as the 8 in the Runs pane)"
            )
        for attempt in range(2):
            found = await self._cached_matches(kind, key)
            if len(found) == 1:
                return found[0].id
            if found:
                raise ambiguous(key, found, await self._deployment_names(found))
            if attempt == 0:
                await self._ask_server(kind, key)
        raise NotFoundError(f"no {kind} {_naming(key)} here or on {self.client.host}")

    async def _cached_matches(self, kind: str, key: str) -> list[IdMatch]:
        matches = (
            await self.cache.ids_with_prefix(kind, key, limit=_SHOWN + 20)
            if looks_like_id(key) and len(key) >= MIN_PREFIX
            else []
        )
        if matches or kind == "run":
            return matches
        if kind == "workflow":
            workflow = await self.cache.find_workflow_by_name(key)
            return [IdMatch(kind, workflow.id, workflow.name, "")] if workflow else []
        machines = await self.cache.list_machines()
        named = [m for m in machines if m.name == key] or [
            m for m in machines if m.name.casefold() == key.casefold()
        ]
        return [IdMatch(kind, m.id, m.name, m.status or "") for m in named]

    async def _ask_server(self, kind: str, key: str) -> None:
        """Refresh the listing the cache missed; a server that cannot answer says so."""
        refresh = getattr(self, f"refresh_{kind}s")
        listing = await refresh()
        if listing.not_supported:
            raise NotFoundError(
                f"no cached {kind} {_naming(key)}, and {self.client.host} cannot list {kind}s: "
                "type the whole id"
            )
        if listing.offline:
            raise _unreachable(f"no cached {kind} {_naming(key)}", listing)

    async def _deployment_names(self, matches: list[IdMatch]) -> dict[str, str]:
        ids = {m.detail for m in matches if m.kind == "run" and m.detail}
        names = {}
        for deployment_id in ids:
            found = await self.cache.get_deployment(deployment_id)
            if found is not None:
                names[deployment_id] = found.name
        return names

    # --- deployments: ids, prefixes and names ---------------------------------------------------

    async def resolve_deployment(self, id_or_name: str) -> Deployment:
        """By id, 6+ character id prefix, `name@environment` (a known environment), a unique
        name, or the production one of a shared name.

        Unknown: NotFoundError. Several and none of them the single production one:
        AmbiguousIdError (an InputError) listing the candidates as `name@environment (id)`.
        """
        key = id_or_name.strip()
        if not key:
            raise InputError("no deployment given")
        for attempt in range(2):
            found = await self._deployment_in_cache(key)
            if found is not None:
                return found
            if attempt == 0:
                listing = await self.refresh_deployments()
                if listing.offline and not is_full_id(key):
                    raise _unreachable(f"no cached deployment is {plain(key, 60)!r}", listing)
        if is_full_id(key):
            return await self._by_id_from_server(key)
        if looks_like_id(key) and len(key) < MIN_PREFIX:
            _check_length("deployment", key)
        raise NotFoundError(f"no deployment named {plain(key, 80)!r} or with such an id")

    async def _deployment_in_cache(self, key: str) -> Deployment | None:
        found = await self.cache.get_deployment(key)
        if found is not None:
            return found
        name, environment = split_environment(key)
        candidates = await self._named(name, environment)
        if not candidates and environment:  # `a@staging` may also be the whole name
            candidates = await self._named(key, "")
        if not candidates and looks_like_id(key) and len(key) >= MIN_PREFIX:
            matches = await self.cache.ids_with_prefix("deployment", key, limit=_SHOWN + 20)
            if len(matches) > 1:
                raise ambiguous(key, matches)
            return await self.cache.get_deployment(matches[0].id) if matches else None
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        production = [d for d in candidates if d.environment == "production"]
        if len(production) == 1 and not environment:
            return production[0]
        listed = ", ".join(f"{plain(d.name, 40)}@{d.environment} ({d.id})" for d in candidates)
        raise AmbiguousIdError(
            f"{plain(key, 80)!r} is ambiguous: {listed}",
            matches=[IdMatch("deployment", d.id, d.name, d.environment or "") for d in candidates],
        )

    async def _named(self, name: str, environment: str) -> list[Deployment]:
        found = await self.cache.find_deployments_by_name(name)
        exact = [d for d in found if d.name == name] or found
        return [d for d in exact if not environment or d.environment == environment]

    async def _by_id_from_server(self, deployment_id: str) -> Deployment:
        """An id the cache does not know: ask the server; a server without lookups gets trust."""
        try:
            found = await self.client.get_deployment(deployment_id)
        except NotFoundError:
            raise
        except ApiError:
            return Deployment(id=deployment_id, name=deployment_id)
        store: Any = getattr(self, "_store_deployment", None)
        if store is not None:
            await store(found)
        return found

    # --- `o`: any kind ----------------------------------------------------------------------

    async def resolve_any(self, text: str, prefer: str = "run") -> tuple[str, str]:
        """`(kind, id)` for what was typed in "open": an id or prefix of a run, deployment,
        workflow or machine, or a deployment or workflow name. The cache answers; a miss asks
        the server for `prefer`'s kind (and deployments for a name)."""
        key = text.strip()
        if not key:
            raise InputError("type an id (6+ characters) or a deployment name")
        if looks_like_id(key) and not await self._named(key, ""):  # ("cafe01" may be a name)
            kind = prefer if prefer in KINDS else "run"
            _check_length(kind, key)
            matches: list[IdMatch] = []
            for each in KINDS:
                matches += await self.cache.ids_with_prefix(each, key, limit=_SHOWN + 20)
            if len(matches) == 1:
                return matches[0].kind, matches[0].id
            if matches:
                raise ambiguous(key, matches, await self._deployment_names(matches))
            if is_full_id(key) and kind == "run":
                return "run", key  # the run screen asks the server for it
            return kind, await self.resolve_id(kind, key)
        try:
            return "deployment", (await self.resolve_deployment(key)).id
        except NotFoundError:
            workflow = await self.cache.find_workflow_by_name(key)
            if workflow is not None:
                return "workflow", workflow.id
            raise NotFoundError(
                f"no deployment or workflow named {plain(key, 60)!r}, and it is not an id"
            ) from None


def _unreachable(what: str, listing: Any) -> ApiError:
    """`what`, and why the server was not asked: `--offline` is "not found" (exit 5)."""
    if isinstance(listing.exception, OfflineError):
        return NotFoundError(f"{what} (--offline: the local cache only)")
    return NetworkError(f"{what}, and {listing.error or 'the server cannot be reached'}")


def _check_length(kind: str, key: str) -> None:
    if len(key) < MIN_PREFIX and not is_full_id(key):
        raise InputError(
            f"{plain(key, 40)!r} is too short to name a {kind}: type at least {MIN_PREFIX} "
            "characters of its id"
        )


def _naming(key: str) -> str:
    if looks_like_id(key):
        return f"has an id starting with {plain(key, 40)!r}"
    return f"is named {plain(key, 40)!r}"
