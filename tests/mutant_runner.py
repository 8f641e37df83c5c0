"""Runs structured mutants (tests/module_mutator.py) in a child process
under a timeout: each is loaded and every export called, with inputs made
for the seed program's signature, and its outcome classified.

    python tests/mutant_runner.py run --count 2000 [--first 0] [--timeout 5]
    python tests/mutant_runner.py repro PROGRAM SEED [-o mutant.vmfb]

Outcome classes: rejected (a clean error at load), ok, error (a clean error
at run time), and the failures: signal, hang (interruptible: the child
answered SIGINT within a second; uninterruptible: it had to be killed),
traceback (any other exception, an INTERNAL status, or a child that died
without a signal). A hang that does not answer SIGINT is run again on the
reference interpreter: if that loops too, the program loops
("hang: loops, not interruptible"), else the native VM hangs where the
program would end ("hang: uninterruptible").
"""
import argparse
import os
import pickle
import random
import select
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from module_mutator import COMPILED_SEEDS, PROGRAMS, ROOT, SEEDS, make_mutant, seed_blob, seed_module  # noqa: E402

FAILURES = ("signal", "hang: uninterruptible", "traceback")
CLEAN = ("rejected", "ok", "error")
# A program that loops forever must be interruptible; "not interruptible"
# counts those that are not (the reference interpreter loops on them too):
# cancellation of a running call is not this tool's to fix.
LOOPS = ("hang: loops", "hang: loops, not interruptible")
OUTCOMES = CLEAN + LOOPS + FAILURES
FENCE_TIMEOUT = 2.0   # seconds a call waits for its finish fence


def _input(type_str, index):
    """A small argument for a parameter of the seed's signature."""
    import numpy as np
    from iree_lite.runtime.context import _NUMPY_DTYPES
    from iree_lite.vm.verifier import parse_tensor_type
    element, shape = parse_tensor_type(type_str)
    if shape is None:
        return 1.5 if element.startswith(("f", "bf")) else 2
    shape = tuple(3 if d is None else d for d in shape)
    n = int(np.prod(shape, dtype=np.int64))
    values = (np.arange(n) + index) % 5
    if element.startswith(("f", "bf")):
        values = values - 1.5
    if element == "bf16":
        return values.astype(np.float32)   # rejected as the wrong dtype: a clean error
    return values.astype(_NUMPY_DTYPES[element]).reshape(shape)


def _input_types(program, module, export):
    """The parameter types to make inputs for: the seed's signature of the
    export (the mutant's own may be mutated)."""
    seed = seed_module(program)
    seed_export = seed.export(export.name)
    function = seed.functions[seed_export.function] if seed_export else module.functions[export.function]
    return function.signature.inputs


def run_mutant(program, seed, device):
    """The outcome class and a detail line for one mutant, run in this process."""
    import numpy as np
    from iree_lite.runtime.context import Context
    from iree_lite.vm.disasm import disassemble_module
    from iree_lite.vm.errors import VMError
    blob, _ = make_mutant(program, seed)
    ctx = Context(device, 2 if device == "local-task" else None)
    for dep in SEEDS[program][2]:
        ctx.load_bytes(seed_blob(dep))
    try:
        module = ctx.load_bytes(blob)
    except VMError as e:
        return ("traceback" if e.code_name == "INTERNAL" else "rejected"), str(e)
    disassemble_module(module)   # dump-module shows any module the verifier accepts
    outcome, detail = "ok", ""
    for export in module.exports:
        try:
            args = [_input(t, i) for i, t in enumerate(_input_types(program, module, export))]
            # A coarse-fences function that never signals its fence ends in DEADLINE_EXCEEDED.
            for r in ctx.invoke(export.name, args, timeout=FENCE_TIMEOUT):
                if hasattr(r, "tobytes"):
                    np.asarray(r).sum()
        except VMError as e:
            if e.code_name == "INTERNAL":
                return "traceback", f"{export.name}: {e}"
            outcome, detail = "error", detail or f"{export.name}: {e}"
    return outcome, detail


def run_on_reference(program, seed):
    """Run the mutant on the reference interpreter (pure Python), to tell a
    program that loops from a native VM that hangs: any end will do."""
    from iree_lite.vm import interp
    from iree_lite.vm.format import deserialize
    from iree_lite.vm.verifier import parse_tensor_type
    ctx = interp.Context()
    for dep in SEEDS[program][2]:
        ctx.load(deserialize(seed_blob(dep)))
    module = deserialize(make_mutant(program, seed)[0])
    ctx.load(module)
    for export in module.exports:
        args = []
        for i, t in enumerate(_input_types(program, module, export)):
            value = _input(t, i)
            args.append(interp.Buffer(parse_tensor_type(t)[0], value.shape, bytearray(value.tobytes()))
                        if hasattr(value, "shape") else value)
        try:   # any end of this call will do: only whether the program loops is asked
            ctx.invoke(export.name, args)
        except Exception:   # (the interpreter raises AttributeError for a fence op on a buffer)
            pass
    return "ended", ""


def child_main(seed_file):
    """Read `vm program seed device` lines (vm: native or reference); answer
    `outcome<TAB>detail` lines."""
    import traceback
    with open(seed_file, "rb") as f:
        COMPILED_SEEDS.update(pickle.load(f))
    for line in sys.stdin:
        vm, program, seed, device = line.split()
        try:
            if vm == "native":
                outcome, detail = run_mutant(program, int(seed), device)
            else:
                outcome, detail = run_on_reference(program, int(seed))
        except KeyboardInterrupt:
            outcome, detail = "hang: loops", "interrupted"
        except Exception:
            outcome, detail = "traceback", traceback.format_exc().strip().splitlines()[-1]
        sys.stdout.write(f"{outcome}\t{' '.join(detail.split())[:300]}\n")
        sys.stdout.flush()


# --------------------------------------------------------------------------
# The parent: feeds mutants to a child, restarting it after a crash or hang.

class Runner:
    def __init__(self, timeout=5.0, memory_limit=3 << 30):
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.dir = tempfile.TemporaryDirectory(prefix="mutator")
        self.seed_file = os.path.join(self.dir.name, "seeds.pickle")
        with open(self.seed_file, "wb") as f:
            pickle.dump({name: seed_blob(name) for name in SEEDS}, f)
        self.child = None

    def _start(self):
        limit = self.memory_limit

        def limits():
            import ctypes
            import resource
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG: die with the parent
            if limit:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        self.stderr = open(os.path.join(self.dir.name, "stderr"), "w+b")
        env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.child = subprocess.Popen([sys.executable, os.path.abspath(__file__), "child", self.seed_file],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                      preexec_fn=limits, env=env, cwd=ROOT)

    def _stop(self):
        if self.child is not None:
            self.child.kill()
            self.child.wait()
            self.child.stdin.close()
            self.child.stdout.close()
            self.stderr.close()
            self.child = None

    def _answer(self, timeout):
        ready, _, _ = select.select([self.child.stdout], [], [], timeout)
        return self.child.stdout.readline().decode() if ready else None

    def run(self, program, seed, device, vm="native"):
        """(outcome, detail) of one mutant."""
        if self.child is None:
            self._start()
        self.child.stdin.write(f"{vm} {program} {seed} {device}\n".encode())
        self.child.stdin.flush()
        line = self._answer(self.timeout)
        if line is None:
            self.child.send_signal(signal.SIGINT)
            line = self._answer(1.0)
            self._stop()
            if line:
                return "hang: loops", f"answered SIGINT after {self.timeout:g} s"
            if vm == "native" and self.run(program, seed, device, "reference")[0] == "hang: loops":
                return "hang: loops, not interruptible", (f"no answer to SIGINT after {self.timeout:g} s; "
                                                           "the reference interpreter loops too")
            return "hang: uninterruptible", f"no answer to SIGINT after {self.timeout:g} s"
        if line:
            outcome, _, detail = line.rstrip("\n").partition("\t")
            return outcome, detail
        code = self.child.wait()
        self.stderr.seek(0)
        tail = " ".join(self.stderr.read().decode(errors="replace").split()[-30:])
        self._stop()
        if code < 0:
            return "signal", f"{signal.Signals(-code).name} {tail}"
        return "traceback", f"child exited with status {code}: {tail}"

    def close(self):
        self._stop()
        self.dir.cleanup()


def campaign(count, first=0, timeout=5.0, log=None, memory_limit=3 << 30):
    """Run mutants first..first+count-1, spread over the seed programs.
    Returns ({outcome: count}, [(outcome, program, seed, device, detail, mutations)] of the mutants
    whose outcome is not a clean one)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    failures = []
    runner = Runner(timeout, memory_limit)
    try:
        for seed in range(first, first + count):
            program, device = mutant_target(seed)
            outcome, detail = runner.run(program, seed, device)
            counts[outcome] = counts.get(outcome, 0) + 1
            if outcome not in CLEAN:
                failures.append((outcome, program, seed, device, detail, make_mutant(program, seed)[1]))
                if log:
                    log(f"{outcome}: {program} {seed} {device}: {detail}")
    finally:
        runner.close()
    return counts, failures


def mutant_target(seed):
    """The (program, device) mutant `seed` of a campaign runs."""
    rng = random.Random(seed)
    return PROGRAMS[seed % len(PROGRAMS)], rng.choice(["local-sync", "local-task"])


def table(counts):
    return "\n".join(f"  {name:32} {n:7}" for name, n in counts.items())


def describe(failure):
    outcome, program, seed, device, detail, mutations = failure
    return (f"{outcome}: mutant {program} {seed} on {device} (reproduce: python tests/mutant_runner.py repro "
            f"{program} {seed} --device {device})\n    {detail}\n    mutations: " + "; ".join(mutations))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a campaign and print the outcome table")
    r.add_argument("--count", type=int, default=1000)
    r.add_argument("--first", type=int, default=0)
    r.add_argument("--timeout", type=float, default=5.0)
    r.add_argument("--memory-limit", type=float, default=3.0,
                   help="GiB of address space per child; 0: none (a VM built with -fsanitize=address)")
    x = sub.add_parser("repro", help="describe one mutant, write it out, and run it in a child")
    x.add_argument("program", choices=PROGRAMS)
    x.add_argument("seed", type=int)
    x.add_argument("--device", default=None)
    x.add_argument("-o", "--output", help="write the mutant's .vmfb here")
    x.add_argument("--timeout", type=float, default=5.0)
    c = sub.add_parser("child")
    c.add_argument("seed_file")
    args = p.parse_args(argv)
    if args.command == "child":
        child_main(args.seed_file)
    elif args.command == "run":
        start = time.time()
        counts, failures = campaign(args.count, args.first, args.timeout, log=print,
                                    memory_limit=int(args.memory_limit * (1 << 30)))
        print(f"{args.count} mutants in {time.time() - start:.0f} s:\n{table(counts)}")
        for failure in failures:
            print(describe(failure))
        return 1 if any(f[0] in FAILURES for f in failures) else 0
    else:
        blob, mutations = make_mutant(args.program, args.seed)
        for what in mutations:
            print("mutation:", what)
        if args.output:
            with open(args.output, "wb") as f:
                f.write(blob)
        device = args.device or mutant_target(args.seed)[1]
        runner = Runner(args.timeout)
        try:
            print("outcome: %s: %s" % runner.run(args.program, args.seed, device))
        finally:
            runner.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
