"""Output images on the storage host: they decode, reflect the inputs, and never see the key."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from comfytui.emulator.images import render


def _run_image(emulator, api, name: str, inputs: dict) -> httpx.Response:
    deployment_id = next(
        d["id"]
        for d in emulator.state.deployments.values()
        if emulator.state.workflow_name(d["workflow_id"]) == name
    )
    run_id = api.post(
        "/run/deployment/queue", json={"deployment_id": deployment_id, "inputs": inputs}
    ).json()["run_id"]
    url = api.get(f"/run/{run_id}").json()["outputs"][0]["data"]["images"][0]["url"]
    assert url.startswith(emulator.storage_url)
    return httpx.get(url)


def test_png_output_honours_size(emulator, api):
    reply = _run_image(emulator, api, "txt2img", {"prompt": "a fox", "width": 320, "height": 200})
    assert reply.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(reply.content))
    assert (image.format, image.size) == ("PNG", (320, 200))


def test_webp_deployment(emulator, api):
    reply = _run_image(emulator, api, "webp-out", {"prompt": "x"})
    assert reply.headers["content-type"] == "image/webp"
    assert Image.open(io.BytesIO(reply.content)).format == "WEBP"


def test_size_is_clamped():
    small = Image.open(io.BytesIO(render({"width": 1, "height": "nope"})))
    assert small.size == (64, 512)
    big = Image.open(io.BytesIO(render({"width": 99999, "height": 70})))
    assert big.size == (2048, 70)


def test_seed_and_prompt_change_pixels():
    base = {"prompt": "a red fox", "width": 128, "height": 128}
    one, two = render({**base, "seed": 1}), render({**base, "seed": 2})
    assert render({**base, "seed": 1}) == one
    pixels = [Image.open(io.BytesIO(b)).convert("RGB").tobytes() for b in (one, two)]
    assert pixels[0] != pixels[1]
    other_prompt = render({**base, "seed": 1, "prompt": "a blue whale"})
    assert other_prompt != one


def test_storage_host_is_logged_without_the_key(emulator, api):
    _run_image(emulator, api, "txt2img", {"prompt": "log me"})
    storage_port = int(emulator.storage_url.rsplit(":", 1)[1])
    log = httpx.get(f"{emulator.base_url}/_emulator/requests").json()
    api_hits = [r for r in log if r["port"] == emulator.port]
    storage_hits = [r for r in log if r["port"] == storage_port]
    assert api_hits and all("authorization" in r["headers"] for r in api_hits)
    assert storage_hits and all("authorization" not in r["headers"] for r in storage_hits)
    assert {"host", "port", "method", "path", "query", "headers"} <= set(storage_hits[0])
    assert storage_hits[0]["path"].startswith("/comfyui-deploy/outputs/runs/")
    assert httpx.delete(f"{emulator.base_url}/_emulator/requests").status_code == 200
    assert emulator.requests() == []


def test_unknown_output_is_404(emulator):
    reply = httpx.get(f"{emulator.storage_url}/comfyui-deploy/outputs/runs/x/y.png")
    assert reply.status_code == 404 and "NoSuchKey" in reply.text
