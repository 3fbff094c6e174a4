"""Helpers shared by the benchmark scripts: sample folders, a served workspace, RSS probes."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "PIXLAKE_CLI",
    "SAMPLE_GLOB",
    "RssSampler",
    "ServedWorkspace",
    "child_env",
    "free_port",
    "peak_rss_mib",
    "render_table",
    "ru_maxrss_mib",
    "sample_folder",
    "serve_workspace",
    "warm_page_cache",
]

PIXLAKE_CLI = Path(sys.executable).parent / "pixlake"
"""The ``pixlake`` console script of the interpreter running the benchmark."""

SAMPLE_GLOB = "sample_*.jpg"


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: no stray PIXLAKE_* settings, no progress bars."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIXLAKE_")}
    env["PIXLAKE_DISABLE_PROGRESS_BARS"] = "1"
    env.update(extra)
    return env


def sample_folder(cache: Path, count: int, *, log=print) -> Path:
    """``cache/jpeg-<count>`` holding ``count`` JPEGs of mixed sizes, made if missing.

    A folder already holding exactly ``count`` samples is reused as is; anything else there
    is replaced. Pictures are written to a temporary sibling and renamed into place, so an
    interrupted run never leaves a folder that looks complete.
    """
    folder = cache / f"jpeg-{count}"
    if folder.is_dir() and sum(1 for _ in folder.glob(SAMPLE_GLOB)) == count:
        log(f"reusing {count} cached pictures in {folder}")
        return folder
    from pixlake.samples import make_images

    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".jpeg-{count}-", dir=cache))
    log(f"generating {count} pictures in {folder} ...")
    started = time.perf_counter()
    try:
        make_images(staging, count)
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"  done in {time.perf_counter() - started:.1f} s")
    return folder


def warm_page_cache(folder: Path) -> int:
    """Read every sample once so no measured run pays for cold reads; returns bytes read."""
    total = 0
    for path in sorted(folder.glob(SAMPLE_GLOB)):
        total += len(path.read_bytes())
    return total


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ru_maxrss_mib() -> float:
    """``getrusage(RUSAGE_SELF).ru_maxrss`` of this process, in MiB.

    Beware: Linux keeps ru_maxrss across fork and exec, so a child started by a bigger
    process reports at least its parent's peak (see ``peak_rss_mib``).
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _vm_hwm_bytes(pid: int | str) -> int | None:
    """The kernel's RSS high-water mark (VmHWM) of a process image, when /proc has it."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return None


def peak_rss_mib() -> float:
    """Peak resident set size of this process image so far, in MiB.

    VmHWM where /proc has it: unlike ru_maxrss, it starts afresh at exec, so it is not
    floored by the peak of the process that spawned this one. ru_maxrss elsewhere.
    """
    hwm = _vm_hwm_bytes("self")
    return hwm / (1024 * 1024) if hwm is not None else ru_maxrss_mib()


@dataclass
class RssSampler:
    """Samples another process's RSS every ``interval`` seconds in a daemon thread."""

    pid: int
    interval: float = 0.05
    peak_bytes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> RssSampler:
        import psutil

        process = psutil.Process(self.pid)

        def run() -> None:
            while not self._stop.is_set():
                try:
                    self.peak_bytes = max(self.peak_bytes, process.memory_info().rss)
                except psutil.Error:
                    return
                self._stop.wait(self.interval)

        self._thread = threading.Thread(target=run, name=f"rss-{self.pid}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def peak_mib(self) -> float:
        """The sampled peak, or the kernel's exact high-water mark (VmHWM) when larger."""
        return max(self.peak_bytes, _vm_hwm_bytes(self.pid) or 0) / (1024 * 1024)


@dataclass
class ServedWorkspace:
    url: str
    token: str
    process: subprocess.Popen
    rss: RssSampler | None
    log_path: Path


def _create_user(workspace: Path, name: str) -> str:
    done = subprocess.run(
        [str(PIXLAKE_CLI), "users", "create", name, "--workspace", str(workspace)],
        capture_output=True, text=True, env=child_env(), timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"`pixlake users create` failed ({done.returncode}):\n"
                           f"{done.stdout}{done.stderr}")
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError("`pixlake users create` printed no token")
    return lines[-1].strip()


def _wait_healthy(url: str, process: subprocess.Popen, log_path: Path,
                  timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before it was "
                               f"healthy:\n{log_path.read_text(errors='replace')}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the server at {url} was not healthy after {timeout:.0f} s:\n"
                       f"{log_path.read_text(errors='replace')}")


def _terminate(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # uvicorn shuts down cleanly on SIGINT / SIGTERM
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def serve_workspace(workspace: Path, *, user: str = "bench", sample_rss: bool = True,
                    startup_timeout: float = 60.0) -> Iterator[ServedWorkspace]:
    """A real ``pixlake serve`` subprocess on a free loopback port, with a user's token.

    The server is always stopped on exit, and its log is kept next to the workspace.
    """
    token = _create_user(workspace, user)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = workspace.with_name(workspace.name + "-server.log")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(PIXLAKE_CLI), "serve", "--workspace", str(workspace), "--port", str(port),
             "--log-level", "warning"],
            stdout=log, stderr=subprocess.STDOUT, env=child_env(),
        )
    sampler = None
    try:
        if sample_rss:
            with contextlib.suppress(ImportError):
                sampler = RssSampler(process.pid).start()
        _wait_healthy(url, process, log_path, startup_timeout)
        yield ServedWorkspace(url, token, process, sampler, log_path)
    finally:
        if sampler is not None:
            sampler.stop()
        _terminate(process)


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned, a rule
    under the header. Rows shorter than the header are padded with empty cells."""
    lines = [list(header)] + [list(row) + [""] * (len(header) - len(row)) for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for index, line in enumerate(lines):
        cells = [c.ljust(w) if i == 0 else c.rjust(w)
                 for i, (c, w) in enumerate(zip(line, widths, strict=True))]
        out.append(" | ".join(cells).rstrip())
        if index == 0:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)
