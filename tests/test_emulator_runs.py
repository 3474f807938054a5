"""Run lifecycle: phases over time, speed 0, cancel, failures, and webhook deliveries."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from comfytui.emulator.lifecycle import RunRecord

ORDER = ["not-started", "queued", "started", "running", "uploading", "success"]


def _record(**kwargs) -> RunRecord:
    base = dict(
        id="r",
        deployment_id="d",
        workflow_id="w",
        workflow_version_id="v",
        machine_id="m",
        created=datetime(2025, 1, 1, tzinfo=UTC),
        nodes=("LoadImage", "KSampler", "SaveImage"),
    )
    return RunRecord(**{**base, **kwargs})


def test_view_walks_the_phases_with_rising_progress():
    record = _record()
    views = [record.view_at(t / 10) for t in range(0, 40)]
    statuses = [v.status for v in views]
    assert sorted(set(statuses), key=ORDER.index) == ORDER
    assert statuses == sorted(statuses, key=ORDER.index)
    running = [v for v in views if v.status == "running"]
    assert [v.progress for v in running] == sorted(v.progress for v in running)
    assert running[0].live_status == "Executing LoadImage"
    assert running[-1].live_status == "Executing SaveImage"
    done = views[-1]
    assert done.progress == 1.0 and done.ended_at is not None and done.started_at is not None


def test_speed_scales_time_and_zero_is_instant():
    record = _record(speed=2.0)
    assert record.view(record.created.replace(microsecond=record.created.microsecond)).status == (
        "not-started"
    )
    later = record.at(3.4)
    assert (later - record.created).total_seconds() == pytest.approx(1.7)
    assert record.view(later).status == "success"
    instant = _record(speed=0.0)
    assert instant.view(instant.created).status == "success"


def test_failing_record_and_cancel():
    failing = _record(error="boom")
    assert failing.view_at(0.95).status == "failed"
    record = _record(speed=1.0)
    when = record.at(1.5)
    assert record.cancel(when)
    assert record.view(record.at(10)).status == "cancelled"
    assert record.view(record.at(10)).ended_at == when
    assert not record.cancel(record.at(11))


def _api(emu) -> httpx.Client:
    return httpx.Client(
        base_url=emu.api_url, timeout=10, headers={"Authorization": f"Bearer {emu.api_key}"}
    )


def _deployment_id(emu, name="txt2img") -> str:
    return next(
        d["id"]
        for d in emu.state.deployments.values()
        if emu.state.workflow_name(d["workflow_id"]) == name and d["environment"] in ("production",)
    )


def test_live_run_progresses_over_http(emulator):
    emulator.configure(speed=4.0)
    try:
        with _api(emulator) as api:
            run_id = api.post(
                "/run/deployment/queue", json={"deployment_id": _deployment_id(emulator)}
            ).json()["run_id"]
            seen, progress = [], []
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                run = api.get(f"/run/{run_id}").json()
                if not seen or seen[-1] != run["status"]:
                    seen.append(run["status"])
                if run["status"] == "running":
                    progress.append(run["progress"])
                    assert run["live_status"].startswith("Executing ")
                if run["status"] == "success":
                    break
                time.sleep(0.02)
    finally:
        emulator.configure(speed=0.0)
    assert seen[-1] == "success"
    assert seen == sorted(seen, key=ORDER.index) and "running" in seen
    assert progress == sorted(progress) and progress[-1] > progress[0]


def test_cancel_over_http(emulator):
    emulator.configure(speed=0.5)
    try:
        with _api(emulator) as api:
            run_id = api.post(
                "/run/deployment/queue", json={"deployment_id": _deployment_id(emulator)}
            ).json()["run_id"]
            reply = api.post(f"/run/{run_id}/cancel")
            assert reply.json() == {"status": "success", "message": "Function cancelled"}
            run = api.get(f"/run/{run_id}").json()
            assert run["status"] == "cancelled" and run["ended_at"]
            time.sleep(0.1)
            assert api.get(f"/run/{run_id}").json()["status"] == "cancelled"
            missing = api.post("/run/00000000-0000-4000-8000-000000000000/cancel")
            assert missing.status_code == 500
    finally:
        emulator.configure(speed=0.0)


def test_broken_deployment_fails_with_error_output(emulator):
    with _api(emulator) as api:
        run_id = api.post(
            "/run/deployment/queue", json={"deployment_id": _deployment_id(emulator, "broken")}
        ).json()["run_id"]
        run = api.get(f"/run/{run_id}").json()
    assert run["status"] == "failed"
    assert "error state" in run["outputs"][0]["data"]["error"][0]


def test_seeded_runs_cover_every_status(emulator):
    with _api(emulator) as api:
        statuses = [api.get(f"/run/{run_id}").json()["status"] for run_id in emulator.state.runs]
    assert len(statuses) >= 20
    assert set(statuses) == set(ORDER) | {"failed", "timeout", "cancelled"}


class _Receiver:
    """A webhook receiver on loopback that fails the first `failures` posts with 500."""

    def __init__(self, failures: int = 0) -> None:
        self.bodies: list[dict] = []
        self.failures = failures
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.bodies.append(body)
                status = 500 if outer.failures > 0 else 200
                outer.failures -= 1
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _wait(predicate, timeout=6.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_webhook_gets_every_status_change(emulator):
    receiver = _Receiver()
    try:
        with _api(emulator) as api:
            hook = receiver.url + "?target_events=run.output"
            api.post(
                "/run/deployment/queue",
                json={"deployment_id": _deployment_id(emulator), "webhook": hook},
            )
        _wait(lambda: len(emulator.webhooks()) >= 7)
    finally:
        receiver.close()
    statuses = [b["status"] for b in receiver.bodies if b["event_type"] == "run.updated"]
    assert statuses == ORDER
    assert receiver.bodies[-1]["event_type"] == "run.output"
    assert receiver.bodies[-1]["outputs"][0]["data"]["images"]
    assert all(d["ok"] and d["attempts"] == 1 for d in emulator.webhooks())
    control = httpx.get(f"{emulator.base_url}/_emulator/webhooks").json()
    assert len(control) == len(emulator.webhooks())


def test_webhook_retries_three_times_with_backoff(emulator):
    receiver = _Receiver(failures=5)
    try:
        with _api(emulator) as api:
            api.post(
                "/run/deployment/queue",
                json={"deployment_id": _deployment_id(emulator, "broken"), "webhook": receiver.url},
            )
        started = time.monotonic()
        _wait(lambda: len(emulator.webhooks()) >= 2)
        elapsed = time.monotonic() - started
    finally:
        receiver.close()
    first, second = emulator.webhooks()[:2]
    assert (first["attempts"], first["ok"]) == (3, False)
    assert (second["attempts"], second["ok"]) == (3, True)
    assert elapsed >= 2.5  # 0.5 s + 1 s between attempts, twice


def test_slow_stream_sends_heartbeats_and_ends_on_cancel(emulator):
    emulator.configure(speed=0.2)  # 0.3 scaled s to `queued` = 1.5 s of silence without heartbeats
    events: list[tuple[str, dict]] = []
    try:
        with (
            _api(emulator) as api,
            api.stream(
                "POST",
                "/run/deployment/stream",
                json={"deployment_id": _deployment_id(emulator)},
                timeout=httpx.Timeout(10, read=1.3),
            ) as reply,
        ):
            name = ""
            for line in reply.iter_lines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    events.append((name, json.loads(line[6:])))
                    if len(events) == 4:  # queuing, log, status, first heartbeat
                        run_id = events[0][1]["data"]["run_id"]
                        api.post(f"/run/{run_id}/cancel")
    finally:
        emulator.configure(speed=0.0)
    assert events[3][0] == "log_update"
    statuses = [d["data"]["status"] for n, d in events if d.get("event") == "status"]
    assert statuses == ["not-started", "cancelled"]
