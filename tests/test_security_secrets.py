"""The API key never leaks: logs (DEBUG, httpx/httpcore included), exceptions, CLI output,
hosts other than the API origin (storage, downloads, redirects), config file mode.

The TUI places (notifications, screenshots) are in test_security_tui.py.
"""

from __future__ import annotations

import contextlib
import io
import logging
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from comfytui.api import ComfyDeployClient
from comfytui.errors import ApiError
from tests.test_reliability_faults import discover, make_client, tiny_png

# --- helpers --------------------------------------------------------------------------------------


class Everything(logging.Handler):
    """Keeps every record fully formatted: message, args, exc_info, stack and extra fields."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []
        self.formatter = logging.Formatter("%(name)s %(levelname)s %(message)s", validate=False)

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        extra = {k: v for k, v in vars(record).items() if k not in ("msg", "args")}
        self.texts.append(f"{text} | {record.msg!r} {record.args!r} | {extra!r}")


LOGGERS = ("", "comfytui", "httpx", "httpcore", "stamina", "asyncio", "aiosqlite", "textual")


@pytest.fixture
def captured_logs() -> Iterator[Everything]:
    handler = Everything()
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    root = logging.getLogger()
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def assert_no_key(key: str, *texts: str) -> None:
    for text in texts:
        assert key not in text, f"key leaked in: {text[:300]!r}"


def places(key: str) -> list[str]:
    """The key and forms of it a careless formatter could print."""
    return [key, key[4:-4], f"Bearer {key}"]


# --- logs -----------------------------------------------------------------------------------------


async def full_client_session(emu: Any, tmp_path: Path) -> list[ApiError]:
    """Every operation once, then a failure of each kind (401, 500, 429 retried, drop, timeout)."""
    ids = await discover(emu, tmp_path)
    errors: list[ApiError] = []
    async with make_client(emu) as client:
        await client.list_workflows()
        await client.get_workflow(ids.workflow)
        await client.list_workflow_versions(ids.workflow)
        await client.get_workflow_version(ids.version)
        await client.list_deployments()
        await client.get_deployment(ids.deployment)
        await client.list_deployment_runs(ids.deployment)
        await client.list_machines()
        await client.get_machine(ids.machine)
        run_id = await client.queue_run(ids.deployment, {"prompt": "secret test"})
        async for _ in client.watch_run(run_id, min_interval=0.01):
            pass
        await client.cancel_run(run_id)
        await client.download(ids.output_url)
        await client.upload_file(ids.upload)
        for kind in ("401", "403", "500", "503", "429", "drop", "delay", "malformed"):
            emu.add_fault(kind=kind, route="/api/machines", retry_after=0.01, delay=0.6)
            try:
                await client.list_machines()
            except ApiError as exc:
                errors.append(exc)
            emu.clear_faults()
    return errors


async def full_services_session(emu: Any) -> None:
    """Refresh everything, start a run, watch it, save its outputs, then refresh under faults."""
    from tests.test_reliability_faults import session_for

    async with session_for(emu) as session:
        for kind in ("workflows", "deployments", "machines", "runs"):
            await getattr(session.catalog, f"refresh_{kind}")()
        run = await session.runs.start("txt2img", {"prompt": "logged"})
        final = run
        async for snapshot in session.runs.watch(run.id):
            final = snapshot
        assert final.is_terminal
        await session.runs.save_outputs(final)
        for kind in ("500", "drop", "malformed", "401"):
            emu.add_fault(kind=kind)
            with contextlib.suppress(ApiError):
                await session.catalog.refresh_deployments()
            emu.clear_faults()


async def test_debug_logs_never_hold_the_key(emulator, tmp_path, captured_logs):
    await full_services_session(emulator)
    errors = await full_client_session(emulator, tmp_path)
    assert len(errors) == 8
    assert captured_logs.texts, "DEBUG logging captured nothing: the check would be empty"
    assert any(t.startswith("httpx") for t in captured_logs.texts)
    assert any(t.startswith("httpcore") for t in captured_logs.texts)
    everything = "\n".join(captured_logs.texts)
    for form in places(emulator.api_key):
        assert form not in everything
    assert "bearer cd_" not in everything.lower()


async def test_exceptions_never_hold_the_key(emulator, tmp_path):
    errors = await full_client_session(emulator, tmp_path)
    key = emulator.api_key
    for error in errors:
        chain = [error, error.__cause__, error.__context__]
        for item in filter(None, chain):
            assert_no_key(key, str(item), repr(item), repr(getattr(item, "args", ())))


async def test_key_reflected_by_the_server_is_masked(emulator):
    """A server that echoes a request field back (422 detail) where the key was sent by mistake."""
    key = emulator.api_key
    async with make_client(emulator) as client:
        with pytest.raises(ApiError) as caught:
            await client.queue_run(key, {"prompt": key})
        with pytest.raises(ApiError) as caught_get:
            await client.get_workflow(key)
    for error in (caught.value, caught_get.value):
        assert_no_key(key, str(error), repr(error))


def test_settings_and_secret_do_not_print_the_key(monkeypatch):
    from comfytui.settings import Secret, load_settings

    key = "cd_live_0123456789abcdef0123456789"
    monkeypatch.setenv("COMFY_DEPLOY_API_KEY", key)
    settings = load_settings(keyring_lookup=False)
    secret = settings.api_key
    assert isinstance(secret, Secret)
    for text in (repr(settings), str(settings), f"{secret}", f"{secret!r}", secret.masked()):
        assert key not in text
    assert settings.api_key.reveal() == key


# --- hosts ----------------------------------------------------------------------------------------


def assert_key_only_to_api(emu: Any) -> int:
    """Every logged request carrying an Authorization header went to the API port; the storage
    host never saw the key anywhere (header or query). Returns the storage requests checked."""
    key = emu.api_key
    storage = 0
    for entry in emu.requests():
        headers = {k.lower(): v for k, v in entry["headers"].items()}
        if entry["port"] == emu.storage_port:
            storage += 1
            assert "authorization" not in headers, entry
            assert key not in repr(entry), entry
        elif "authorization" in headers:
            assert entry["port"] == emu.port, entry
    return storage


async def test_key_never_sent_to_storage_v2(emulator, tmp_path):
    await full_client_session(emulator, tmp_path)
    assert assert_key_only_to_api(emulator) >= 1  # the output download


async def test_key_never_sent_to_storage_legacy_upload(emulator_factory, tmp_path):
    """Legacy uploads PUT to a presigned storage URL: that request must carry no key."""
    emu = emulator_factory(dialect="legacy")
    path = tmp_path / "in.png"
    path.write_bytes(tiny_png())
    async with make_client(emu, dialect="legacy", read_timeout=10.0) as client:
        url = await client.upload_file(path)
        deployments = await client.list_deployments()
        run_id = await client.queue_run(deployments[0].id, {})
        run = None
        async for snapshot in client.watch_run(run_id, min_interval=0.01):
            run = snapshot
        for output in run.outputs if run else ():
            with contextlib.suppress(ApiError):
                await client.download(output.url)
    assert "://" in url
    puts = [r for r in emu.requests() if r["method"] == "PUT"]
    assert puts and all(r["port"] == emu.storage_port for r in puts)
    assert assert_key_only_to_api(emu) >= 1


class _Recorder(BaseHTTPRequestHandler):
    """A tiny server: `/go?to=URL` redirects there, anything else answers JSON and records."""

    seen: list[dict[str, str]]

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self.server.seen.append(  # type: ignore[attr-defined]
            {"path": self.path, **{k.lower(): v for k, v in self.headers.items()}}
        )
        target = self.server.redirect_to  # type: ignore[attr-defined]
        if target and not self.path.startswith("/final"):
            self.send_response(302)
            self.send_header("Location", target + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"[]" if "image" not in self.path else tiny_png()
        self.send_response(200)
        self.send_header(
            "Content-Type", "image/png" if "image" in self.path else "application/json"
        )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_servers() -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def make(redirect_to: str | None = None) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
        server.seen = []  # type: ignore[attr-defined]
        server.redirect_to = redirect_to  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


def _url(server: ThreadingHTTPServer, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{server.server_address[1]}"


@pytest.mark.parametrize("other_host", ["127.0.0.1", "localhost"])
async def test_redirect_to_another_origin_drops_the_key(http_servers, other_host):
    """The API answers 302 to another origin (other port, or another name of the same host):
    the followed request carries no Authorization header."""
    other = http_servers()
    api = http_servers(redirect_to=f"{_url(other, other_host)}/final")
    key = "cd_secret_redirect_0123456789abcdef"
    async with ComfyDeployClient(f"{_url(api)}/api", key, dialect="v2", retry_attempts=1) as c:
        assert await c.list_workflows() == []
        await c.download(f"{_url(api)}/image.png")  # a download redirected elsewhere too
    assert api.seen[0].get("authorization") == f"Bearer {key}"  # the API origin itself: yes
    assert len(other.seen) == 2
    for request in other.seen:
        assert "authorization" not in request and key not in repr(request)


async def test_download_on_the_api_origin_carries_no_key(http_servers):
    api = http_servers()
    key = "cd_secret_download_0123456789abcdef"
    async with ComfyDeployClient(f"{_url(api)}/api", key, dialect="v2", retry_attempts=1) as c:
        await c.download(f"{_url(api)}/final/image.png")
    assert "authorization" not in api.seen[0]


# --- config file and CLI output -------------------------------------------------------------------


def _cli(monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    from comfytui.cli.main import main

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_login_writes_config_0600_and_prints_no_key(monkeypatch, capsys, isolated_home):
    key = "cd_login_secret_0123456789abcdefXYZ"
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('theme = "nord"\n')
    config.chmod(0o644)  # a pre-existing, world-readable file
    code, out, err = _cli(monkeypatch, capsys, ["auth", "login", "--no-verify"], key + "\n")
    assert code == 0, err
    assert key in config.read_text()
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert_no_key(key, out, err)
    for argv in (["auth", "status"], ["auth", "status", "--json"]):
        code, out, err = _cli(monkeypatch, capsys, argv)
        assert code == 0
        assert_no_key(key, out, err)
    code, out, err = _cli(monkeypatch, capsys, ["auth", "logout"])
    assert code == 0 and key not in config.read_text()
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


def test_store_key_creates_private_file(tmp_path):
    from comfytui.credentials import store_key

    config = tmp_path / "new" / "config.toml"
    where = store_key(config, "work", "cd_store_secret_0123456789abcdef")
    assert "0600" in where
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert "cd_store_secret" not in where


def needs_services() -> None:
    services = pytest.importorskip("comfytui.services")
    if not hasattr(services, "Session"):
        pytest.skip("services.Session not there yet")


def _run_cli_against(emu: Any, monkeypatch, capsys, argv: list[str]) -> tuple[int, str, str]:
    monkeypatch.setenv("COMFY_DEPLOY_API_KEY", emu.api_key)
    monkeypatch.setenv("COMFY_DEPLOY_API_URL", emu.api_url)
    return _cli(monkeypatch, capsys, argv)


CLI_COMMANDS = [
    ["ls", "deployments"],
    ["ls", "workflows", "--json"],
    ["ls", "machines"],
    ["ls", "runs"],
    ["show", "deployment", "txt2img"],
    ["run", "txt2img", "-i", "prompt=secret", "--wait"],
    ["auth", "status"],
]


@pytest.mark.parametrize("argv", CLI_COMMANDS, ids=[" ".join(a) for a in CLI_COMMANDS])
def test_cli_output_never_holds_the_key(emulator, monkeypatch, capsys, argv):
    needs_services()
    code, out, err = _run_cli_against(emulator, monkeypatch, capsys, argv)
    assert code == 0, err
    assert out.strip()
    assert_no_key(emulator.api_key, out, err)


@pytest.mark.parametrize("kind", ["401", "403", "500", "drop", "malformed"])
def test_cli_errors_never_hold_the_key(emulator, monkeypatch, capsys, kind):
    needs_services()
    emulator.add_fault(kind=kind)
    monkeypatch.setenv("COMFYTUI_DEBUG", "1")  # tracebacks too
    code, out, err = _run_cli_against(emulator, monkeypatch, capsys, ["ls", "deployments"])
    assert code != 0 or "offline" in (out + err).lower()
    assert_no_key(emulator.api_key, out, err)
