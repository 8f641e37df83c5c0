"""Fuzzing with hypothesis: the compiler, the module loader and the input
grammar must answer anything with a located diagnostic, a clear error or a
correct result; never another exception or a crash.

CI runs a few thousand examples; set IREE_LITE_SOAK=1 for a long soak.
"""
import os
import re
import zlib

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iree_lite.isa.module import HEADER, MAGIC, serialize
from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.ir.elements import SIZES
from iree_lite.parse.lexer import TOKEN
from iree_lite.runtime import io
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.errors import VMError
from iree_lite.vm.format import deserialize
from iree_lite.vm.verifier import verify_module

SOAK = bool(os.environ.get("IREE_LITE_SOAK"))
LIT = os.path.join(os.path.dirname(__file__), "lit")


def budget(n):
    return settings(max_examples=n * 50 if SOAK else n, deadline=None, derandomize=not SOAK,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


SEEDS = [open(os.path.join(LIT, f)).read() for f in ("module_a.mlir", "module_b.mlir", "pipeline_async.mlir",
                                                     "run_mlir_ops.mlir", "check_module.mlir", "dynamic_shapes.mlir",
                                                     "structured_ops.mlir", "index_ops.mlir")]


def tokens(text):
    return [m.group() for m in TOKEN.finditer(text)]


@st.composite
def mutated_programs(draw):
    toks = tokens(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(toks) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "replace"]))
        if action == "delete":
            del toks[i]
        elif action == "duplicate":
            toks.insert(i, toks[i])
        elif action == "swap":
            j = draw(st.integers(0, len(toks) - 1))
            toks[i], toks[j] = toks[j], toks[i]
        else:
            toks[i] = draw(st.sampled_from(["%x", "@f", "tensor<4xf32>", "i1", "(", ")", "{", "}", ":", ",",
                                            "arith.addf", "scf.yield", "dense<1.0>", "0x7FC00000", "-", "->",
                                            "?", "tensor<?xf32>", "index", "[", "]", "%c0", "affine_map"]))
    return "".join(toks)


def compile_or_diagnose(text, model):
    try:
        return compile_module(text, "fuzz.mlir", model)
    except Diagnostic as d:
        rendered = d.render()
        assert re.match(r"(fuzz\.mlir:\d+:\d+: )?error: ", rendered), rendered
        return None


@budget(1500)
@given(mutated_programs(), st.sampled_from(["host-only", "async-external"]))
def test_mutated_programs_compile_or_give_a_located_error(text, model):
    module = compile_or_diagnose(text, model)
    if module is not None:
        verify_module(deserialize(serialize(module)))


OPS = {"addf": 2, "subf": 2, "mulf": 2, "divf": 2, "maximumf": 2, "minimumf": 2, "negf": 1}
MATH = {"absf": 1, "floor": 1, "sqrt": 1}


@st.composite
def elementwise_programs(draw):
    """A random DAG of float element-wise ops over three inputs."""
    n = draw(st.sampled_from([1, 7, 4097]))
    t = f"tensor<{n}xf32>"
    values = ["%a", "%b", "%c"]
    lines = []
    for k in range(draw(st.integers(1, 12))):
        name, arity = draw(st.sampled_from(sorted({**OPS, **MATH}.items())))
        dialect = "math" if name in MATH else "arith"
        args = ", ".join(draw(st.sampled_from(values)) for _ in range(arity))
        lines.append(f"  %v{k} = {dialect}.{name} {args} : {t}")
        values.append(f"%v{k}")
    outs = sorted(set(draw(st.lists(st.sampled_from(values[3:]), min_size=1, max_size=3))))
    body = "\n".join(lines)
    return n, (f"func.func @f(%a: {t}, %b: {t}, %c: {t}) -> ({', '.join([t] * len(outs))}) {{\n{body}\n"
               f"  return {', '.join(outs)} : {', '.join([t] * len(outs))}\n}}\n")


@budget(300)
@given(elementwise_programs(), st.integers(0, 2**32 - 1))
def test_random_elementwise_programs_match_the_reference(program, seed):
    n, text = program
    module = compile_module(text, "gen.mlir")
    rng = np.random.default_rng(seed)
    inputs = [(rng.standard_normal(n) * 10).astype(np.float32) for _ in range(3)]
    ref = interp.Context()
    ref.load(module)
    want = ref.invoke("f", [interp.Buffer("f32", (n,), bytearray(x.tobytes())) for x in inputs])
    ctx = Context("local-task", 2)
    ctx.load(module)
    have = ctx.invoke("f", inputs)
    for w, h in zip(want, have):
        w = np.frombuffer(bytes(w.data), np.float32)
        h = np.asarray(h)
        assert np.array_equal(np.isnan(w), np.isnan(h))
        assert np.array_equal(w[~np.isnan(w)], h[~np.isnan(w)])


MODULE = serialize(compile_module(open(os.path.join(LIT, "module_b.mlir")).read(), "module_b.mlir",
                                  "async-external"))


def load_or_reject(blob, rechecksum):
    if rechecksum and len(blob) >= HEADER.size:
        payload = blob[HEADER.size:]
        blob = HEADER.pack(MAGIC, 1, zlib.crc32(payload), len(payload)) + payload
    ctx = Context("local-sync")
    try:
        ctx.load_bytes(blob)
    except VMError as e:
        assert e.code_name == "INVALID_ARGUMENT"
        return
    # Accepted: it must run (correctly or with a clear error), never crash.
    x = np.ones(4096, np.float32)
    try:
        ctx.invoke("mul", [x, x, np.zeros(4096, np.float32)], timeout=5)
    except (VMError, ValueError):
        pass


@budget(400)
@given(st.data(), st.booleans())
def test_corrupted_modules_are_rejected_or_run(data, rechecksum):
    blob = bytearray(MODULE)
    action = data.draw(st.sampled_from(["flip", "truncate", "extend", "random"]))
    if action == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            i = data.draw(st.integers(0, len(blob) - 1))
            blob[i] ^= 1 << data.draw(st.integers(0, 7))
    elif action == "truncate":
        blob = blob[:data.draw(st.integers(0, len(blob) - 1))]
    elif action == "extend":
        blob += data.draw(st.binary(min_size=1, max_size=64))
    else:
        blob = bytearray(data.draw(st.binary(max_size=2048)))
    load_or_reject(bytes(blob), rechecksum)


INPUT_ALPHABET = "0123456789x[]=@-+.,eE ifnatbu()" + "f32i1i8xf16"


@budget(1500)
@given(st.text(alphabet=INPUT_ALPHABET, max_size=40))
def test_input_grammar(text):
    try:
        value = io.parse_value(text)
    except io.IoError as e:
        assert e.code in ("INVALID_ARGUMENT", "OUT_OF_RANGE", "NOT_FOUND", "UNIMPLEMENTED")
        return
    if isinstance(value, io.HostTensor):
        assert len(value.data) == value.count * SIZES[value.element]


@budget(300)
@given(st.binary(max_size=300), st.booleans())
def test_npy_files(tmp_path_factory, data, with_magic):
    path = tmp_path_factory.mktemp("npy") / "x.npy"
    path.write_bytes((b"\x93NUMPY\x01\x00" if with_magic else b"") + data)
    try:
        io.parse_value(f"@{path}")
    except io.IoError as e:
        assert e.code in ("INVALID_ARGUMENT", "NOT_FOUND")
