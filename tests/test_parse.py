"""The lexer, parser, dialect rules and IR verifier."""
import os

import pytest

from iree_lite.compiler import compile_module
from iree_lite.ir.attributes import DenseElementsAttr, FloatAttr, IntegerAttr, StringAttr
from iree_lite.ir.core import Diagnostic
from iree_lite.ir.types import ScalarType, TensorType
from iree_lite.parse import parse_module

LIT_SEED = os.path.join(os.path.dirname(__file__), "lit", "pipeline_async.mlir")


def error_text(source, filename="t.mlir"):
    with pytest.raises(Diagnostic) as e:
        compile_module(source, filename)
    return e.value.render()


def test_seed_structure():
    m = parse_module(open(LIT_SEED).read(), "/x/pipeline_async.mlir")
    assert m.name == "pipeline_async"
    abs_, mul, run = m.functions
    assert (abs_.name, abs_.is_declaration, abs_.visibility) == ("module_a.abs", True, "private")
    assert abs_.attributes["iree.abi.model"] == StringAttr("coarse-fences")
    assert mul.arguments[2].attributes["iree.abi.output"] == IntegerAttr(0, ScalarType("index"))
    assert [op.name for op in run.body.operations] == ["func.call", "tensor.empty", "func.call", "func.return"]
    t = TensorType((4096,), ScalarType("f32"))
    assert run.type.inputs == (t,) and run.type.results == (t,)


def test_module_wrapper_names_the_module():
    m = parse_module("builtin.module @named attributes {foo} {\n func.func @f() { return }\n}", "x.mlir")
    assert m.name == "named" and m.functions[0].name == "f"
    assert parse_module("module {}", "/a/b/thing.mlir").name == "thing"
    assert parse_module("", "-").name == "module"


@pytest.mark.parametrize("text,shape", [
    ("tensor<4096xf32>", (4096,)), ("tensor<2x3xf32>", (2, 3)), ("tensor<f32>", ()),
    ("tensor<?x4xf32>", (None, 4)), ("tensor<0xf32>", (0,)), ("tensor<1x0x2xi8>", (1, 0, 2)),
])
def test_tensor_types(text, shape):
    m = parse_module(f"func.func private @f(%a: {text})", "t.mlir")
    assert m.functions[0].type.inputs[0].shape == shape


@pytest.mark.parametrize("literal,type_,values,splat", [
    ("dense<2.0>", "tensor<4xf32>", (2.0,), True),
    ("dense<[[1.0, 2.0], [3.0, 4.0]]>", "tensor<2x2xf32>", (1.0, 2.0, 3.0, 4.0), False),
    ("dense<[true, false]>", "tensor<2xi1>", (1, 0), False),
    ("dense<2>", "tensor<3xf64>", (2.0,), True),
    ("dense<0xFF800000>", "tensor<2xf32>", (float("-inf"),), True),
    ('dense<"0x0000803F00000040">', "tensor<2xf32>", (1.0, 2.0), False),
    ("dense<[-128, 127]>", "tensor<2xi8>", (-128, 127), False),
])
def test_dense_constants(literal, type_, values, splat):
    m = parse_module(f"func.func @f() -> {type_} {{\n  %c = arith.constant {literal} : {type_}\n"
                     f"  return %c : {type_}\n}}", "t.mlir")
    attr = m.functions[0].body.operations[0].attributes["value"]
    assert isinstance(attr, DenseElementsAttr)
    assert (attr.values, attr.splat) == (values, splat)


def test_scalar_constants_and_hex_floats():
    m = parse_module("func.func @f() -> (f32, i32, i1) {\n  %a = arith.constant 0x7F800000 : f32\n"
                     "  %b = arith.constant -12 : i32\n  %c = arith.constant true\n"
                     "  return %a, %b, %c : f32, i32, i1\n}", "t.mlir")
    a, b, c = (op.attributes["value"] for op in m.functions[0].body.operations[:3])
    assert a == FloatAttr(float("inf"), ScalarType("f32"))
    assert b == IntegerAttr(-12, ScalarType("i32")) and c == IntegerAttr(1, ScalarType("i1"))


def test_generic_form_and_comments():
    m = parse_module('// leading\nfunc.func @f(%a: f32) -> f32 {\n  %b = "arith.addf"(%a, %a) : (f32, f32) -> f32 // x\n'
                     '  "func.return"(%b) : (f32) -> ()\n}', "t.mlir")
    assert [op.name for op in m.functions[0].body.operations] == ["arith.addf", "func.return"]


def test_fastmath_flags_are_accepted():
    parse_module("func.func @f(%a: f32) -> f32 {\n  %b = arith.mulf %a, %a fastmath<fast> : f32\n"
                 "  return %b : f32\n}", "t.mlir")


@pytest.mark.parametrize("source,expected", [
    ("func.func @f(%a: f32) -> f32 {\n  %b = arith.addf %a, %c : f32\n  return %b : f32\n}",
     "t.mlir:2:23: error: use of undeclared SSA value name '%c'\n  %b = arith.addf %a, %c : f32\n                      ^"),
    ("func.func @f(%a: f32) -> f32 {\n  %b = foo.bar %a : f32\n  return %b : f32\n}",
     "t.mlir:2:8: error: unknown operation 'foo.bar'\n  %b = foo.bar %a : f32\n       ^"),
    ("func.func @f(%a: i32) -> i32 {\n  %b = arith.mulf %a, %a : i32\n  return %b : i32\n}",
     "t.mlir:2:8: error: operand #0 must be float-like, but got 'i32'\n  %b = arith.mulf %a, %a : i32\n       ^"),
    ("func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {\n  %b = math.absf %a : tensor<8xf32>\n  return %b : tensor<4xf32>\n}",
     "t.mlir:2:18: error: use of value '%a' expects different type than prior uses: 'tensor<8xf32>' vs "
     "'tensor<4xf32>'\n  %b = math.absf %a : tensor<8xf32>\n                 ^"),
    ("func.func @f(%a: f32) -> f32 {\n  %b = arith.addf %a %a : f32\n  return %b : f32\n}",
     "t.mlir:2:22: error: expected ':'\n  %b = arith.addf %a %a : f32\n                     ^"),
    ("func.func @f(%a: f32) -> f32 {\n  %a = arith.addf %a, %a : f32\n  return %a : f32\n}",
     "t.mlir:2:3: error: redefinition of SSA value '%a'\n  %a = arith.addf %a, %a : f32\n  ^"),
    ("func.func private @g(f32) -> f32\nfunc.func @f(%a: f32) -> f64 {\n  %b = call @g(%a) : (f32) -> f64\n  return %b : f64\n}",
     "t.mlir:3:8: error: 'func.call' op has type '(f32) -> (f64)' but '@g' is declared as '(f32) -> (f32)'\n"
     "  %b = call @g(%a) : (f32) -> f64\n       ^"),
    ("func.func @f(%a: f32) -> f32 {\n  %b = call @nope(%a) : (f32) -> f32\n  return %b : f32\n}",
     "t.mlir:2:8: error: 'func.call' op 'nope' does not reference a valid function\n"
     "  %b = call @nope(%a) : (f32) -> f32\n       ^"),
    ("func.func @f(%a: f32) -> f64 {\n  return %a : f32\n}",
     "t.mlir:2:3: error: 'func.return' op returns '(f32)' but '@f' returns '(f64)'\n  return %a : f32\n  ^"),
    ('func.func @f() {\n  %s = arith.constant "x\n}', "t.mlir:2:23: error: unterminated string\n"
     '  %s = arith.constant "x\n                      ^'),
    ("func.func @f() -> tensor<2xf32> {\n  %c = arith.constant dense<[1.0]> : tensor<2xf32>\n  return %c : tensor<2xf32>\n}",
     "t.mlir:2:23: error: inferred shape of elements literal ([1]) does not match type 'tensor<2xf32>'\n"
     "  %c = arith.constant dense<[1.0]> : tensor<2xf32>\n                      ^"),
    ("func.func @f(%a: i8) -> i8 {\n  %c = arith.constant 300 : i8\n  return %c : i8\n}",
     "t.mlir:2:23: error: integer constant out of range for type 'i8'\n  %c = arith.constant 300 : i8\n                      ^"),
    ("func.func @mul(%o: tensor<4xf32> {iree.abi.output = 1 : index}) -> tensor<4xf32> {\n  return %o : tensor<4xf32>\n}",
     "t.mlir:1:1: error: argument 0 of 'mul': iree.abi.output must be a result index below 1\n"
     "func.func @mul(%o: tensor<4xf32> {iree.abi.output = 1 : index}) -> tensor<4xf32> {\n^"),
    ("func.func @f(%a: tensor<4xf32) {\n  return\n}",
     "t.mlir:1:30: error: expected '>'\nfunc.func @f(%a: tensor<4xf32) {\n                             ^"),
    ("func.func @f() {\n  return\n}\nfunc.func @f() {\n  return\n}",
     "t.mlir:4:1: error: redefinition of symbol named 'f'\nfunc.func @f() {\n^"),
    ("func.func @f(%a: f32) -> f32 {\n  %b = arith.addf %a, %a : f32\n", "t.mlir:3:1: error: expected '}' to end the function body\n\n^"),
])
def test_diagnostics(source, expected):
    assert error_text(source) == expected


def test_errors_are_always_diagnostics():
    """Every prefix of a valid program is a located diagnostic or compiles."""
    source = open(LIT_SEED).read()
    for cut in range(0, len(source), 7):
        try:
            compile_module(source[:cut], "cut.mlir", "async-external")
        except Diagnostic as e:
            assert e.loc is not None and e.render().startswith("cut.mlir:")


def test_float_literals_need_a_point_as_in_mlir():
    """MLIR reads `1e-08` as 1 followed by junk, not as a float."""
    src = "func.func @f() -> tensor<1xf32> {\n  %c = arith.constant dense<[1e-08]> : tensor<1xf32>\n  return %c : tensor<1xf32>\n}\n"
    with pytest.raises(Diagnostic, match="expected ']'"):
        compile_module(src, "f.mlir")
    compile_module(src.replace("1e-08", "1.0e-08"), "f.mlir")


@pytest.mark.parametrize("line,value,error", [
    ("  %r = linalg.matmul {cast = #linalg.type_fn<bogus>} ins(%a, %a : tensor<2x2xi8>, tensor<2x2xi8>)"
     " outs(%c : tensor<2x2xi32>) -> tensor<2x2xi32>", "bogus",
     "expected ::mlir::linalg::TypeFn to be one of: cast_signed, cast_unsigned"),
    ("  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],"
     " iterator_types = [#linalg.iterator_type<parallel>, #linalg.iterator_type<paralel>]}"
     " ins(%a : tensor<2x2xi8>) outs(%c : tensor<2x2xi32>) {", "paralel",
     "expected ::mlir::utils::IteratorType to be one of: parallel, reduction"),
], ids=["type_fn", "iterator_type"])
def test_enumerated_attribute_values(line, value, error):
    """MLIR's enumerated linalg attributes take only their listed values (an
    unknown cast was read as signed before); the error is IREE's first one."""
    col = line.index(value) + 1
    source = f"func.func @m(%a: tensor<2x2xi8>, %c: tensor<2x2xi32>) -> tensor<2x2xi32> {{\n{line}\n}}\n"
    caret = " " * (col - 1) + "^"
    assert error_text(source) == f"t.mlir:2:{col}: error: {error}\n{line}\n{caret}"
