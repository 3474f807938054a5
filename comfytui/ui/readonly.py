"""Read-only mode in the TUI: which actions change something, and how they are refused.

The services refuse every mutating call (`services.readonly`); the app uses this table to hide
those keys from the footer and help (`check_action` state False) and to refuse them with one
line before any work starts. Actions are matched by name, so a screen added later (sweeps,
rerun) is covered when it names its actions like these.
"""

from __future__ import annotations

from comfytui.errors import READONLY_HINT as HINT

#: action name -> what the user tried
MUTATING_ACTIONS: dict[str, str] = {
    "start_run": "starting a run",
    "start": "starting a run",
    "use_last_and_start": "starting a run",
    "rerun": "starting a run",
    "rerun_run": "starting a run",
    "start_sweep": "starting a sweep",
    "sweep": "starting a sweep",
    "cancel_run": "cancelling a run",
    "cancel_sweep": "cancelling a sweep",
    "push_workflow": "pushing a workflow",
    "upload": "uploading a file",
}


def action_name(action: object) -> str:
    """`"app.start_run('x')"` -> `"start_run"`; a parsed action tuple gives its name."""
    if isinstance(action, tuple) and len(action) >= 2:
        return str(action[1])
    text = str(action).split("(", 1)[0]
    return text.rsplit(".", 1)[-1].strip()


def mutating(action: object) -> str | None:
    return MUTATING_ACTIONS.get(action_name(action))


def refusal_text(what: str) -> str:
    return f"{what} is disabled in {HINT}"
