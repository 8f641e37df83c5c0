"""Source locations as MLIR prints them (`--mlir-print-debuginfo`) and
importers write them: `loc(...)` after ops, arguments and closing braces,
in every form (file:line:col and ranges, names, fused, callsite, unknown,
`#alias` defined before or after the module). They run as the program
without them does, and a verifier error points at the first place a
location names."""
import pytest
from test_mlir_syntax import lite

PLAIN = """func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  %b = arith.mulf %a, %a : tensor<4xf32>
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%x = %b) -> (tensor<4xf32>) {
    %y = arith.addf %x, %a : tensor<4xf32>
    scf.yield %y : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}
"""
LOCATED = """#loc = loc("model.py":1:1)
module @m {
  func.func @f(%a: tensor<4xf32> loc("model.py":2:3)) -> tensor<4xf32> {
    %b = arith.mulf %a, %a : tensor<4xf32> loc(#loc1)
    %c0 = arith.constant 0 : index loc(unknown)
    %c2 = arith.constant 2 : index loc("name")
    %c1 = arith.constant 1 : index loc("name"("model.py":4:5))
    %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%x = %b) -> (tensor<4xf32>) {
      %y = arith.addf %x, %a : tensor<4xf32> loc(fused<"meta">["a", callsite("model.py":5:6 at #loc)])
      scf.yield %y : tensor<4xf32> loc("model.py":6:7 to 6:9)
    } loc(callsite(#loc2 at "model.py":7:8))
    return %r : tensor<4xf32> loc("model.py":8:1 to :4)
  } loc(#loc)
} loc(#loc)
#loc1 = loc("model.py":3:4)
#loc2 = loc(fused[#loc1, "other.py":9:9])
"""


def test_located_program_runs_as_the_plain_one(tmp_path):
    args = ["--input=4xf32=1 -2 0.5 3"]
    plain = lite(tmp_path, PLAIN, *args, name="plain.mlir")
    assert plain[0] == 0 and "4xf32=3 0 1.25 15" in plain[1], plain
    assert lite(tmp_path, LOCATED, *args) == plain


BAD_OP = "  %b = arith.cmpf olt, %a, %a : tensor<4xi32>"


@pytest.mark.parametrize("location,where", [
    ('loc("model.py":20:8)', "model.py:20:8"),
    ('loc(fused["op", callsite("model.py":20:8 at "caller.py":1:1)])', "model.py:20:8"),
    ('loc("name"("model.py":20:8 to 20:12))', "model.py:20:8"),
    ('loc("model.py":20 to 22)', "model.py:20:1"),     # lines only
    ("loc(#early)", "early.py:5:6"),
    ('loc("just a name")', "t.mlir:3:8"),     # names no place: the op's place in the text
    ("loc(#late)", "t.mlir:3:8"),             # defined after its use: not known yet
])
def test_a_verifier_error_points_where_the_location_says(tmp_path, location, where):
    source = (f'#early = loc("early.py":5:6)\nfunc.func @f(%a: tensor<4xi32>) -> tensor<4xi1> {{\n'
              f"{BAD_OP} {location}\n  return %b : tensor<4xi1>\n}}\n#late = loc(\"late.py\":7:8)\n")
    rc, out = lite(tmp_path, source, tool="compile", name="t.mlir")
    assert rc == 1 and out.startswith(f"{where}: error: operand #0 must be float-like"), out


@pytest.mark.parametrize("text,error", [
    ("loc(42)", "3:51: error: expected a location"),
    ('loc("f.py":1:)', "3:60: error: expected column of a location"),
    ('loc("f.py":1:2 to)', "3:64: error: expected end of a location range"),
    ("loc(callsite(#early))", "3:66: error: expected 'at'"),
])
def test_malformed_locations(tmp_path, text, error):
    source = (f'#early = loc("early.py":5:6)\nfunc.func @f(%a: tensor<4xi32>) -> tensor<4xi1> {{\n'
              f"{BAD_OP} {text}\n  return %b : tensor<4xi1>\n}}\n")
    rc, out = lite(tmp_path, source, tool="compile", name="t.mlir")
    assert rc == 1 and out.startswith(f"t.mlir:{error}\n"), out


def test_a_location_alias_defined_twice(tmp_path):
    source = PLAIN + '#loc = loc("a.py":1:1)\n#loc = loc("b.py":1:1)\n'
    rc, out = lite(tmp_path, source, tool="compile", name="t.mlir")
    assert rc == 1 and out.startswith("t.mlir:13:1: error: redefinition of alias '#loc'"), out


GENERIC = """"builtin.module"() <{sym_name = "m"}> ({
  "func.func"() <{function_type = (tensor<4xf32>) -> tensor<4xf32>, sym_name = "f"}> ({
  ^bb0(%arg0: tensor<4xf32> loc("model.py":2:3)):
    %0 = "arith.mulf"(%arg0, %arg0) <{fastmath = #arith.fastmath<none>}> : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> loc(#loc1)
    "func.return"(%0) : (tensor<4xf32>) -> () loc("model.py":4:5)
  }) : () -> () loc("model.py":1:2)
}) : () -> () loc(#loc)
#loc = loc("model.py":1:1)
#loc1 = loc("model.py":3:4)
"""


def test_generic_form_with_locations_as_iree_prints_it(tmp_path):
    """`iree-compile --mlir-print-op-generic --mlir-print-debuginfo`: a
    location after each module-level item and the module, aliases after it."""
    assert lite(tmp_path, GENERIC, "--input=4xf32=1 -2 0.5 3") == (
        0, "EXEC @f\nresult[0]: hal.buffer_view\n4xf32=1 4 0.25 9\n")
