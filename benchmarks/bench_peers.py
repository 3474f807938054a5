"""comfytui against the Textual apps people hold up, launched the same way in the same run.

Each program is started as its user starts it (`python -m comfytui`, `posting`, `harlequin`) on
a fresh 120x35 pty (`benchmarks.ptyrun`, which answers the terminal queries a real terminal
answers), and the clock runs from the spawn to the pty output chunk that completes the program's
first useful screen (a marker text):

- comfytui, cached: the first cached deployment row (1,000 deployments in the cache, the API
  unreachable: nothing but the cache can paint it).
- comfytui, demo: a demo deployment row of the persisted demo world (a second launch: the world
  was saved by an earlier demo session), the emulator starting in the background.
- posting (2.x, `tree-sitter<0.26`: 0.26.1 segfaults here): its collection browser ("Collection
  is empty"), the first full frame.
- harlequin (DuckDB in memory): its query editor's "Run Query" button, the first full frame.

Rows (lower is better; median of alternating launches, each program warmed once first):
- startup_vs_peers_cached: comfytui cached vs the faster peer; target 0.8.
- startup_vs_peers_demo: comfytui demo vs the faster peer; target 0.8.
- idle_cpu_vs_posting: CPU seconds per 30 s idle on the main screen (demo mode, emulator
  included) vs posting idle, both measured at the same time; target 1.0.

The peers are installed from the package registry into their own venvs under the benchmark's
scratch folder (`benchmarks/.scratch/peers`, kept between runs; `COMFYTUI_BENCH_SCRATCH`
moves it). Bytecode is on for every side: PYTHONDONTWRITEBYTECODE is dropped from the children's
environment (pip compiles the peers' venvs at install; comfytui's goes to a pycache prefix), and
the warm-up launch compiles what is left. `--quick` (the smoke test) never installs: it measures
comfytui alone unless the peers are already there.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import Result
from benchmarks.ptyrun import PtyRecorder

ROOT = Path(__file__).resolve().parents[1]
UNREACHABLE = "http://127.0.0.1:9/api"
BENCH_KEY = "bench-key-0123456789"
SETTLE_S = 2.0


@dataclass(frozen=True)
class Program:
    name: str
    argv: tuple[str, ...]
    marker: re.Pattern[bytes]
    env: tuple[tuple[str, str], ...] = ()
    #: what shows that start-up work is over (idle measurements start after it)
    settled: re.Pattern[bytes] | None = None


@dataclass(frozen=True)
class Peer:
    name: str
    requirements: tuple[str, ...]
    command: str
    marker: bytes

    def venv(self, scratch: Path) -> Path:
        digest = hashlib.sha256(" ".join(self.requirements).encode()).hexdigest()[:8]
        return scratch / "peers" / f"{self.name}-{digest}"

    def program(self, scratch: Path) -> Program:
        exe = self.venv(scratch) / "bin" / self.command
        return Program(self.name, (str(exe),), re.compile(re.escape(self.marker)))


PEERS = (
    Peer("posting", ("posting>=2.11,<3", "tree-sitter<0.26"), "posting", b"Collection is empty"),
    Peer("harlequin", ("harlequin>=2.1,<3",), "harlequin", b"Run Query"),
)


def scratch_folder() -> Path:
    return Path(os.environ.get("COMFYTUI_BENCH_SCRATCH") or ROOT / "benchmarks" / ".scratch")


def install(peer: Peer, scratch: Path) -> bool:
    """The peer's venv, created and filled from the package registry if it is not there yet."""
    venv = peer.venv(scratch)
    exe = venv / "bin" / peer.command
    if exe.exists():
        return True
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)  # noqa: S603
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(  # noqa: S603 - pip from the peer's own venv
        [*pip, *peer.requirements], capture_output=True, text=True, env=env
    )
    if done.returncode != 0:
        print(f"  {peer.name}: pip install failed: {done.stderr[-300:]}", file=sys.stderr)
        return False
    return exe.exists()


# --- the comfytui homes --------------------------------------------------------------------------


def _cached_home(home: Path) -> None:
    from benchmarks.bench_startup import _prefill

    asyncio.run(_prefill(home, 1_000, runs=0))


def _demo_home(home: Path) -> None:
    from benchmarks.bench_startup import seed_demo_home

    seed_demo_home(home)


def _comfytui(
    name: str, home: Path, marker: bytes, settled: bytes | None = None, **env: str
) -> Program:
    argv = (sys.executable, "-m", "comfytui")
    pairs = {"COMFYTUI_HOME": str(home), "PYTHONPATH": str(ROOT), **env}
    done = re.compile(settled) if settled else None
    return Program(name, argv, re.compile(marker), tuple(pairs.items()), done)


# --- launching -----------------------------------------------------------------------------------


def _env(program: Program, home: Path, pycache: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in (
        "PYTHONDONTWRITEBYTECODE",
        "COMFY_DEPLOY_API_KEY",
        "COMFY_DEPLOY_API_URL",
        "COMFYTUI_DEBUG",
        "TMUX",
        "KITTY_WINDOW_ID",
        "TERM_PROGRAM",
        "VIRTUAL_ENV",
    ):
        env.pop(name, None)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        TERM="xterm-256color",
        COLORTERM="truecolor",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPYCACHEPREFIX=str(pycache),
    )
    env.update(dict(program.env))
    return env


def launch(
    program: Program,
    home: Path,
    pycache: Path,
    timeout: float = 120.0,
    marker: re.Pattern[bytes] | None = None,
) -> tuple[float, PtyRecorder]:
    """Seconds from spawn to the chunk that completes the marker (default: the program's first
    useful screen); the recorder still runs."""
    marker = marker or program.marker
    env = _env(program, home, pycache)
    started = time.monotonic()
    recorder = PtyRecorder(list(program.argv), env=env, keep=True).start()
    seen = b""
    index = 0
    deadline = started + timeout
    while time.monotonic() < deadline:
        with recorder._lock:  # noqa: SLF001 - reading the recorded chunks as they arrive
            new = list(zip(recorder.times[index:], recorder.chunks[index:], strict=True))
        for arrived, chunk in new:
            index += 1
            seen = seen[-4096:] + chunk
            if marker.search(seen):
                return arrived - started, recorder
        if recorder.proc.poll() is not None and not new:
            break
        time.sleep(0.005)
    recorder.stop()
    tail = re.sub(rb"\x1b\[[0-9;?]*[a-zA-Z]", b"", seen)[-300:]
    raise RuntimeError(f"{program.name}: no first screen within {timeout:g} s: {tail!r}")


def first_screen(program: Program, home: Path, pycache: Path) -> float:
    seconds, recorder = launch(program, home, pycache)
    recorder.stop()
    return seconds


def idle_cpu(programs: list[Program], home: Path, pycache: Path, seconds: float) -> list[float]:
    """CPU seconds of each program over the same idle window, all running at once."""
    recorders = [launch(p, home, pycache, marker=p.settled)[1] for p in programs]
    try:
        time.sleep(SETTLE_S)
        windows: list[float] = [0.0] * len(recorders)

        def measure(i: int) -> None:
            windows[i] = recorders[i].measure(seconds).cpu or 0.0

        threads = [threading.Thread(target=measure, args=(i,)) for i in range(len(recorders))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return windows
    finally:
        for recorder in recorders:
            recorder.stop()


def _spread(samples: list[float]) -> float:
    median = statistics.median(samples)
    return (max(samples) - min(samples)) / median if median else 0.0


def run(quick: bool = False) -> list[Result]:
    repeats = 1 if quick else 5
    idle_s = 2.0 if quick else float(os.environ.get("COMFYTUI_BENCH_IDLE_S") or 30.0)
    scratch = scratch_folder()
    peers = [p for p in PEERS if (p.venv(scratch) / "bin" / p.command).exists() or not quick]
    peers = [p for p in peers if install(p, scratch)]
    with tempfile.TemporaryDirectory(dir=scratch if scratch.exists() else None) as tmp:
        tmp_path = Path(tmp)
        pycache, home = tmp_path / "pycache", tmp_path / "home"
        cached_home, demo_home = tmp_path / "cached", tmp_path / "demo"
        _cached_home(cached_home)
        _demo_home(demo_home)
        programs = {
            "cached": _comfytui(
                "comfytui cached",
                cached_home,
                rb"deployment-0\d{4}",
                COMFY_DEPLOY_API_KEY=BENCH_KEY,
                COMFY_DEPLOY_API_URL=UNREACHABLE,
            ),
            # settled: the status bar says online (the emulator started, the panes revalidated)
            "demo": _comfytui("comfytui demo", demo_home, rb"txt2img", rb"online"),
        }
        for peer in peers:
            programs[peer.name] = peer.program(scratch)
        times: dict[str, list[float]] = {name: [] for name in programs}
        for program in programs.values():  # warm-up: bytecode, OS file cache, first-run files
            first_screen(program, home, pycache)
        for _ in range(repeats):
            for name, program in programs.items():
                times[name].append(first_screen(program, home, pycache))
        cpu_programs = [programs["demo"]] + ([programs["posting"]] if "posting" in programs else [])
        cpu = idle_cpu(cpu_programs, home, pycache, idle_s)
    median = {name: statistics.median(samples) for name, samples in times.items()}
    peer_names = [p.name for p in peers]
    faster = min(peer_names, key=median.__getitem__) if peer_names else None
    baseline = median[faster] if faster else None
    peers_note = ", ".join(
        f"{n} {median[n]:.2f} s (spread {_spread(times[n]):.0%})" for n in peer_names
    )
    results = []
    for kind in ("cached", "demo"):
        results.append(
            Result(
                f"startup_vs_peers_{kind}",
                median[kind],
                baseline,
                "s",
                0.8 if baseline else None,
                spread=_spread(times[kind]),
                note=(
                    f"first useful screen on a 120x35 pty, median of {repeats}; "
                    f"faster peer: {faster}; {peers_note or 'no peer installed'}"
                ),
            )
        )
    per30 = 30.0 / idle_s
    posting_cpu = cpu[1] * per30 if len(cpu) > 1 else None
    results.append(
        Result(
            "idle_cpu_vs_posting",
            cpu[0] * per30,
            max(posting_cpu, 0.01) if posting_cpu is not None else None,
            "s/30s",
            1.0 if posting_cpu is not None else None,
            note=(
                f"main screen idle, demo mode (emulator included), {idle_s:g} s window, "
                "both running at once"
            ),
        )
    )
    return results
