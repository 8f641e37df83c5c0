"""util.global: module variables that live in the context, across calls."""
import numpy as np
import pytest

from iree_lite.isa.module import serialize
from iree_lite.compiler import compile_module
from iree_lite.ir.core import Diagnostic
from iree_lite.runtime.context import Context
from iree_lite.vm import interp
from iree_lite.vm.format import deserialize

PROGRAM = """
util.global private mutable @counter = 0 : i32
util.global private @weights = dense<[1.0, 2.0]> : tensor<2xf32>
util.global private mutable @doubled : tensor<2xf32>
util.global private mutable @scale = 1.5 : f64
util.initializer {
  %w = util.global.load @weights : tensor<2xf32>
  %d = arith.addf %w, %w : tensor<2xf32>
  util.global.store %d, @doubled : tensor<2xf32>
  util.return
}
func.func @increment() -> i32 {
  %c = util.global.load @counter : i32
  %one = arith.constant 1 : i32
  %n = arith.addi %c, %one : i32
  util.global.store %n, @counter : i32
  return %n : i32
}
func.func @state() -> (tensor<2xf32>, f64) {
  %t = util.global.load @doubled : tensor<2xf32>
  %s = util.global.load @scale : f64
  return %t, %s : tensor<2xf32>, f64
}
func.func @rescale(%x: f64) {
  util.global.store %x, @scale : f64
  return
}
"""


def contexts(model):
    module = deserialize(serialize(compile_module(PROGRAM, "g.mlir", model)))
    ref = interp.Context()
    ref.load(module)
    native = Context("local-task", 2)
    native.load(module)
    return ref, native


@pytest.mark.parametrize("model", ["host-only", "async-external"])
def test_globals_persist_in_their_context(model):
    for ctx in contexts(model):
        assert ctx.invoke("increment", []) == [1]
        assert ctx.invoke("increment", []) == [2]
        ctx.invoke("rescale", [4.25])
        t, s = ctx.invoke("state", [])
        values = t.values() if isinstance(t, interp.Buffer) else np.asarray(t).tolist()
        assert values == [2.0, 4.0] and s == 4.25
    for ctx in contexts(model):   # a new context starts over
        assert ctx.invoke("increment", []) == [1]


@pytest.mark.parametrize("source,message", [
    ("util.global private @g = 1 : i32\nfunc.func @f() {\n  %c = arith.constant 2 : i32\n"
     "  util.global.store %c, @g : i32\n  return\n}", "to immutable global '@g' outside an initializer"),
    ("func.func @f() -> i32 {\n  %c = util.global.load @nope : i32\n  return %c : i32\n}",
     "'@nope' does not reference a util.global"),
    ("util.global private @g = 1 : i32\nfunc.func @f() -> f32 {\n  %c = util.global.load @g : f32\n"
     "  return %c : f32\n}", "uses '@g' as 'f32' but it is 'i32'"),
])
def test_global_errors(source, message):
    with pytest.raises(Diagnostic, match=message):
        compile_module(source, "bad.mlir")


def test_util_functions_compile_as_func():
    src = ("util.global private mutable @n = 10 : i64\n"
           "util.func private @twice(%x: i64) -> i64 {\n  %y = arith.addi %x, %x : i64\n  util.return %y : i64\n}\n"
           "util.func public @f() -> i64 {\n  %n = util.global.load @n : i64\n"
           "  %r = util.call @twice(%n) : (i64) -> i64\n  util.global.store %r, @n : i64\n  util.return %r : i64\n}\n")
    for ctx in (interp.Context(), Context("local-sync")):
        ctx.load(compile_module(src, "u.mlir"))
        assert ctx.invoke("f", []) == [20] and ctx.invoke("f", []) == [40]
