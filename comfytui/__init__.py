"""comfytui: a terminal UI and CLI for ComfyUI Deploy."""

__version__ = "0.1.0"
