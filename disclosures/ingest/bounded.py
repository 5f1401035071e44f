"""Untrusted files are parsed in a child process with a size, a CPU-time and a memory limit.

A supplier's workbook, a filed document or an RMI list can be built to make a parser run for
minutes or take gigabytes. The parse runs in a forked child whose limits the kernel enforces
(RLIMIT_AS for memory; RLIMIT_CPU, raised before each file to what the child has used plus the
file's allowance), with a wall-clock backstop in the parent. A file that exceeds one is refused
with the limit named; its child is replaced and the staff command goes on or stops cleanly.
A child serves one file after another (`BoundedReader`): a fork per file cost a third of the
ingest's throughput in copy-on-write faults.
"""
from __future__ import annotations

import functools
import multiprocessing
import os
import resource
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50_000_000   # far above any filing, list or CMRT (a filled CMRT is ~1 MB)
    cpu_seconds: int = 60         # a real file takes well under 2 s
    memory_bytes: int = 3 * 2**30

    @property
    def wall_seconds(self) -> int:  # no answer by then, yet the CPU limit not met: waiting on something
        return self.cpu_seconds * 2 + 10


DEFAULT = Limits()


class LimitExceeded(Exception):
    """A file refused for its size, time or memory; the message names the file and the limit."""


def check_size(path: Path, limits: Limits = DEFAULT) -> None:
    size = Path(path).stat().st_size
    if size > limits.max_bytes:
        raise LimitExceeded(f"{path}: {size:,} bytes, over the {limits.max_bytes:,}-byte limit for one file: "
                            "is this the right file?")


class BoundedReader:
    """One child process that runs func(*args) for one file at a time under `limits`."""

    def __init__(self, func: Callable[..., Any], limits: Limits = DEFAULT):
        self.func, self.limits, self.child, self.conn = func, limits, None, None

    def read(self, path: Path | str, *args) -> Any:
        """func(*args)'s result, or its exception re-raised here, or LimitExceeded naming `path`."""
        if Path(path).is_file():
            check_size(Path(path), self.limits)
        if self.child is None or not self.child.is_alive():  # the first file, or a child that has gone
            self.close()
            self._start()
        self.conn.send(args)
        try:
            if not self.conn.poll(self.limits.wall_seconds):
                self.close()
                raise LimitExceeded(_over(path, f"{self.limits.wall_seconds} s"))
            status, value = self.conn.recv()
        except (EOFError, ConnectionResetError):  # the kernel stopped the child
            exitcode = self._reap()
            if exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
                raise LimitExceeded(_over(path, f"{self.limits.cpu_seconds} s of CPU time")) from None
            raise LimitExceeded(f"{path}: the reader's process stopped (exit {exitcode}) on this file, probably "
                                f"over the {self.limits.memory_bytes // 2**20:,} MiB memory limit: not read") from None
        if status == "memory":
            self._reap()
            raise LimitExceeded(f"{path}: reading it needs more than {self.limits.memory_bytes // 2**20:,} MiB of "
                                "memory, the limit for one file: not read")
        if status == "error":
            raise value
        return value

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")  # the child shares the loaded code: no re-import
        self.conn, theirs = context.Pipe()
        self.child = context.Process(target=_serve, args=(theirs, self.func, self.limits), daemon=True)
        self.child.start()
        theirs.close()

    def _reap(self) -> int | None:
        child = self.child
        self.close()
        return child.exitcode if child is not None else None

    def close(self) -> None:
        if self.child is not None:
            self.conn.close()
            if self.child.is_alive():
                self.child.kill()
            self.child.join()
            self.child = self.conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def run_bounded(func: Callable[..., Any], path: Path | str, *args, limits: Limits = DEFAULT) -> Any:
    """func(*args) for one file, in a child of its own under `limits` (the arguments reach it by the
    fork itself: they need not pickle, and a file's bytes are not copied)."""
    with BoundedReader(functools.partial(func, *args), limits) as reader:
        return reader.read(path)


def read_each(func: Callable[[str], Any], paths: Iterable[str], jobs: int, limits: Limits = DEFAULT,
              refused: Callable[[str, LimitExceeded], Any] = lambda path, exc: exc) -> Iterator[Any]:
    """func(path) for each path, in order, on `jobs` bounded children; a path over a limit gives
    refused(path, error) instead."""
    local, readers = threading.local(), []

    def one(path: str):
        if not hasattr(local, "reader"):
            local.reader = BoundedReader(func, limits)
            readers.append(local.reader)
        try:
            return local.reader.read(path, path)
        except LimitExceeded as exc:
            return refused(path, exc)

    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            yield from pool.map(one, paths)
    finally:
        for reader in readers:
            reader.close()


def _over(path, limit: str) -> str:
    return f"{path}: reading it took more than {limit}, the limit for one file: not read (a real file takes seconds)"


def limit_memory(limits: Limits = DEFAULT) -> None:
    """This process's address space capped (a child's first step; also pdftotext's preexec_fn)."""
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    except (ValueError, OSError):
        pass  # a platform without it: the parent's wall clock still holds


def _serve(conn, func, limits: Limits) -> None:
    """The child: one job after another, each with a CPU allowance of its own."""
    limit_memory(limits)
    while True:
        try:
            args = conn.recv()
        except EOFError:
            break
        used = resource.getrusage(resource.RUSAGE_SELF)
        try:  # SIGXCPU (default action: stop the process) once this job has had its seconds
            resource.setrlimit(resource.RLIMIT_CPU, (int(used.ru_utime + used.ru_stime) + limits.cpu_seconds + 1,
                                                     resource.RLIM_INFINITY))
        except (ValueError, OSError):
            pass
        try:
            message = ("ok", func(*args))
        except MemoryError:
            message = ("memory", None)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
            message = ("error", exc)
        try:
            conn.send(message)
        except Exception:  # an exception or result that does not pickle
            conn.send(("error", RuntimeError(f"{type(message[1]).__name__}: {message[1]}"[:500])))
        if message[0] == "memory":
            break  # a fresh child for the next file
    conn.close()
    os._exit(0)  # no atexit handlers, no flushing of the parent's buffers twice
