"""Untrusted files are parsed in a child process with a size, a CPU-time and a memory limit.

A supplier's workbook, a filed document or an RMI list can be built to make a parser run for
minutes or take gigabytes. The parse runs in a forked child whose limits the kernel enforces
(RLIMIT_CPU, RLIMIT_AS), with a wall-clock backstop in the parent; a file that exceeds one is
refused with the limit named, and the staff command goes on or stops cleanly.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50_000_000   # far above any filing, list or CMRT (a filled CMRT is ~1 MB)
    cpu_seconds: int = 60         # a real file takes well under 2 s
    memory_bytes: int = 3 * 2**30


DEFAULT = Limits()


class LimitExceeded(Exception):
    """A file refused for its size, time or memory; the message names the file and the limit."""


def check_size(path: Path, limits: Limits = DEFAULT) -> None:
    size = Path(path).stat().st_size
    if size > limits.max_bytes:
        raise LimitExceeded(f"{path}: {size:,} bytes, over the {limits.max_bytes:,}-byte limit for one file: "
                            "is this the right file?")


def run_bounded(func: Callable[..., Any], path: Path | str, *args, limits: Limits = DEFAULT) -> Any:
    """func(*args) in a child process under `limits`; its result, or its exception re-raised here.
    `path` only names the file in a refusal (and its size is checked first when it exists)."""
    if Path(path).is_file():
        check_size(Path(path), limits)
    context = multiprocessing.get_context("fork")  # the child shares the loaded code: no re-import
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, func, args, limits), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(limits.cpu_seconds * 2 + 10):  # CPU limit not reached, yet no answer: waiting on something
            raise LimitExceeded(_over(path, f"{limits.cpu_seconds * 2 + 10} s"))
        status, value = receive.recv()
    except EOFError:  # the kernel stopped the child
        child.join(5)
        if child.exitcode == -signal.SIGXCPU or child.exitcode == -signal.SIGKILL:
            raise LimitExceeded(_over(path, f"{limits.cpu_seconds} s of CPU time")) from None
        raise LimitExceeded(f"{path}: the reader's process stopped (exit {child.exitcode}) on this file, "
                            f"probably over the {limits.memory_bytes // 2**20:,} MiB memory limit") from None
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
    if status == "memory":
        raise LimitExceeded(f"{path}: reading it needs more than {limits.memory_bytes // 2**20:,} MiB of memory, "
                            "the limit for one file: not read")
    if status == "error":
        raise value
    return value


def _over(path, limit: str) -> str:
    return f"{path}: reading it took more than {limit}, the limit for one file: not read (a real file takes seconds)"


def _child(send, func, args, limits: Limits) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    except (ValueError, OSError):
        pass  # a platform without them: the parent's wall clock still holds
    try:
        message = ("ok", func(*args))
    except MemoryError:
        message = ("memory", None)
    except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
        message = ("error", exc)
    try:
        send.send(message)
    except Exception as exc:  # an exception that does not pickle
        send.send(("error", RuntimeError(f"{type(message[1]).__name__}: {message[1]}"[:500] or str(exc))))
    finally:
        send.close()
        os._exit(0)  # no atexit handlers, no flushing of the parent's buffers twice
