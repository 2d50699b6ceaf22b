"""A pool of long-lived query workers: hard time limits without a process per query.

Each worker (guidegraph/query/worker.py) is a fresh, confined interpreter that keeps the store
open and answers one query at a time over a socket pair. A query takes an idle worker, or
waits in a bounded line for one (QueryBusy, 503 with Retry-After, when the line is full or no
worker frees in time). A worker whose query runs past its time limit, or whose client went
away, is killed with SIGKILL: that is the only way to stop a query inside Oxigraph. A worker
that is killed or dies is replaced by a new one; the pool never holds more than its size.

Workers are started by one thread of the pool, the keeper, which lives as long as the pool:
the kernel kills a worker when the thread that started it ends (PR_SET_PDEATHSIG), so a
server that dies, however it dies, leaves no query running.
"""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait

from guidegraph.errors import QueryBusy, QueryError, QueryTimeout

# seconds a new worker may take to start and confine itself before it is given up
START_SECONDS = 60.0
# how often a query's wait looks at whether its client went away
CANCEL_POLL_SECONDS = 0.05
# a worker's program: a fresh interpreter that imports the worker module and serves
_WORKER_MAIN = "import sys; from guidegraph.query.worker import main; main(sys.argv[1:])"


class WorkerVanished(QueryError):
    """The worker ended without an answer (its exit code says how: a signal is negative)."""

    def __init__(self, exitcode: int | None):
        super().__init__(f"the query process ended without an answer (exit code {exitcode})")
        self.exitcode = exitcode


class QueryCancelled(QueryError):
    """The client went away before its query finished; the query was stopped."""

    http_status = 499


class _Worker:
    def __init__(self, proc: subprocess.Popen, conn: Connection):
        self.proc, self.conn = proc, conn
        self.jobs = 0

    def kill(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass
        self.conn.close()


class WorkerPool:
    """``size`` confined workers, a line of at most ``queue`` waiting queries, each waiting ``wait_seconds`` at most."""

    def __init__(self, size: int = 2, queue: int = 16, wait_seconds: float = 10.0, memory: int | None = None):
        if size < 1:
            raise ValueError("a query pool needs at least one worker")
        self.size, self.queue, self.wait_seconds, self.memory = size, queue, wait_seconds, memory
        self.running = 0  # queries holding a worker
        self.waiting = 0  # queries in line for one
        self.missing: list[str] = []  # walls a worker said it could not raise
        self._idle: list[_Worker] = []
        self._workers: set[_Worker] = set()
        self._starting = 0
        self._cond = threading.Condition()
        self._closed = False
        self._dying: list[subprocess.Popen] = []
        self._failures = 0  # workers that failed to start in a row (the keeper waits longer after each)
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        self._keeper = threading.Thread(target=self._keep, name="guidegraph-query-pool", daemon=True)
        self._keeper.start()

    # -- the keeper thread: starts every worker, reaps the killed ones ---------------------
    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except (BlockingIOError, OSError):
            pass

    def _spawn(self) -> tuple[subprocess.Popen, Connection]:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", _WORKER_MAIN, str(theirs.fileno()), str(os.getpid()), str(self.memory or 0)],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        finally:
            theirs.close()
        return proc, Connection(ours.detach())

    def _keep(self) -> None:
        # this thread must outlive every worker it starts (the kernel kills them when it ends): an
        # unexpected error in one round is logged and the next round goes on
        starting: dict[Connection, tuple[subprocess.Popen, float]] = {}
        while not self._closed:
            try:
                self._keep_round(starting)
            except Exception:
                logging.getLogger(__name__).exception("the query pool's keeper failed one round; it goes on")
                time.sleep(1.0)
        for proc, _ in starting.values():
            proc.kill()
            proc.wait()
        for proc in self._dying:
            proc.wait()

    def _keep_round(self, starting: dict) -> None:
        """Start the workers that are missing, welcome the ones that became ready, reap the killed ones."""
        failures = self._failures
        with self._cond:
            if self._closed:
                return
            wanted = self.size - len(self._workers) - len(starting)
        for _ in range(max(0, wanted)):
            try:
                proc, conn = self._spawn()
            except OSError as exc:
                self.missing = [f"cannot start a query worker: {exc}"]
                failures += 1
                break
            starting[conn] = (proc, time.monotonic() + START_SECONDS)
        with self._cond:
            self._starting = len(starting)
        ready = wait([*starting, self._wake_r], timeout=1.0 if not failures else min(5.0, failures))
        if self._wake_r in ready:
            os.read(self._wake_r, 4096)
        now = time.monotonic()
        for conn in list(starting):
            proc, deadline = starting[conn]
            if conn in ready:
                try:
                    hello = conn.recv()
                except (EOFError, OSError):
                    hello = None
                del starting[conn]
                if hello and hello[0] == "ready":
                    failures = 0
                    worker = _Worker(proc, conn)
                    with self._cond:
                        self.missing = list(hello[2])
                        if self._closed:
                            worker.kill()
                            self._dying.append(proc)
                            continue
                        self._workers.add(worker)
                        self._idle.append(worker)
                        self._cond.notify()
                else:
                    failures += 1
                    proc.kill()
                    conn.close()
                    self._dying.append(proc)
            elif now > deadline:
                del starting[conn]
                failures += 1
                proc.kill()
                conn.close()
                self._dying.append(proc)
        with self._cond:
            self._starting = len(starting)
            # an idle worker that died (killed from outside, out of memory) is replaced now, not
            # when a query draws it
            for worker in [w for w in self._idle if w.proc.poll() is not None]:
                self._idle.remove(worker)
                self._workers.discard(worker)
                worker.conn.close()
                self._dying.append(worker.proc)
            dying, self._dying = self._dying, []
        for proc in dying:  # reap: a killed worker is gone in milliseconds, a large heap takes longer
            if proc.poll() is None:
                with self._cond:
                    self._dying.append(proc)
        self._failures = failures

    def _retire(self, worker: _Worker) -> None:
        """Kill a worker (its query overran, its client left, or it died) and have the keeper replace it."""
        worker.kill()
        with self._cond:
            self._workers.discard(worker)
            self._dying.append(worker.proc)
        self._wake()

    # -- running queries -----------------------------------------------------------------
    def _take(self) -> _Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise QueryError("the query pool is closed")
                if not self._idle:
                    # a query may wait for a worker that is busy (up to the line's length) or being started
                    if self.running + self.waiting >= self.size + self.queue:
                        raise QueryBusy(f"{self.running} queries are running and {self.waiting} are waiting: "
                                        "try again shortly", retry_after=max(1, round(self.wait_seconds)))
                    self.waiting += 1
                    try:
                        if not self._cond.wait_for(lambda: self._idle or self._closed, timeout=self.wait_seconds):
                            raise QueryBusy(f"no query slot became free in {self.wait_seconds:g} s: try again "
                                            "shortly", retry_after=max(1, round(self.wait_seconds)))
                    finally:
                        self.waiting -= 1
                    continue
                worker = self._idle.pop()  # the most recently used: its caches are warm
                if worker.proc.poll() is not None:  # died while idle (killed from outside): the keeper replaces it
                    self._workers.discard(worker)
                    worker.conn.close()
                    self._dying.append(worker.proc)
                    self._wake()
                    continue
                self.running += 1
                return worker

    def _give_back(self, worker: _Worker | None) -> None:
        with self._cond:
            self.running -= 1
            if worker is not None and not self._closed:
                self._idle.append(worker)
            self._cond.notify()

    def run(self, job: dict, timeout: float, cancelled: Callable[[], bool] | None = None) -> tuple:
        """Send ``job`` to an idle worker and return its answer within ``timeout`` seconds of sending it.

        Raises QueryBusy (no worker in time), QueryTimeout, QueryCancelled (``cancelled()``
        turned true: the client went away) or WorkerVanished; in the last three the worker is
        killed and replaced.
        """
        worker = self._take()
        keep: _Worker | None = None
        try:
            deadline = time.monotonic() + timeout
            try:
                worker.conn.send(job)
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        self._retire(worker)
                        raise QueryTimeout(f"query stopped after {timeout:g} s: it did not finish in time")
                    step = min(left, CANCEL_POLL_SECONDS) if cancelled is not None else left
                    if worker.conn.poll(step):
                        break
                    if cancelled is not None and cancelled():
                        self._retire(worker)
                        raise QueryCancelled("the client went away; its query was stopped")
                message = worker.conn.recv()
            except (EOFError, OSError):
                self._retire(worker)
                try:
                    exitcode = worker.proc.wait(5)
                except subprocess.TimeoutExpired:
                    exitcode = None
                raise WorkerVanished(exitcode) from None
            worker.jobs += 1
            if message[0] == "memory":  # the worker leaves after such an answer
                self._retire(worker)
            else:
                keep = worker
            return message
        finally:
            self._give_back(keep)

    @property
    def closed(self) -> bool:
        """Tell whether close() was called."""
        return self._closed

    def pids(self) -> list[int]:
        """Return the process ids of the live workers (for tests and the benchmark)."""
        with self._cond:
            return sorted(w.proc.pid for w in self._workers)

    def ready(self, seconds: float) -> bool:
        """Wait (at most ``seconds``) until every worker has started; tell whether they have."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self._idle) + self.running >= self.size, timeout=seconds)

    def close(self) -> None:
        """Kill every worker and stop the keeper."""
        with self._cond:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
            self._idle.clear()
            self._cond.notify_all()
        for worker in workers:
            worker.kill()
            with self._cond:
                self._dying.append(worker.proc)
        self._wake()
        if threading.current_thread() is not self._keeper:
            self._keeper.join(10)


_SHARED: dict[tuple, WorkerPool] = {}
_SHARED_LOCK = threading.Lock()


def shared_pool(size: int, queue: int, wait_seconds: float, memory: int | None) -> WorkerPool:
    """Return this process's pool with these limits, started on first use (apps with the same limits share one)."""
    key = (size, queue, wait_seconds, memory)
    with _SHARED_LOCK:
        pool = _SHARED.get(key)
        if pool is None or pool.closed:
            pool = _SHARED[key] = WorkerPool(size, queue, wait_seconds, memory)
        return pool


def close_shared_pools() -> None:
    """Close every pool shared_pool started."""
    with _SHARED_LOCK:
        pools = list(_SHARED.values())
        _SHARED.clear()
    for pool in pools:
        pool.close()
