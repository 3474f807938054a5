"""Saved outputs are found again when the output URL's host, port or signature changed.

The demo emulator listens on a new port every launch and signed storage URLs carry a fresh
query each fetch: a run saved in one session must show its saved file in the next one (it
showed "saving…" forever when the run view matched saved files by the whole URL).
"""

from __future__ import annotations

from comfytui.models import output_key


def test_same_file_across_ports_and_signatures():
    a = "http://127.0.0.1:40117/comfyui-deploy/outputs/runs/r1/ComfyUI_00039_.png"
    b = "http://127.0.0.1:39823/comfyui-deploy/outputs/runs/r1/ComfyUI_00039_.png?X-Sig=abc"
    assert output_key(a) == output_key(b)


def test_different_files_differ():
    a = "https://s3.example/outputs/runs/r1/a.png"
    assert output_key(a) != output_key("https://s3.example/outputs/runs/r1/b.png")
    assert output_key(a) != output_key("https://s3.example/outputs/runs/r2/a.png")
    assert output_key("not a url") == "not a url"
