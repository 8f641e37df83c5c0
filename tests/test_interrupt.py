"""Stopping runs: Ctrl-C (SIGINT) and --timeout / deadlines, wherever the
program is (a non-terminating scf.while, a branch to itself, a wait on a
fence nobody signals, a loop of large dispatches); and contexts used in a
forked child.

Every subprocess and child process has a timeout, so a hang fails the test
instead of hanging it. Time bounds are generous: they tell "stopped" from
"hung", not how fast.
"""
import os
import signal
import subprocess
import sys
import threading
import time
from array import array

import numpy as np
import pytest

from iree_lite import isa
from iree_lite.isa.module import Export, Function, Module, Signature, serialize
from iree_lite.compiler import compile_module, compile_str
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.deadline import Deadline
from iree_lite.vm.errors import VMError
from tool_runs import sigint_at_default

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STOPPED_WITHIN = 5.0   # seconds: far more than a stop takes, far less than a hang

# A loop that never ends: its condition holds for the value it keeps.
SPIN = """
func.func @spin() -> i64 {
  %c1 = arith.constant 1 : i64
  %c0 = arith.constant 0 : i64
  %r = scf.while (%n = %c1) : (i64) -> i64 {
    %go = arith.cmpi ne, %n, %c0 : i64
    scf.condition(%go) %n : i64
  } do {
  ^bb0(%m: i64):
    scf.yield %m : i64
  }
  return %r : i64
}
"""

# Large dispatches (on the workers, for local-task): one, and a loop of them that never ends.
LARGE = 1 << 20
DISPATCHES = f"""
func.func @twice(%x: tensor<{LARGE}xf32>) -> tensor<{LARGE}xf32> {{
  %y = arith.addf %x, %x : tensor<{LARGE}xf32>
  return %y : tensor<{LARGE}xf32>
}}
func.func @spin_dispatches(%x: tensor<{LARGE}xf32>) -> tensor<{LARGE}xf32> {{
  %c1 = arith.constant 1 : i64
  %c0 = arith.constant 0 : i64
  %r:2 = scf.while (%n = %c1, %t = %x) : (i64, tensor<{LARGE}xf32>) -> (i64, tensor<{LARGE}xf32>) {{
    %go = arith.cmpi ne, %n, %c0 : i64
    scf.condition(%go) %n, %t : i64, tensor<{LARGE}xf32>
  }} do {{
  ^bb0(%m: i64, %u: tensor<{LARGE}xf32>):
    %v = arith.addf %u, %u : tensor<{LARGE}xf32>
    scf.yield %m, %v : i64, tensor<{LARGE}xf32>
  }}
  return %r#1 : tensor<{LARGE}xf32>
}}
"""

# run-mlir runs the hand-written module's functions through imports.
CALLS_HAND = """
func.func private @hand.br_self() -> ()
func.func private @hand.fence_wait() -> ()
func.func @br_self() { call @hand.br_self() : () -> () return }
func.func @fence_wait() { call @hand.fence_wait() : () -> () return }
"""


def hand_module():
    """Bytecode no MLIR compiles to: `br` to itself, and a wait on a fence
    that nothing can signal."""
    ret = isa.encode("ret", {"args_i": [], "args_f": [], "args_r": []})
    br_self = isa.encode("br", {"target": 0}) + ret
    fence_wait = isa.encode("fence.create", {"dst": 0}) + isa.encode("fence.await", {"fence": 0}) + ret
    return Module("hand", "test", isa=isa.fingerprint(),
                  functions=[Function("br_self", Signature((), ()), (0, 0, 0), array("I", br_self)),
                             Function("fence_wait", Signature((), ()), (0, 0, 1), array("I", fence_wait))],
                  exports=[Export("br_self", 0), Export("fence_wait", 1)])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("interrupt")
    (d / "spin.mlir").write_text(SPIN)
    (d / "spin.vmfb").write_bytes(compile_str(SPIN, "spin.mlir"))
    (d / "hand.vmfb").write_bytes(serialize(hand_module()))
    (d / "calls_hand.mlir").write_text(CALLS_HAND)
    return d


# (module, function) of each way not to end.
PROGRAMS = {"while": ("spin", "spin"), "br": ("hand", "br_self"), "fence": ("hand", "fence_wait")}
DECLARATIONS = {"spin": "sync func @spin() -> (%output0: i64)", "br_self": "br_self", "fence_wait": "fence_wait"}
TOOLS = ("run-module", "run-mlir", "check-module", "benchmark-module")


def tool_args(files, tool, program):
    module, function = PROGRAMS[program]
    if tool == "run-mlir":
        if module == "spin":
            return ["run-mlir", str(files / "spin.mlir"), f"--function={function}"]
        return ["run-mlir", str(files / "calls_hand.mlir"), f"--module={files / 'hand.vmfb'}",
                f"--function={function}"]
    args = [tool, f"--module={files / (module + '.vmfb')}"]
    if tool == "check-module":
        # Every zero-argument export is a test: the first one of the hand module never ends.
        return args if function != "fence_wait" else [tool, f"--module={files / 'fence_only.vmfb'}"]
    return args + [f"--function={function}"]


@pytest.fixture(scope="module", autouse=True)
def fence_only(files):
    """A module whose only test is the fence wait (check-module runs every export)."""
    m = hand_module()
    m.name = "fence_only"
    m.functions = m.functions[1:]
    m.exports = [Export("fence_wait", 0)]
    (files / "fence_only.vmfb").write_bytes(serialize(m))


def start(args, device="local-task"):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-m", "iree_lite", *args, f"--device={device}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, preexec_fn=sigint_at_default)


def threads(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Threads:"))


def wait_until_running(proc):
    """Until the tool has created its local-task context (its worker threads
    exist), and a little longer: it is then in its call."""
    deadline = time.monotonic() + 60
    while threads(proc.pid) < 2:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the tool never started its context"
        time.sleep(0.02)
    time.sleep(0.5)


def interrupt(proc):
    """SIGINT the running tool: (exit status, stdout, stderr, seconds it took to end)."""
    wait_until_running(proc)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("the tool did not stop at SIGINT")
    return proc.returncode, out.decode(), err.decode(), time.monotonic() - sent


@pytest.mark.parametrize("program", PROGRAMS)
@pytest.mark.parametrize("tool", TOOLS)
def test_sigint_stops_every_tool_wherever_the_program_is(files, tool, program):
    rc, out, err, took = interrupt(start(tool_args(files, tool, program)))
    assert (rc, err) == (130, "error: interrupted\n")
    assert took < STOPPED_WITHIN
    if tool in ("run-module", "run-mlir"):
        assert out == f"EXEC @{PROGRAMS[program][1]}\n"   # it was in the call
    elif tool == "check-module":
        assert out.splitlines()[-1].startswith("[ RUN      ]")


@pytest.mark.parametrize("program", ["br", "fence"])
def test_sigint_stops_a_local_sync_run(files, program):
    proc = start(tool_args(files, "run-module", program), device="local-sync")
    deadline = time.monotonic() + 60
    while not proc.stdout.peek():   # `EXEC @f`: it is calling f
        assert time.monotonic() < deadline
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert (proc.returncode, err.decode()) == (130, "error: interrupted\n")


def run_tool(args):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "iree_lite", *args], capture_output=True, timeout=60, env=env)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


TIMED_OUT = "DEADLINE_EXCEEDED; the call did not finish within its timeout of 0.5 s"


@pytest.mark.parametrize("program", PROGRAMS)
def test_timeout_ends_run_module(files, program):
    function = PROGRAMS[program][1]
    rc, out, err = run_tool(tool_args(files, "run-module", program) + ["--timeout=0.5"])
    assert (rc, out, err) == (1, f"EXEC @{function}\n",
                              f"{TIMED_OUT}; invoking function '{function}'; `{DECLARATIONS[function]}`\n")


@pytest.mark.parametrize("program", PROGRAMS)
def test_timeout_ends_run_mlir_and_benchmark_module(files, program):
    function = PROGRAMS[program][1]
    for tool in ("run-mlir", "benchmark-module"):
        rc, _, err = run_tool(tool_args(files, tool, program) + ["--timeout=0.5"])
        assert rc == 1 and err.startswith(f"{TIMED_OUT}; ") and f"invoking function '{function}'" in err, (tool, err)


def test_timeout_ends_check_module_at_the_test_it_reached(files):
    rc, out, err = run_tool(["check-module", f"--module={files / 'hand.vmfb'}", "--timeout=0.5"])
    assert (rc, err) == (1, "")
    assert out == ("[==========] Running 2 tests from module hand\n"
                   "[ RUN      ] hand.br_self\n"
                   f"{TIMED_OUT}\n"
                   "[  FAILED  ] hand.br_self\n"
                   "[==========] 1 tests ran.\n"
                   "[  PASSED  ] 0 tests.\n"
                   "[  FAILED  ] 1 tests, listed below:\n"
                   "[  FAILED  ] hand.br_self\n")


def test_timeout_must_be_a_positive_number(files):
    for bad in ("0", "-1", "soon", "inf"):
        rc, _, err = run_tool(["run-module", f"--module={files / 'spin.vmfb'}", f"--timeout={bad}"])
        assert rc == 2 and f"argument --timeout: '{bad}' is not a positive number of seconds" in err


def test_a_run_within_its_timeout_succeeds():
    rc, out, err = run_tool(["run-mlir", os.path.join(REPO, "tests", "lit", "run_mlir_ops.mlir"), "--timeout=30"])
    assert rc == 0 and "EXEC @" in out and err == ""


# -- the Python API --------------------------------------------------------

def named(module, name):
    module.name = name
    return module


def loaded(device):
    """A context with modules `hand`, `spin` and (last) `dispatches`."""
    ctx = Context(device, 2 if device == "local-task" else None)
    ctx.load(hand_module())
    ctx.load(named(compile_module(SPIN, "spin.mlir"), "spin"))
    ctx.load(named(compile_module(DISPATCHES, "dispatches.mlir"), "dispatches"))
    return ctx


@pytest.fixture
def sigint_raises():
    """SIGINT raises KeyboardInterrupt in this process, as in a run started at
    a terminal; a background `pytest &` starts with SIGINT ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def sigint_soon(delay=0.3):
    timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    return timer


# (module, function, arguments) of each way not to end.
CALLS = {"while": ("spin", "spin", []), "br": ("hand", "br_self", []), "fence": ("hand", "fence_wait", []),
         "dispatches": ("dispatches", "spin_dispatches", [np.ones(LARGE, np.float32)])}


@pytest.mark.parametrize("device", ["local-task", "local-sync"])
@pytest.mark.parametrize("program", CALLS)
def test_keyboard_interrupt_reaches_the_caller_of_invoke(device, program, sigint_raises):
    ctx = loaded(device)
    module, name, args = CALLS[program]
    fn = ctx.lookup(name, module)
    timer = sigint_soon()
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        ctx.invoke(fn, args)
    assert time.monotonic() - began < STOPPED_WITHIN
    timer.join()
    # The context is still good, and a later call is not interrupted.
    (y,) = ctx.invoke("twice", [np.full(LARGE, 1.5, np.float32)])
    np.testing.assert_array_equal(np.asarray(y), np.full(LARGE, 3.0, np.float32))


def test_a_call_on_another_thread_fails_cancelled():
    # Python's SIGINT handler runs on the main thread only; a call elsewhere
    # stops with CANCELLED (as does one whose Python handler does not raise).
    ctx = loaded("local-task")
    errors = []

    def call():
        try:
            ctx.invoke(ctx.lookup("br_self", "hand"), [])
        except VMError as e:
            errors.append(str(e))
    previous = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        t = threading.Thread(target=call)
        t.start()
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGINT)
        t.join(STOPPED_WITHIN)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert not t.is_alive() and errors == ["CANCELLED; interrupted"]


@pytest.mark.parametrize("device", ["local-task", "local-sync"])
@pytest.mark.parametrize("program", CALLS)
def test_invoke_timeout(device, program):
    ctx = loaded(device)
    module, name, args = CALLS[program]
    fn = ctx.lookup(name, module)
    began = time.monotonic()
    with pytest.raises(VMError) as e:
        ctx.invoke(fn, args, timeout=0.2)
    assert str(e.value) == "DEADLINE_EXCEEDED; the call did not finish within its timeout of 0.2 s"
    assert 0.2 <= time.monotonic() - began < STOPPED_WITHIN


def test_context_timeout_and_the_earlier_deadline_wins():
    ctx = loaded("local-task")
    ctx.set_timeout(0.3)
    with pytest.raises(VMError, match="within its timeout of 0.3 s"):
        ctx.invoke(ctx.lookup("spin", "spin"), [], timeout=60)
    with pytest.raises(VMError, match="within its timeout of 0.3 s"):   # past it: at once
        ctx.invoke(ctx.lookup("fence_wait", "hand"), [])
    ctx.set_timeout(None)
    with pytest.raises(VMError, match="within its timeout of 0.1 s"):
        ctx.invoke(ctx.lookup("spin", "spin"), [], timeout=0.1)


def test_async_work_stops_at_the_deadline():
    # async-external: the call returns at once; its queued dispatches stop at
    # the deadline and fail the finish fence.
    ctx = Context("local-task", 2)
    ctx.load(compile_module(DISPATCHES, "dispatches.mlir", "async-external"))
    with pytest.raises(VMError, match="^DEADLINE_EXCEEDED; the call did not finish within its timeout of 0.2 s"):
        ctx.invoke("spin_dispatches", [np.ones(LARGE, np.float32)], timeout=0.2)


# -- the reference interpreter -----------------------------------------------

@pytest.mark.parametrize("name", ["spin", "br_self", "fence_wait"])
def test_reference_interpreter_honours_the_deadline(name):
    ref = interp.Context()
    ref.load(hand_module())
    ref.load(named(compile_module(SPIN, "spin.mlir"), "spin"))
    ref.deadline = Deadline(0.2)
    with pytest.raises(VMError) as e:
        ref.invoke(name, [], "spin" if name == "spin" else "hand")
    assert str(e.value) == "DEADLINE_EXCEEDED; the call did not finish within its timeout of 0.2 s"


def test_trace_execution_honours_timeout(files):
    rc, out, err = run_tool(["run-module", f"--module={files / 'spin.vmfb'}", "--trace_execution", "--timeout=0.5"])
    assert rc == 1
    assert err.splitlines()[-1] == f"{TIMED_OUT}; invoking function 'spin'; `{DECLARATIONS['spin']}`"


# -- fork ------------------------------------------------------------------

def in_child(body):
    """Run body() in a forked child; the child's exit status: 0 if body
    returned True. A child still running after 60 s is killed (a hang)."""
    pid = os.fork()
    if pid == 0:
        try:
            os._exit(0 if body() else 1)
        except BaseException:
            os._exit(2)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail("the forked child hung")


def large_dispatch_works(ctx):
    x = np.arange(LARGE, dtype=np.float32)
    (y,) = ctx.invoke("twice", [x])
    return np.array_equal(np.asarray(y), 2 * x) and ctx.native.statistics()["dispatches"] > 0


@pytest.mark.parametrize("device", ["local-task", "local-sync"])
def test_large_dispatch_in_a_forked_child_of_an_idle_parent(device):
    ctx = loaded(device)
    assert large_dispatch_works(ctx)   # the parent's workers have run
    assert in_child(lambda: large_dispatch_works(ctx) and large_dispatch_works(ctx)) == 0
    assert large_dispatch_works(ctx)   # and the parent's still do


def test_large_dispatch_in_a_forked_child_of_a_busy_parent():
    ctx = loaded("local-task")
    stop = threading.Event()
    calls = []

    def busy():
        while not stop.is_set():
            calls.append(large_dispatch_works(ctx))
    worker = threading.Thread(target=busy)
    worker.start()
    try:
        while not calls:
            time.sleep(0.01)
        statuses = [in_child(lambda: large_dispatch_works(ctx)) for _ in range(3)]
    finally:
        stop.set()
        worker.join(30)
    assert statuses == [0, 0, 0] and all(calls)


def test_a_worker_pool_used_first_in_a_forked_child():
    from iree_lite import _vm
    pool = _vm.WorkerPool(2)
    n = 1 << 16
    assert in_child(lambda: pool._parallel_sum(n, 256)[0] == n * (n - 1) // 2) == 0
    assert pool._parallel_sum(n, 256)[0] == n * (n - 1) // 2


# One host op that runs for about a second on 2 AVX-512 workers, far past
# the 0.1 s deadline: it must stop inside, not only at the next branch.
PRODUCTS = """
func.func @mm(%a: tensor<3072x3072xf32>, %b: tensor<3072x3072xf32>) -> tensor<3072x3072xf32> {
  %z = arith.constant dense<0.0> : tensor<3072x3072xf32>
  %r = linalg.matmul ins(%a, %b : tensor<3072x3072xf32>, tensor<3072x3072xf32>) outs(%z : tensor<3072x3072xf32>) -> tensor<3072x3072xf32>
  return %r : tensor<3072x3072xf32>
}
func.func @half(%a: tensor<1800x2400xf16>, %b: tensor<2400x2400xf16>) -> tensor<1800x2400xf16> {
  %z = arith.constant dense<0.0> : tensor<1800x2400xf16>
  %r = linalg.matmul ins(%a, %b : tensor<1800x2400xf16>, tensor<2400x2400xf16>) outs(%z : tensor<1800x2400xf16>) -> tensor<1800x2400xf16>
  return %r : tensor<1800x2400xf16>
}
"""


@pytest.mark.parametrize("device", ["local-sync", "local-task"])
@pytest.mark.parametrize("name,shapes,dtype", [("mm", [(3072, 3072)] * 2, "float32"),
                                               ("half", [(1800, 2400), (2400, 2400)], "float16")])
def test_a_long_matmul_stops_at_the_deadline(device, name, shapes, dtype):
    """Without a check inside the product, the call would finish (after
    seconds) and return its result: here it must fail instead."""
    import numpy as np
    ctx = Context(device, 2 if device == "local-task" else None)
    ctx.load(compile_module(PRODUCTS, "products.mlir"))
    args = [np.ones(shape, dtype) for shape in shapes]
    with pytest.raises(VMError) as e:
        ctx.invoke(ctx.lookup(name), args, timeout=0.1)
    assert str(e.value) == "DEADLINE_EXCEEDED; the call did not finish within its timeout of 0.1 s"
