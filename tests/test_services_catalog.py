"""Catalog: stale-while-revalidate marks, offline serving, not-supported listings, lookups."""

from __future__ import annotations

import pytest

from comfytui.emulator import seed
from comfytui.errors import InputError, NotFoundError
from comfytui.locations import locations
from comfytui.services import Session
from comfytui.services.demo import DEMO_SERVER_KEY
from comfytui.settings import Secret, Settings

KINDS = ("workflows", "deployments", "machines", "runs")
FAST = {"retry_attempts": 1, "connect_timeout": 1.0, "read_timeout": 5.0}


def settings_for(emu) -> Settings:
    return Settings(api_url=emu.api_url, api_key=Secret(emu.api_key), locations=locations())


async def test_stale_while_revalidate_marks(emulator):
    async with Session.open(settings_for(emulator), client_options=FAST) as session:
        catalog = session.catalog
        for kind in KINDS:
            before = await getattr(catalog, f"cached_{kind}")()
            assert before.items == [] and before.from_cache and before.last_sync is None
            assert before.age is None and not before.offline
            fresh = await getattr(catalog, f"refresh_{kind}")()
            assert fresh.items and not fresh.from_cache and not fresh.offline
            assert fresh.last_sync is not None and fresh.error is None
            after = await getattr(catalog, f"cached_{kind}")()
            assert [i.id for i in after.items] == [i.id for i in fresh.items]
            assert after.from_cache and after.last_sync == fresh.last_sync
            assert after.age is not None and after.age.total_seconds() >= 0


async def test_offline_every_list_is_served_from_the_cache(emulator_factory):
    emu = emulator_factory()
    settings = settings_for(emu)
    synced = {}
    counts = {}
    async with Session.open(settings, client_options=FAST) as session:
        for kind in KINDS:
            listing = await getattr(session.catalog, f"refresh_{kind}")()
            synced[kind], counts[kind] = listing.last_sync, len(listing.items)
            assert counts[kind] > 0
    emu.stop()
    async with Session.open(settings, client_options=FAST) as session:
        assert session.notice is None
        for kind in KINDS:
            listing = await getattr(session.catalog, f"refresh_{kind}")()
            assert listing.offline and listing.from_cache and listing.error
            assert "\n" not in listing.error and listing.exception is not None
            assert len(listing.items) == counts[kind] and listing.last_sync == synced[kind]
            cached = await getattr(session.catalog, f"cached_{kind}")()
            assert cached.offline and len(cached.items) == counts[kind]
            assert cached.last_sync == synced[kind]
        assert session.offline
        deployment = (await session.catalog.cached_deployments()).items[0]
        detail = await session.catalog.deployment_detail(deployment.id)
        assert detail.offline and detail.deployment.id == deployment.id
        run = (await session.catalog.cached_runs(limit=1)).items[0]
        assert (await session.catalog.get_run(run.id)).id == run.id


@pytest.mark.parametrize("dialect", ["selfhost", "legacy"])
async def test_listings_a_server_lacks_are_not_supported(emulator_factory, dialect):
    emu = emulator_factory(dialect=dialect)
    async with Session.open(settings_for(emu), client_options=FAST) as session:
        machines = await session.catalog.refresh_machines()
        assert machines.not_supported and not machines.offline and machines.items == []
        assert machines.error


async def test_legacy_deployment_inputs_are_discovered_from_the_workflow_version(
    emulator_factory,
):
    """Self-hosted: no deployment listing, no input list; a run names the version -> discover."""
    data = seed.build(0)
    dep_id, dep = next(
        (i, d)
        for i, d in data.deployments.items()
        if data.workflows[d["workflow_id"]]["name"] == "txt2img"
        and d["environment"] == "production"
    )
    emu = emulator_factory(dialect="selfhost")
    async with Session.open(settings_for(emu), client_options=FAST) as session:
        found = await session.catalog.resolve_deployment(dep_id)
        assert found.id == dep_id and found.inputs == ()
        run = await session.runs.start(found, {})
        async for _ in session.runs.watch(run.id):
            pass
        found = await session.catalog.ensure_inputs(found)
        expected = [s.input_id for s in (await session.catalog.ensure_inputs(found)).inputs]
        assert "prompt" in expected and found.inputs
        assert (await session.cache.get_deployment(dep_id)).inputs == found.inputs
        with pytest.raises(InputError, match="unknown input"):
            await session.runs.start(found, {"no_such_input": 1})


async def test_resolve_deployment(emulator):
    async with Session.open(settings_for(emulator), client_options=FAST) as session:
        catalog = session.catalog
        production = await catalog.resolve_deployment("txt2img")
        assert production.name == "txt2img" and production.environment == "production"
        staging = await catalog.resolve_deployment("txt2img@staging")
        assert staging.environment == "staging"
        assert (await catalog.resolve_deployment(staging.id)).id == staging.id
        with pytest.raises(NotFoundError):
            await catalog.resolve_deployment("no-such-deployment")
        by_name = await session.cache.find_deployments_by_name("TXT2IMG")
        assert {d.environment for d in by_name} == {"production", "staging"}
        await catalog.refresh_workflows()
        workflow = await session.cache.find_workflow_by_name("txt2img")
        assert workflow is not None and workflow.id == production.workflow_id


async def test_details(emulator):
    async with Session.open(settings_for(emulator), client_options=FAST) as session:
        catalog = session.catalog
        await catalog.refresh_deployments()
        deployment = await catalog.resolve_deployment("txt2img")
        detail = await catalog.deployment_detail(deployment.id)
        assert detail.deployment.inputs and detail.machine is not None and not detail.offline
        workflow = await catalog.workflow_detail(deployment.workflow_id)
        assert workflow.versions and workflow.inputs
        assert deployment.id in {d.id for d in workflow.deployments}
        machine = await catalog.machine_detail(detail.machine.id)
        assert deployment.id in {d.id for d in machine.deployments}


async def test_profiles_never_mix(emulator, emulator_factory):
    other = emulator_factory(seed=1)
    async with Session.open(settings_for(emulator), client_options=FAST) as session:
        await session.catalog.refresh_workflows()
    async with Session.open(settings_for(other), client_options=FAST) as session:
        assert (await session.catalog.cached_workflows()).items == []


async def test_demo_mode_starts_an_emulator_and_keys_the_cache_as_the_one_demo_server():
    settings = Settings(locations=locations())
    assert settings.demo
    async with Session.open(settings) as session:
        assert session.demo and session.emulator is not None
        assert session.server_key == DEMO_SERVER_KEY  # not the port: one demo server
        assert session.api_host == session.emulator.base_url.removeprefix("http://")
        assert (await session.catalog.refresh_deployments()).items
        emulator = session.emulator
    with pytest.raises(OSError):
        import socket

        socket.create_connection(("127.0.0.1", emulator.port), timeout=1).close()


async def test_a_corrupt_cache_gives_a_session_notice(emulator):
    settings = settings_for(emulator)
    path = settings.locations.cache_file(settings.profile)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 100)
    async with Session.open(settings, client_options=FAST) as session:
        assert session.notice and "corrupt-" in session.notice and "\n" not in session.notice
        assert (await session.catalog.refresh_workflows()).items


async def test_refresh_runs_merges_every_deployment_and_pages_from_the_cache(emulator):
    async with Session.open(settings_for(emulator), client_options=FAST) as session:
        catalog = session.catalog
        ours = await session.runs.start("txt2img", {"prompt": "mine"})
        fresh = await catalog.refresh_runs(limit=10)
        total = await catalog.count_cached_runs()
        assert len(fresh.items) == 10 and total > 10 and fresh.last_sync is not None
        assert (await session.cache.get_run(ours.id)).inputs == {"prompt": "mine"}
        pages = [await catalog.cached_runs(limit=7, offset=n) for n in range(0, total, 7)]
        ids = [run.id for page in pages for run in page.items]
        assert len(ids) == total == len(set(ids))
        created = [r.created_at for page in pages for r in page.items]
        assert created == sorted(created, reverse=True)
        deployment = await catalog.resolve_deployment("txt2img")
        mine = await catalog.cached_runs(deployment_id=deployment.id)
        assert ours.id in {r.id for r in mine.items}
        assert all(r.deployment_id == deployment.id for r in mine.items)
        assert await catalog.count_cached_runs(deployment_id=deployment.id) == len(mine.items)


async def test_while_offline_refreshes_do_not_pile_up_retries(emulator):
    async with Session.open(settings_for(emulator), client_options=FAST) as session:
        catalog = session.catalog
        await catalog.refresh_workflows()
        emulator.add_fault(kind="503")
        first = await catalog.refresh_deployments()
        assert first.offline and session.offline
        asked = len(emulator.requests())
        others = [await getattr(catalog, f"refresh_{kind}")() for kind in KINDS]
        assert all(listing.offline and listing.exception is not None for listing in others)
        assert len(emulator.requests()) == asked  # answered from the last failure
        assert [w.id for w in others[0].items] == [
            w.id for w in (await catalog.cached_workflows()).items
        ]
        emulator.clear_faults()
        session.link.failed_at -= session.link.quiet_period  # the quiet period is over
        back = await catalog.refresh_machines()
        assert not back.offline and not session.offline and back.items
