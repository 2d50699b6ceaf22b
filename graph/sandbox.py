"""Confine a process that evaluates strangers' queries: no network, bounded memory, dies with its parent.

The query parser refuses ``SERVICE`` (graph/sparql.py); this is the second wall, for whatever a
parser might miss. It is applied in a freshly forked child, before the store is opened:

- **No network.** A seccomp filter makes ``socket()`` fail with EACCES for every address
  family except local (AF_UNIX) sockets, forbids ``io_uring_setup`` (which could open sockets
  without that system call), and refuses system calls of any other ABI (32-bit ``socketcall``
  on x86-64). Threads the process starts later inherit the filter. Linux on x86-64 and
  AArch64 only; elsewhere :func:`confine` reports that the wall is missing.
- **Bounded memory.** ``RLIMIT_DATA`` (heap and private anonymous mappings, which is where a
  query's working memory lives; the store's memory-mapped files do not count) caps the process;
  an allocation past it fails and the process ends, which the caller reports as the memory
  limit being reached.
- **Dies with its parent.** ``PR_SET_PDEATHSIG`` sends SIGKILL when the thread that forked it
  ends, so a server that is killed or stopped leaves no query running.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import resource
import signal
import sys

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
EACCES = 13
AF_UNIX = 1

# BPF opcodes (linux/filter.h)
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K

# offsets in struct seccomp_data: nr (u32), arch (u32), instruction_pointer (u64), args[6] (u64)
_NR, _ARCH, _ARG0_LOW = 0, 4, 16

# machine: (AUDIT_ARCH, __NR_socket, __NR_io_uring_setup, lowest syscall number of a foreign ABI)
_ARCHES = {
    "x86_64": (0xC000003E, 41, 425, 0x40000000),  # x32 system calls have bit 30 set
    "aarch64": (0xC00000B7, 198, 425, None),
}


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _no_network_program(machine: str) -> list[tuple[int, int, int, int]]:
    """Return the BPF instructions that deny every socket but AF_UNIX (and io_uring) on ``machine``."""
    audit_arch, nr_socket, nr_uring, foreign = _ARCHES[machine]
    deny = SECCOMP_RET_ERRNO | EACCES
    prog = [(_LD_W_ABS, 0, 0, _ARCH), (_JEQ_K, 1, 0, audit_arch), (_RET_K, 0, 0, deny), (_LD_W_ABS, 0, 0, _NR)]
    if foreign is not None:
        prog += [(_JGE_K, 0, 1, foreign), (_RET_K, 0, 0, deny)]
    prog += [
        (_JEQ_K, 0, 1, nr_uring), (_RET_K, 0, 0, deny),
        (_JEQ_K, 0, 3, nr_socket),
        (_LD_W_ABS, 0, 0, _ARG0_LOW),
        (_JEQ_K, 1, 0, AF_UNIX),
        (_RET_K, 0, 0, deny),
        (_RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ]
    return prog


def network_wall() -> str | None:
    """Return why the no-network filter cannot be installed here, or None when it can."""
    if sys.platform != "linux":
        return f"seccomp filters exist on Linux only, not on {sys.platform}"
    if platform.machine() not in _ARCHES:
        return f"no seccomp filter is written for the {platform.machine()} architecture"
    return None


def forbid_network() -> None:
    """Install the seccomp filter that leaves this process (and its future threads) only local sockets."""
    why = network_wall()
    if why:
        raise OSError(why)
    libc = _libc()
    program = _no_network_program(platform.machine())
    filters = (_Filter * len(program))(*[_Filter(*ins) for ins in program])
    fprog = _Program(len(program), filters)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")


def limit_memory(max_bytes: int) -> None:
    """Cap this process's heap and anonymous memory at ``max_bytes``."""
    limit = getattr(resource, "RLIMIT_DATA", resource.RLIMIT_AS)
    resource.setrlimit(limit, (max_bytes, max_bytes))


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to kill this process when its parent goes; exit now if it is already gone."""
    if sys.platform == "linux":
        _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def confine(parent_pid: int, max_bytes: int | None) -> list[str]:
    """Apply every wall this platform allows to the current (forked) process; return what is missing."""
    missing = []
    die_with_parent(parent_pid)
    if max_bytes:
        limit_memory(max_bytes)
    try:
        forbid_network()
    except OSError as exc:
        missing.append(f"no network filter: {exc}")
    return missing



class ChildTimedOut(Exception):
    """The child process did not answer before its deadline; it has been killed."""


class ChildVanished(Exception):
    """The child process ended without an answer (its exit code says how: a signal is negative)."""

    def __init__(self, exitcode: int | None):
        super().__init__(f"the process ended without an answer (exit code {exitcode})")
        self.exitcode = exitcode


def run_in_child(target, args: tuple, timeout: float, answer=None):
    """Run ``target(conn, parent_pid, *args)`` in a forked child and return the last message it sends.

    The child talks over ``conn`` (a duplex pipe). Each message the child sends is given to
    ``answer``; when ``answer`` returns a value other than None, the value is sent back and the
    parent waits for the next message; otherwise that message is the result. Raises
    :class:`ChildTimedOut` when ``timeout`` seconds pass first, :class:`ChildVanished` when the
    child ends without answering. The child is killed and reaped however this returns.
    """
    import multiprocessing as mp
    import time

    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=True)
    proc = ctx.Process(target=target, args=(child, os.getpid(), *args), daemon=True)
    deadline = time.monotonic() + timeout
    proc.start()
    child.close()
    try:
        while True:
            if not parent.poll(max(0.0, deadline - time.monotonic())):
                raise ChildTimedOut(f"no answer within {timeout:g} s")
            message = parent.recv()
            reply = answer(message) if answer is not None else None
            if reply is None:
                return message
            parent.send(reply)
    except EOFError:
        proc.join(1)
        raise ChildVanished(proc.exitcode) from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()
