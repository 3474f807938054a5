"""services.resolve: what a typed id or name means (issue 14), through a real Session."""

from __future__ import annotations

import pytest

from comfytui.errors import AmbiguousIdError, InputError, NetworkError, NotFoundError
from comfytui.locations import locations
from comfytui.models import Deployment
from comfytui.services import Session
from comfytui.services.resolve import split_environment
from comfytui.settings import Secret, Settings

FAST = {"retry_attempts": 1, "connect_timeout": 1.0, "read_timeout": 5.0}


def settings_for(emu) -> Settings:
    return Settings(api_url=emu.api_url, api_key=Secret(emu.api_key), locations=locations())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("txt2img@staging", ("txt2img", "staging")),
        ("txt2img@Production", ("txt2img", "production")),
        ("me@home", ("me@home", "")),
        ("[@click=app.quit]boom[/]", ("[@click=app.quit]boom[/]", "")),
        ("a@b@preview", ("a@b", "preview")),
        ("@staging", ("@staging", "")),
    ],
)
def test_at_splits_only_before_a_known_environment(text, expected):
    assert split_environment(text) == expected


async def test_every_kind_by_prefix_and_name(emulator):
    async with Session.open(settings_for(emulator), client_options=FAST) as session:
        catalog = session.catalog
        workflow = next(iter(emulator.state.workflows))
        machine = next(iter(emulator.state.machines.values()))
        # cache empty: each comes from the server's listing, then from the cache
        assert await catalog.resolve_id("workflow", workflow[:8]) == workflow
        assert await catalog.resolve_id("machine", machine["name"]) == machine["id"]
        assert await catalog.resolve_id("machine", machine["id"][:6].upper()) == machine["id"]
        assert await catalog.resolve_any(machine["id"][:8]) == ("machine", machine["id"])
        kind, _ = await catalog.resolve_any("txt2img")
        assert kind == "deployment"
        with pytest.raises(InputError, match="too short"):
            await catalog.resolve_id("workflow", workflow[:4])
        with pytest.raises(NotFoundError):
            await catalog.resolve_id("workflow", "ffffffffff")


async def test_ambiguous_deployment_name_and_offline_miss(emulator_factory):
    emu = emulator_factory()
    async with Session.open(settings_for(emu), client_options=FAST) as session:
        catalog = session.catalog
        await catalog.refresh_deployments()
        # one name in staging and preview, none in production: a choice, not a guess
        await session.cache.upsert_deployments(
            [
                Deployment(id=f"abcdef{n}-0000-4000-8000-000000000000", name="twin", environment=e)
                for n, e in (("00", "staging"), ("11", "preview"))
            ]
        )
        with pytest.raises(AmbiguousIdError) as caught:
            await catalog.resolve_deployment("twin")
        assert len(caught.value.matches) == 2
        with pytest.raises(AmbiguousIdError):
            await catalog.resolve_deployment("abcdef")
        assert (await catalog.resolve_deployment("twin@preview")).id.startswith("abcdef11")
    emu.stop()
    async with Session.open(settings_for(emu), client_options=FAST) as session:
        with pytest.raises(NetworkError, match="no cached run"):
            await session.catalog.resolve_id("run", "0123456789")
        assert (await session.catalog.resolve_deployment("txt2img")).environment == "production"
