"""The `:` grammar without an app: table, aliases, quoting, suggestions, completion, history."""

from __future__ import annotations

import pytest

from comfytui.ui.commandline.history import CommandHistory
from comfytui.ui.commandline.parse import (
    COMMANDS,
    CommandError,
    closest,
    common_prefix,
    complete,
    parse,
)


@pytest.mark.parametrize(
    ("line", "name", "args"),
    [
        (":workflows", "workflows", ()),
        ("wf draft", "workflows", ("draft",)),
        (":dep @staging", "deployments", ("@staging",)),
        ("dp", "deployments", ()),
        (":m", "machines", ()),
        (":r failed", "runs", ("failed",)),
        (":runs /txt2img", "runs", ("/txt2img",)),
        (":g", "gallery", ()),
        (":sw", "sweeps", ()),
        (
            ':run txt2img prompt="a red fox" steps=4',
            "run",
            ("txt2img", "prompt=a red fox", "steps=4"),
        ),
        (":rerun", "rerun", ()),
        (":cancel", "cancel", ()),
        (":open 7f9c", "open", ("7f9c",)),
        (":theme nord", "theme", ("nord",)),
        (":profile prod", "profile", ("prod",)),
        (":q", "quit", ()),
        (":-", "back", ()),
        ("  :RUNS  ", "runs", ()),
    ],
)
def test_parse(line, name, args):
    parsed = parse(line)
    assert (parsed.name, parsed.args) == (name, args)


def test_a_bang_is_kept_for_the_command():
    assert parse(":q!").bang and parse(":q!").name == "quit"
    assert not parse(":q").bang
    assert parse("x", {"x": "q!"}).bang  # through a user alias too


def test_user_aliases_expand_and_keep_arguments():
    aliases = {"bad": "runs failed", "st": "dep @staging"}
    assert parse(":bad extra", aliases).args == ("failed", "extra")
    assert parse("st", aliases).name == "deployments"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (":rnus", "unknown command :rnus; did you mean :runs?"),
        (":deploy", "unknown command :deploy; did you mean :deployments?"),
        (":zzzzzz", "unknown command :zzzzzz (try :help)"),
        (":", "empty command (try :help)"),
        (':run "open', "cannot read the command: No closing quotation"),
        (":\x1b[31mred", "unknown command :red (try :help)"),
    ],
)
def test_bad_lines_are_one_line(line, message):
    with pytest.raises(CommandError) as info:
        parse(line)
    assert str(info.value) == message


def test_closest_and_table_is_unique():
    words = [w for spec in COMMANDS for w in spec.words]
    assert len(words) == len(set(words))
    assert closest("machnes") == "machines"


def test_completion():
    assert complete(":ru") == [":run", ":runs"]
    assert common_prefix([":run", ":runs"]) == ":run"
    assert complete(":theme t", arguments={"theme": ["textual-dark", "nord"]}) == [
        ":theme textual-dark"
    ]
    assert complete(":b", aliases={"bad": "runs failed"}) == [":back", ":bad"]
    assert complete(":nosuch x", arguments={}) == []


def test_history_file(tmp_path):
    path = tmp_path / "data" / "command_history"
    history = CommandHistory(path, limit=3)
    for line in ("a", "b", "b", "c", "d"):
        history.add(line)
    assert path.read_text().splitlines() == ["b", "c", "d"]
    again = CommandHistory(path)
    assert [again.older(), again.older(), again.older(), again.older()] == ["d", "c", "b", "b"]
    assert [again.newer(), again.newer(), again.newer()] == ["c", "d", ""]
    broken = CommandHistory(tmp_path / "dir-not-file")
    (tmp_path / "dir-not-file").mkdir()
    broken.add("x")  # cannot write: kept in memory, no error
    assert broken.entries == ["x"]
