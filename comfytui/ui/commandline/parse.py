"""The `:` command grammar, free of Textual: the command table, aliases, parsing, completion.

`parse(":runs failed", aliases)` -> `Parsed(spec, args)`; a bad line raises `CommandError`
whose text is the one line to show (an unknown command names the closest one, by difflib).
User aliases (`[aliases]` in config.toml) map a word to a command line (`f = "runs failed"`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from comfytui.sanitize import plain


@dataclass(frozen=True)
class CommandSpec:
    name: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    usage: str = ""  # the arguments, for help: "[FILTER]"
    mutating: str | None = None  # what read-only mode refuses: "starting a run"

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def title(self) -> str:
        return f":{self.name}" + (f" {self.usage}" if self.usage else "")


VIEWS = ("workflows", "deployments", "machines", "runs", "gallery", "sweeps")

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("workflows", ("wf",), "go to Workflows", "[FILTER]"),
    CommandSpec("deployments", ("dep", "dp"), "go to Deployments (@ENV filters)", "[FILTER|@ENV]"),
    CommandSpec("machines", ("m",), "go to Machines", "[FILTER]"),
    CommandSpec("runs", ("r",), "go to Runs (status or /deployment)", "[STATUS|/DEPLOYMENT]"),
    CommandSpec("gallery", ("g",), "go to the output gallery", "[FILTER]"),
    CommandSpec("sweeps", ("sw",), "go to sweeps", "[FILTER]"),
    CommandSpec("run", (), "start a run (no values: the form)", "NAME [k=v ...]", "starting a run"),
    CommandSpec("rerun", (), "run the focused run again", "", "starting a run"),
    CommandSpec("cancel", (), "cancel the focused run", "", "cancelling a run"),
    CommandSpec("open", ("o",), "open a run or deployment by id (prefix ok) or name", "ID"),
    CommandSpec("theme", (), "switch the colour theme", "NAME"),
    CommandSpec("profile", (), "switch to another account's profile", "NAME"),
    CommandSpec("back", ("-",), "back to the previous view"),
    CommandSpec("help", ("h",), "show keys and commands"),
    CommandSpec("quit", ("q", "q!", "qa"), "leave comfytui"),
)


class CommandError(ValueError):
    """A command line that cannot run; `str()` is the one line for the user."""


@dataclass(frozen=True)
class Parsed:
    spec: CommandSpec
    args: tuple[str, ...]
    word: str = ""  # the command word as typed (after aliases): `q!`, `quit`

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def bang(self) -> bool:
        """Typed with vim's `!` (`:q!`): do it without asking."""
        return self.word.endswith("!")

    @property
    def arg(self) -> str:
        return " ".join(self.args)


def _table(commands: Sequence[CommandSpec]) -> dict[str, CommandSpec]:
    return {word.casefold(): spec for spec in commands for word in spec.words}


def split(line: str) -> list[str]:
    text = line.strip()
    if text.startswith(":"):
        text = text[1:].lstrip()
    try:
        import shlex  # late: start-up never parses a command line

        return shlex.split(text)
    except ValueError as exc:  # unbalanced quote
        raise CommandError(f"cannot read the command: {exc}") from None


def expand_aliases(words: list[str], aliases: Mapping[str, str]) -> list[str]:
    """Replace a leading user alias by its command line (aliases of aliases are not followed)."""
    if words and words[0].casefold() in {k.casefold() for k in aliases}:
        target = next(v for k, v in aliases.items() if k.casefold() == words[0].casefold())
        return split(target) + words[1:]
    return words


def parse(
    line: str,
    aliases: Mapping[str, str] | None = None,
    commands: Sequence[CommandSpec] = COMMANDS,
) -> Parsed:
    words = expand_aliases(split(line), aliases or {})
    if not words:
        raise CommandError("empty command (try :help)")
    head, *rest = words
    spec = _table(commands).get(head.casefold())
    if spec is None:
        near = closest(head, commands, aliases)
        hint = f"; did you mean :{near}?" if near else " (try :help)"
        raise CommandError(f"unknown command :{plain(head, 40)}{hint}")
    return Parsed(spec, tuple(rest), head.casefold())


def closest(
    word: str, commands: Sequence[CommandSpec] = COMMANDS, aliases: Mapping[str, str] | None = None
) -> str | None:
    """The known command (or user alias) nearest to `word`, if any is close enough."""
    table = _table(commands)
    names = [*table, *(aliases or {})]
    found = difflib.get_close_matches(word.casefold(), names, n=1, cutoff=0.5)
    if not found:
        return None
    spec = table.get(found[0])
    return spec.name if spec is not None else found[0]


def complete(
    line: str,
    aliases: Mapping[str, str] | None = None,
    arguments: Mapping[str, Iterable[str]] | None = None,
    commands: Sequence[CommandSpec] = COMMANDS,
) -> list[str]:
    """Whole-line candidates for `line`: command names first, then the command's arguments
    (`arguments` maps a command name to its known values: themes, profiles, deployments)."""
    text = line.lstrip().removeprefix(":")
    if " " not in text:
        prefix = text.casefold()
        names = [spec.name for spec in commands] + list(aliases or {})
        return sorted({f":{n}" for n in names if n.casefold().startswith(prefix)})
    head, _, tail = text.partition(" ")
    spec = _table(commands).get(head.casefold())
    if spec is None or arguments is None:
        return []
    done, _, partial = tail.rpartition(" ")
    before = f":{head} " + (f"{done} " if done else "")
    values = sorted(set(arguments.get(spec.name, ())))
    return [before + v for v in values if v.casefold().startswith(partial.casefold())]


def common_prefix(candidates: Sequence[str]) -> str:
    if not candidates:
        return ""
    first, last = min(candidates), max(candidates)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def view_filter(args: Sequence[str]) -> str:
    """The pane filter text of a view command (`@staging`, `/txt2img` and status words have
    exact meanings in the panes' filters: `ResourcePane.word_matches`)."""
    return " ".join(args).strip()
