"""The worker processes that run a batch's entries (see batch_worker).

Each worker runs one entry at a time, so a crash or a timeout is charged to
exactly one run: the worker is killed or found dead, that run is reported
(`crashed (signal 11)`, `DEADLINE_EXCEEDED; ...`) and a fresh worker takes
its place. Runs start in manifest order, each on an idle worker that holds
its device and module list's context when there is one.
"""
import os
import signal
import socket
import subprocess
import sys
import time
from collections import OrderedDict, deque
from multiprocessing.connection import Connection, wait

from .batch import Result, Stats, judge
from .batch_worker import group_of, use


class WorkerStartError(Exception):
    """A worker died before it could take a run: the batch cannot go on."""


def worker_preexec():
    """What a worker's process does before it execs: ignore SIGINT (Ctrl-C
    at a terminal signals the whole process group; the batch decides what
    stops) and, on Linux, ask for SIGKILL when the batch dies, so that even
    a worker on a run that never ends ends with it."""
    prctl = None
    if sys.platform.startswith("linux"):
        import ctypes   # here, in the batch: the forked child only calls it
        prctl = ctypes.CDLL(None).prctl
    PR_SET_PDEATHSIG = 1

    def preexec():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    return preexec


class Worker:
    """One worker process, the groups (device, module list) whose contexts it
    holds, and the run it is on."""

    def __init__(self, setup, preexec):
        ours, theirs = socket.socketpair()
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root,
                                                                        os.environ.get("PYTHONPATH")])))
        try:
            with theirs:
                self.proc = subprocess.Popen([sys.executable, "-m", "iree_lite.tools.batch_worker",
                                              str(theirs.fileno())], stdin=subprocess.DEVNULL,
                                             pass_fds=(theirs.fileno(),), env=env, preexec_fn=preexec)
        except OSError as e:
            ours.close()
            raise WorkerStartError(f"cannot start a batch worker: {sys.executable or 'python'}: {e.strerror}")
        self.conn = Connection(ours.detach())
        self.ready = False
        self.groups = OrderedDict()   # as the worker's `contexts`, without the contexts
        self.run = None
        self.started = self.deadline = None
        self.send(setup)

    def send(self, message):
        """Whether the message went; when not, the worker has died, and
        wait() finds its connection closed."""
        try:
            self.conn.send(message)
            return True
        except OSError:
            return False

    def take(self, run, timeout):
        """Start `run` on this worker: False if the worker has died."""
        if not self.send(run):
            return False
        use(self.groups, group_of(run), lambda: None)
        self.run = run
        self.started = time.perf_counter()
        self.deadline = None if timeout is None else self.started + timeout
        return True

    def finish(self):
        run, self.run = self.run, None
        return run, time.perf_counter() - self.started

    def stop(self, grace=0.0):
        """Kill the process unless it ends within `grace` seconds, and reap
        it: its exit status. Killed before its connection closes, it never
        finds the batch gone."""
        try:
            code = self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.conn.close()
        return code


class Pool:
    """Runs entries on up to `jobs` workers; `progress(result)` is called as
    each run finishes."""

    def __init__(self, runs, jobs, timeout, setup, progress):
        self.pending = deque(runs)   # not yet started
        self.jobs, self.timeout, self.setup, self.progress = jobs, timeout, setup, progress
        self.workers = {}   # connection -> Worker
        self.results = {}   # manifest index -> Result
        self.stats = Stats()
        self.preexec = worker_preexec()
        self.stopped = None   # why run() stopped early: "interrupted", or a WorkerStartError's message

    def run(self):
        """Run every entry, or until Ctrl-C or a worker that cannot start
        stops the batch (see self.stopped); self.results holds the runs that
        finished."""
        try:
            while self.pending or any(w.run for w in self.workers.values()):
                self._start_workers()
                self._dispatch()
                for conn in wait(list(self.workers), self._seconds_to_deadline()):
                    self._receive(self.workers[conn])
                now = time.perf_counter()
                for worker in list(self.workers.values()):
                    if worker.run is not None and worker.deadline is not None and now >= worker.deadline:
                        self._time_out(worker)
        except KeyboardInterrupt:
            self.stopped = "interrupted"
        except WorkerStartError as e:
            self.stopped = str(e)
        finally:
            for worker in self.workers.values():
                worker.stop()
            self.workers.clear()

    def _start_workers(self):
        waiting = sum(w.run is None for w in self.workers.values())   # idle or still starting
        for _ in range(min(self.jobs - len(self.workers), len(self.pending) - waiting)):
            worker = Worker(self.setup, self.preexec)
            self.workers[worker.conn] = worker
            self.stats.workers_started += 1

    def _dispatch(self):
        idle = [w for w in self.workers.values() if w.ready and w.run is None]
        while idle and self.pending:
            run = self.pending.popleft()
            worker = min(idle, key=lambda w: (group_of(run) not in w.groups, len(w.groups)))
            idle.remove(worker)
            if not worker.take(run, self._timeout(run)):
                self.pending.appendleft(run)

    def _timeout(self, run):
        return run.timeout if run.timeout is not None else self.timeout

    def _seconds_to_deadline(self):
        deadlines = [w.deadline for w in self.workers.values() if w.run is not None and w.deadline is not None]
        return max(0.0, min(deadlines) - time.perf_counter()) if deadlines else None

    def _receive(self, worker):
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            self._died(worker)
            return
        if message == "ready":
            worker.ready = True
        elif message == "loaded":
            self.stats.contexts_loaded += 1
        else:
            self._record(Result(worker.finish()[0], *message))

    def _died(self, worker):
        del self.workers[worker.conn]
        code = worker.stop(grace=5.0)   # its socket closes just before it is reaped
        if not worker.ready:
            how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
            raise WorkerStartError(f"a batch worker {how} before it was ready")
        if worker.run is not None:
            run, seconds = worker.finish()
            reason = f"crashed (signal {-code})" if code < 0 else f"crashed (exit status {code})"
            self._cut_short(run, seconds, reason)

    def _time_out(self, worker):
        del self.workers[worker.conn]
        worker.stop()
        run, seconds = worker.finish()
        message = f"DEADLINE_EXCEEDED; run exceeded its timeout of {self._timeout(run):g} s"
        self._cut_short(run, seconds, message)

    def _cut_short(self, run, seconds, error):
        """Record a run whose worker ended before the run did, for `error`."""
        status, message = judge(run, error)
        self._record(Result(run, status, seconds, message))

    def _record(self, result):
        self.results[result.run.index] = result
        self.progress(result)
