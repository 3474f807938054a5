"""A local emulator of the ComfyUI Deploy API (v2, hosted legacy v1 and self-host dialects).

It imports nothing from the client, cache or services layers, so it cannot agree with the
client by accident. Start it in-process with `comfytui.emulator.server.EmulatorServer` or from
the command line with `comfytui emulator`.
"""

from __future__ import annotations

DIALECTS = ("v2", "legacy", "selfhost")
