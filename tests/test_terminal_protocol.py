"""Image renderer decision: terminal answers + environment + setting -> renderer (issue 15).

The table rows are what real terminals answered (xterm 379, mlterm 3.9, kitty 0.26.5, tmux 3.3a
were asked under Xvfb with `comfytui doctor`); the probe itself is tested over a real pty with
a scripted terminal on the other side.
"""

from __future__ import annotations

import os
import pty
import threading
import time

import pytest

from comfytui.terminal.probe import (
    DA1,
    KITTY_QUERY_ID,
    XTVERSION,
    TerminalFacts,
    parse_replies,
    probe,
    tmux_facts,
)
from comfytui.terminal.protocol import decide, terminal_identity

XTERM_VT340_DA1 = (63, 1, 2, 4, 6, 9, 15, 16, 22, 28)
XTERM_DA1 = (64, 1, 2, 6, 9, 15, 16, 17, 18, 21, 22, 28)
MLTERM_DA1 = (63, 1, 2, 3, 4, 6, 7, 15, 18, 22, 29)


def facts(**values) -> TerminalFacts:
    values.setdefault("tty", True)
    return TerminalFacts(**values)


TABLE = [
    # (case, facts, setting, mode, words in the reason)
    ("xterm -ti vt340", facts(da1=XTERM_VT340_DA1, xtversion="XTerm(379)"), "auto", "sixel",
     ["xterm 379", "Sixel"]),
    ("plain xterm", facts(da1=XTERM_DA1, xtversion="XTerm(379)"), "auto", "halfcell",
     ["no Sixel"]),
    ("mlterm (no XTVERSION)", facts(da1=MLTERM_DA1, env={"TERM": "mlterm"}), "auto", "sixel",
     ["mlterm"]),
    ("kitty 0.26.5: graphics but no placeholders",
     facts(da1=(62,), xtversion="kitty(0.26.5)", kitty_graphics=True,
           env={"TERM": "xterm-kitty", "KITTY_WINDOW_ID": "1"}), "auto", "halfcell",
     ["0.26.5", "0.28"]),
    ("kitty 0.28.0", facts(da1=(62,), xtversion="kitty(0.28.0)", kitty_graphics=True), "auto",
     "tgp", ["kitty 0.28.0", "placeholders"]),
    ("kitty 0.35.2", facts(da1=(62,), xtversion="kitty(0.35.2)", kitty_graphics=True), "auto",
     "tgp", []),
    ("kitty without a version answer",
     facts(da1=(62,), kitty_graphics=True, env={"KITTY_WINDOW_ID": "3"}), "auto", "halfcell",
     ["version"]),
    ("ghostty", facts(da1=(62, 22), xtversion="ghostty 1.1.3", kitty_graphics=True), "auto",
     "tgp", ["ghostty"]),
    ("wezterm: kitty answer, no placeholders, Sixel",
     facts(da1=(65, 4, 6), xtversion="WezTerm 20240203", kitty_graphics=True), "auto", "sixel",
     ["wezterm", "placeholders"]),
    ("konsole via TERM_PROGRAM, kitty answer only",
     facts(da1=(62, 22), kitty_graphics=True, env={"TERM_PROGRAM": "konsole"}), "auto",
     "halfcell", ["konsole", "placeholders"]),
    ("silent terminal", facts(da1=None, error="no answer to DA1 within 0.5 s"), "auto",
     "halfcell", ["no answer"]),
    ("not a tty", TerminalFacts(tty=False), "auto", "halfcell", ["not a terminal"]),
    ("tmux, passthrough off",
     facts(da1=(1, 2), xtversion="tmux 3.3a", env={"TMUX": "/tmp/t,1,0"},
           tmux_passthrough="off", tmux_client="kitty(0.35.0)"), "auto", "halfcell",
     ["allow-passthrough off"]),
    ("tmux, passthrough on, outer kitty 0.35",
     facts(da1=(1, 2), env={"TMUX": "/tmp/t,1,0"}, tmux_passthrough="on",
           tmux_client="kitty(0.35.0)"), "auto", "tgp", ["passthrough on", "kitty 0.35.0"]),
    ("tmux, passthrough all, outer kitty 0.26.5",
     facts(da1=(1, 2), env={"TMUX": "/tmp/t,1,0", "KITTY_WINDOW_ID": "1"},
           tmux_passthrough="all", tmux_client="kitty(0.26.5)"), "auto", "halfcell",
     ["0.26.5"]),
    ("tmux, passthrough on, outer xterm with Sixel (tmux has none)",
     facts(da1=(1, 2), env={"TMUX": "/tmp/t,1,0"}, tmux_passthrough="on",
           tmux_client="XTerm(379)"), "auto", "halfcell", ["xterm 379"]),
    ("tmux built with Sixel", facts(da1=(1, 2, 4), env={"TMUX": "/tmp/t,1,0"},
                                    tmux_passthrough="off"), "auto", "sixel", ["tmux draws"]),
    ("tmux without a client name: outer kitty from the environment",
     facts(da1=(1, 2), env={"TMUX": "/tmp/t,1,0", "TERM": "xterm-kitty"},
           tmux_passthrough="on"), "auto", "halfcell", ["version"]),
    ("setting forces sixel in kitty",
     facts(da1=(62,), xtversion="kitty(0.35.2)", kitty_graphics=True), "sixel", "sixel",
     ['image_protocol = "sixel"']),
    ("setting forces kitty in xterm", facts(da1=XTERM_DA1), "kitty", "tgp", ["forces"]),
    ("setting halfblock", facts(da1=XTERM_VT340_DA1), "halfblock", "halfcell", []),
    ("setting pixels", facts(da1=XTERM_VT340_DA1), "Pixels", "pixels", []),
]  # fmt: skip


@pytest.mark.parametrize(("facts_", "setting", "mode", "words"),
                         [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])  # fmt: skip
def test_decision_table(facts_, setting, mode, words):
    decision = decide(facts_, setting)
    assert decision.mode == mode, decision.reason
    for word in words:
        assert word.lower() in decision.reason.lower(), decision.reason
    assert "\n" not in decision.reason
    assert decision.tmux_passthrough == (mode == "tgp" and facts_.in_tmux and setting == "auto")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kitty(0.26.5)", ("kitty", (0, 26, 5))),
        ("XTerm(379)", ("xterm", (379,))),
        ("tmux 3.3a", ("tmux", (3, 3))),
        ("WezTerm 20240203-110809-5046fc22", ("wezterm", (20240203,))),
        ("ghostty 1.1.3", ("ghostty", (1, 1, 3))),
        ("foot", ("foot", None)),
        ("", None),
        (None, None),
    ],
)
def test_terminal_identity(text, expected):
    assert terminal_identity(text) == expected


def test_parse_replies_in_one_stream():
    data = (
        b"\x1bP>|kitty(0.26.5)\x1b\\"
        + f"\x1b_Gi={KITTY_QUERY_ID};OK\x1b\\".encode()
        + b"\x1b[6;20;9t"
        + b"\x1b[?62;4c"
    )
    assert parse_replies(data) == {
        "da1": (62, 4),
        "xtversion": "kitty(0.26.5)",
        "kitty_graphics": True,
        "cell": (9, 20),
    }


def test_parse_replies_ignores_other_ids_and_garbage():
    data = (
        b"x\x1b_Gi=7;OK\x1b\\" + f"\x1b_Gi={KITTY_QUERY_ID};ENOENT\x1b\\".encode() + b"\x1b[?1;2c"
    )
    assert parse_replies(data) == {"da1": (1, 2), "kitty_graphics": False}
    assert parse_replies(b"\x1bP>|evil\x07\x1b]0;t\x07name\x1b\\").get("xtversion", "") == "evil"
    assert parse_replies(b"") == {}


class FakeTerminal:
    """The terminal side of a pty: answers the probe's questions with scripted bytes."""

    def __init__(self, answer: bytes | None, delay: float = 0.0) -> None:
        self.master, self.slave = pty.openpty()
        self.answer, self.delay = answer, delay
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        deadline = time.monotonic() + 10
        while DA1.encode() not in self.received and time.monotonic() < deadline:
            self.received += os.read(self.master, 4096)
        if self.answer is not None:
            time.sleep(self.delay)
            os.write(self.master, self.answer)

    def close(self) -> None:
        self.thread.join(10)
        os.close(self.master)
        os.close(self.slave)


def test_probe_over_a_pty_reads_until_da1():
    term = FakeTerminal(b"\x1bP>|XTerm(379)\x1b\\\x1b[?63;1;2;4;6c")
    try:
        found = probe({"TERM": "xterm"}, in_fd=term.slave, out_fd=term.slave, timeout=30)
    finally:
        term.close()
    assert found.tty and found.error is None
    assert found.da1 == (63, 1, 2, 4, 6) and found.xtversion == "XTerm(379)"
    assert term.received.startswith(XTVERSION.encode()) and term.received.endswith(DA1.encode())
    # DA1 ends the read: far less than the 30 s timeout (generous bound for a loaded machine)
    assert found.probe_ms < 10_000
    assert decide(found).mode == "sixel"


def test_probe_without_answer_gives_up_after_the_timeout():
    term = FakeTerminal(None)
    try:
        found = probe({}, in_fd=term.slave, out_fd=term.slave, timeout=0.3)
    finally:
        term.close()
    assert found.tty and found.da1 is None and "no answer" in (found.error or "")
    assert found.probe_ms >= 300
    assert decide(found).mode == "halfcell"


def test_probe_not_a_tty(tmp_path):
    with open(tmp_path / "f", "w+b") as fh:
        found = probe({"TERM": "dumb", "HOME": "/x"}, in_fd=fh.fileno(), out_fd=fh.fileno())
    assert not found.tty and found.env == {"TERM": "dumb"}


def test_tmux_facts_from_one_tmux_call():
    calls = []

    class Done:
        stdout = "on\nkitty(0.35.2)\n"

    def run(argv, **kwargs):
        calls.append(argv)
        return Done()

    assert tmux_facts(run) == ("on", "kitty(0.35.2)")
    assert calls[0][:4] == ["tmux", "show", "-gv", "allow-passthrough"]

    def missing(argv, **kwargs):
        raise FileNotFoundError("tmux")

    assert tmux_facts(missing) == (None, None)
