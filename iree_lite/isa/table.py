"""THE instruction set: one table of opcodes, operand fields, per-op
properties, the VM's capacities, error texts and documentation, as data.

Everything that knows about opcodes reads this table: the encoder and the
decoder (encoding.py), the bytecode verifier, the disassembler, the reference
interpreter and, through csrc/isa_opcodes.pxi, csrc/isa_kernels.pxi and
csrc/isa_reduce.pxi that gen_native.py writes at build time, the Cython VM.
Nothing types an opcode, an operand position, a field's bits, a combiner or
an error text twice.

Two instruction forms share one 32-bit word layout family.

Host form (functions): word0 = opcode | s0 << 8 | s1 << 16 | s2 << 24.
  Short operands (registers, 8-bit) fill the slots s0..s2 in order. Long
  operands take one trailing 32-bit word each. A register list takes a
  trailing count word and then the registers packed four to a word.
  Registers are banked: `i` holds int64 scalars, `f` holds doubles (f32
  values are kept rounded to f32), `r` holds references (buffer views and
  fences; a reference register that was never written holds null, which as
  a fence means "already reached").

Sizes: a shape an instruction takes from registers (buffer.alloc.dyn,
buffer.view, buffer.expand, buffer.check) whose dimensions, a zero counted
as one, multiply to more than MAX_BUFFER_BYTES bytes fails the call
(RESOURCE_EXHAUSTED), before anything is allocated; a negative size fails it
too (INVALID_ARGUMENT). The verifier holds constants' layouts to the same.

Tile form (dispatch kernels): one word per instruction,
  opcode:8 | type:4 | d:5 | a:5 | b:5 | c:5  (bits 0..7, 8..11, 12..16, ...).
  A kernel runs over a range of elements one tile (TILE elements) at a time.
  Tile registers hold one tile of one element type. `type` is the element
  type code the instruction computes in (ELEMENT_CODES).
"""
import collections
import functools
import re

from .module import CONST_DATA, CONST_FLOAT, CONST_INT, CONST_LAYOUT
from .smallfloat import FORMATS

TILE = 4096            # elements per tile: a register is 16-32 KiB, L2-resident
TILE_REGS = 32         # tile registers per kernel (5-bit fields)
REDUCE_SEGMENT = 16384  # buffer.reduce folds longer rows in segments this long (workers share them)
TILE_TEMPS = 3         # the last ones are the VM's (f16/bf16 widened to f32)
KERNEL_TILE_REGS = TILE_REGS - TILE_TEMPS
HOST_REGS = 256        # registers per bank per function (8-bit fields)
# The most bytes one buffer may hold: the compiler, the verifier, both VMs
# and the Python API refuse a shape whose dimensions (a zero counted as one)
# multiply to more, so no element count, byte count, offset or stride of a
# shape they accept overflows int64.
MAX_BUFFER_BYTES = 1 << 40
# buffer.conv2d's strides, dilations, pads and groups, and buffer.pool2d's window sizes, strides,
# dilations and pads, at most: their index sums stay far inside int64.
CONV_WINDOW_LIMIT = 1 << 20
# The combiners buffer.pool2d takes (REDUCE_COMBINERS codes), each with what it reads outside the input.
POOL_PADDING = {"maximumf": float("-inf"), "addf": 0.0}
BANK_NAMES = {"i": "int", "f": "float", "r": "ref"}   # host register banks, as messages name them

# -- Instruction words ----------------------------------------------------------
# Every word starts with the opcode. Host words then hold three 8-bit operand
# slots; tile words the element type, then 5-bit operand fields. encoding.py
# encodes and decodes by these, and gen_native.py writes the native VM's
# accessors from them: nothing else types a shift or a mask.
OPCODE_BITS = 8
HOST_SLOT_BITS = 8                      # a host register (HOST_REGS per bank)
TILE_TYPE_SHIFT, TILE_TYPE_BITS = OPCODE_BITS, 4    # the tile word's element type code
TILE_FIELD_SHIFT, TILE_FIELD_BITS = TILE_TYPE_SHIFT + TILE_TYPE_BITS, 5   # then its operand fields

# -- The VM's fixed capacities ------------------------------------------------
# Each sizes arrays of the native VM (generated into csrc/isa_opcodes.pxi);
# the verifier rejects a module that could exceed one, and the reference
# interpreter enforces the same, so both VMs accept the same modules.
VM_LIMITS = {
    "MAX_RANK": 8,            # dimensions of a tensor (layouts, signatures, shapes)
    "MAX_CALL_VALUES": 256,   # arguments, or results, of one call per register bank
    "MAX_BINDINGS": 32,       # buffers a kernel binds (an eval's outputs are its bindings)
    "MAX_PUSH": 32,           # push constants a kernel takes
    "MAX_CALL_DEPTH": 64,     # calls nested below the called function (checked at run time)
}
MAX_RANK = VM_LIMITS["MAX_RANK"]
MAX_CALL_VALUES = VM_LIMITS["MAX_CALL_VALUES"]
MAX_BINDINGS = VM_LIMITS["MAX_BINDINGS"]
MAX_PUSH = VM_LIMITS["MAX_PUSH"]
MAX_CALL_DEPTH = VM_LIMITS["MAX_CALL_DEPTH"]
# ------------------------------------------------------------------------------

# Element type codes stored in tile words, buffer views and constants.
ELEMENT_CODES = {"i1": 0, "i8": 1, "i16": 2, "i32": 3, "i64": 4, "index": 5,
                 "f16": 6, "bf16": 7, "f32": 8, "f64": 9}
ELEMENT_NAMES = {v: k for k, v in ELEMENT_CODES.items()}

# Operand kinds. Short kinds fit an 8-bit slot (host) or 5-bit field (tile).
SHORT_KINDS = {
    "ri": "int register", "rf": "float register", "rr": "ref register",
    "td": "tile destination register", "ts": "tile source register",
    "bind": "kernel binding", "push": "kernel push constant",
    "cmpf": "cmpf predicate", "cmpi": "cmpi predicate", "element": "element type code",
    "format": "small float format code (iree_lite.isa.smallfloat.FORMATS)",
}
LONG_KINDS = {
    "const": "constant ordinal", "func": "function ordinal", "global": "global ordinal",
    "import": "import ordinal", "kernel": "kernel ordinal",
    "target": "branch target (word offset in the function)",
}
LIST_KINDS = {"ri*": "int registers", "rf*": "float registers", "rr*": "ref registers"}


# Element-wise tile arithmetic: (name, arity, types, element expression, doc).
# The expression is Cython over the operands' elements A, B, C in the op's
# element type; `{f}` is libm's `f` suffix for f32 (see gen_native.EXACT_IN_F32).
# csrc/isa_kernels.pxi is generated from these (gen_native.py). The reference interpreter
# defines the same ops in Python (iree_lite.vm.elementwise.ELEMENTWISE); tests
# compare the two.
ELEMENTWISE = [
    ("negf", 1, "float", "-A", "d = -a."),
    ("absf", 1, "float", "fabs{f}(A)", "d = |a|."),
    ("addf", 2, "float", "A + B", "d = a + b."),
    ("subf", 2, "float", "A - B", "d = a - b."),
    ("mulf", 2, "float", "A * B", "d = a * b."),
    ("divf", 2, "float", "A / B", "d = a / b (IEEE: x/0 is inf or NaN)."),
    ("remf", 2, "float", "fmod{f}(A, B)", "d = fmod(a, b): the remainder with the sign of a."),
    ("maximumf", 2, "float", "maximumf(A, B)",
     "d = max(a, b); a NaN operand is the result (a first); max(-0, +0) = +0."),
    ("minimumf", 2, "float", "minimumf(A, B)",
     "d = min(a, b); a NaN operand is the result (a first); min(-0, +0) = -0."),
    # NaNs tested first (glibc's fmax returns NaN for a signaling NaN operand);
    # then maximumf, not fmax, whose zero sign the compiler may choose either way.
    ("maxnumf", 2, "float", "B if A != A else (A if B != B else maximumf(A, B))",
     "d = max(a, b), ignoring a NaN operand (quiet or signaling); max(-0, +0) = +0."),
    ("minnumf", 2, "float", "B if A != A else (A if B != B else minimumf(A, B))",
     "d = min(a, b), ignoring a NaN operand (quiet or signaling); min(-0, +0) = -0."),
    ("powf", 2, "float", "pow{f}(A, B)", "d = a ** b."),
    ("atan2", 2, "float", "atan2{f}(A, B)", "d = atan2(a, b)."),
    ("copysign", 2, "float", "copysign{f}(A, B)", "d = |a| with the sign of b."),
    ("fma", 3, "float", "fma{f}(A, B, C)", "d = a * b + c, rounded once."),
    *((name, 1, "float", f"{name}{{f}}(A)", f"d = {name}(a).") for name in (
        "sqrt", "cbrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan",
        "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf", "erfc",
        "floor", "ceil", "round", "trunc")),
    ("rsqrt", 1, "float", "1 / sqrt{f}(A)", "d = 1 / sqrt(a)."),
    ("roundeven", 1, "float", "nearbyint{f}(A)", "d = a rounded to nearest, ties to even."),
    # Integers compute on the unsigned view ({U}) so overflow wraps, as MLIR's do.
    ("addi", 2, "int", "<{T}>(<{U}>A + <{U}>B)", "d = a + b, wrapping."),
    ("subi", 2, "int", "<{T}>(<{U}>A - <{U}>B)", "d = a - b, wrapping."),
    ("muli", 2, "int", "<{T}>(<{U}>A * <{U}>B)", "d = a * b, wrapping."),
    ("andi", 2, "bits", "A & B", "d = a & b."),
    ("ori", 2, "bits", "A | B", "d = a | b."),
    ("xori", 2, "bits", "A ^ B", "d = a ^ b."),
    ("maxsi", 2, "int", "A if A > B else B", "d = max(a, b), signed."),
    ("minsi", 2, "int", "A if A < B else B", "d = min(a, b), signed."),
    ("maxui", 2, "int", "A if <{U}>A > <{U}>B else B", "d = max(a, b), unsigned."),
    ("minui", 2, "int", "A if <{U}>A < <{U}>B else B", "d = min(a, b), unsigned."),
    ("shli", 2, "int", "<{T}>(<{U}>A << (<{U}>B & ({bits} - 1))) if <{U}>B < {bits} else 0",
     "d = a << b; 0 when b >= the bit width (MLIR: poison)."),
    ("shrsi", 2, "int", "A >> (<{U}>B & ({bits} - 1)) if <{U}>B < {bits} else (-1 if A < 0 else 0)",
     "d = a >> b, arithmetic; all sign bits when b >= the bit width."),
    ("shrui", 2, "int", "<{T}>(<{U}>A >> (<{U}>B & ({bits} - 1))) if <{U}>B < {bits} else 0",
     "d = a >> b, logical; 0 when b >= the bit width."),
    ("divsi", 2, "sdiv", "A / B", "d = a / b rounded toward zero; b = 0 or INT_MIN / -1 is an error."),
    ("remsi", 2, "sdiv", "A % B", "d = a rem b (sign of a); b = 0 or INT_MIN rem -1 is an error."),
    ("ceildivsi", 2, "sdiv", "A / B + (1 if (A % B != 0) & ((A > 0) == (B > 0)) else 0)",
     "d = ceil(a / b); b = 0 or INT_MIN / -1 is an error."),
    ("floordivsi", 2, "sdiv", "A / B - (1 if (A % B != 0) & ((A < 0) != (B < 0)) else 0)",
     "d = floor(a / b); b = 0 or INT_MIN / -1 is an error."),
    ("divui", 2, "udiv", "<{T}>(<{U}>A / <{U}>B)", "d = a / b, unsigned; b = 0 is an error."),
    ("remui", 2, "udiv", "<{T}>(<{U}>A % <{U}>B)", "d = a rem b, unsigned; b = 0 is an error."),
    ("ceildivui", 2, "udiv", "<{T}>(<{U}>A / <{U}>B + (1 if <{U}>A % <{U}>B != 0 else 0))",
     "d = ceil(a / b), unsigned; b = 0 is an error."),
    ("absi", 1, "int", "A if A >= 0 else <{T}>(0 - <{U}>A)", "d = |a|; |INT_MIN| = INT_MIN."),
    ("ipowi", 2, "int", "<{T}>ipowi(A, B)",
     "d = a ** b, wrapping; for b < 0: 1 if a is 1, +-1 if a is -1, else 0."),
    ("ctlz", 1, "int", "<{T}>leading_zeros(<{U}>A, {bits})", "d = the number of leading zero bits of a."),
    ("cttz", 1, "int", "<{T}>trailing_zeros(<{U}>A, {bits})", "d = the number of trailing zero bits of a."),
    ("ctpop", 1, "int", "<{T}>set_bits(<{U}>A)", "d = the number of one bits of a."),
    ("isnan", 1, "float->i1", "A != A", "d = a is NaN (i1)."),
    ("isinf", 1, "float->i1", "(A == INFINITY) | (A == -INFINITY)", "d = a is infinite (i1)."),
    ("isfinite", 1, "float->i1", "(A == A) & (A != INFINITY) & (A != -INFINITY)", "d = a is finite (i1)."),
    ("select", 3, "select", "B if A else C", "d = a ? b : c; a is an i1 tile, `type` is b's and c's."),
]
# Superinstructions: tile ops that run a pair of element-wise ops in one pass
# over the tile, the first op's result being the second's first operand and
# each rounding as it would alone (the compiler fuses such pairs; the
# reference interpreter defines them as the pair). Their ELEMENTWISE rows
# follow from the pair's.
SUPERINSTRUCTIONS = {"muladdf": ("mulf", "addf")}


def _superinstruction_row(name, first, second):
    """The ELEMENTWISE row of superinstruction `name`: the second op's
    expression with the first's in place of its operand A, its other
    operands following the first's. f32 and f64 only: f16 and bf16 compute
    in f32, where the pair rounds each op to the half."""
    rows = {row[0]: row for row in ELEMENTWISE}
    (_, inner, _, inner_expr, _), (_, outer, _, outer_expr, _) = rows[first], rows[second]
    arity = inner + outer - 1
    assert arity <= 3, name   # a tile op reads at most a, b and c
    rest = dict(zip("BC", "ABC"[inner:]))
    expr = re.sub(r"\b[ABC]\b", lambda m: f"({inner_expr})" if m.group() == "A" else rest[m.group()], outer_expr)
    args = "abc"[:arity]
    pair = f"t.{second}(t.{first}({', '.join(args[:inner])}), {', '.join(args[inner:])})"
    return name, arity, "f32-f64", expr, f"d = {pair}, each op rounding as it would alone."


ELEMENTWISE += [_superinstruction_row(name, *parts) for name, parts in SUPERINSTRUCTIONS.items()]
# Sources (a, b, c) each element-wise op reads, by name.
ARITY = {name: arity for name, arity, *_ in ELEMENTWISE}
# The instruction sets the tile kernels are compiled for, each chosen at run
# time where the CPU has it (csrc/lite_tile.h's lite_isa, csrc/tile_isa.pxi).
KERNEL_ISAS = ("sse2", "avx2", "avx512")
# Combiners of buffer.reduce, by code (the constant it names). Combiner X
# folds with tile op t.X's element function, in the element types of
# REDUCE_ELEMENTS that t.X's `types` class admits (types.reduce_elements); a
# reduction of any other element type fails the call with REDUCE_ELEMENT_ERROR.
REDUCE_COMBINERS = ["addf", "mulf", "maximumf", "minimumf", "addi", "muli", "maxsi", "minsi"]
REDUCE_ELEMENTS = ("f16", "bf16", "f32", "f64", "i32", "i64", "index")
REDUCE_ELEMENT_ERROR = ("UNIMPLEMENTED", "reductions of this element type are not supported yet")
# The combiners whose fold gives the in-order result whatever the order and
# grouping of the elements, so the native VM may spread a row over lanes and
# workers: the integer ones (wrapping add and multiply, max and min are
# associative and commutative) and maximumf/minimumf, but for which of
# several NaNs is the result (the VM folds a row whose result is NaN again,
# in order). Not float add or multiply, whose rounding depends on the grouping.
ORDER_FREE_COMBINERS = {"maximumf", "minimumf", "addi", "muli", "maxsi", "minsi"}

# Comparisons: `c` holds the predicate, numbered as MLIR's; the result is i1.
CMPF_PREDICATES = [
    ("false", "0"), ("oeq", "A == B"), ("ogt", "A > B"), ("oge", "A >= B"), ("olt", "A < B"),
    ("ole", "A <= B"), ("one", "(A < B) | (A > B)"), ("ord", "(A == A) & (B == B)"),
    ("ueq", "not ((A < B) | (A > B))"), ("ugt", "not (A <= B)"), ("uge", "not (A < B)"),
    ("ult", "not (A >= B)"), ("ule", "not (A > B)"), ("une", "A != B"), ("uno", "(A != A) | (B != B)"),
    ("true", "1"),
]
CMPI_PREDICATES = [
    ("eq", "A == B"), ("ne", "A != B"), ("slt", "A < B"), ("sle", "A <= B"), ("sgt", "A > B"),
    ("sge", "A >= B"), ("ult", "<{U}>A < <{U}>B"), ("ule", "<{U}>A <= <{U}>B"),
    ("ugt", "<{U}>A > <{U}>B"), ("uge", "<{U}>A >= <{U}>B"),
]
# Conversions: `type` is the destination, `c` the source element type.
CONVERSIONS = [
    ("convs", "d = a converted, reading integers as signed: extf, truncf, extsi, trunci, sitofp, "
              "fptosi, index_cast. Float to int truncates toward zero and saturates; NaN gives 0."),
    ("convu", "d = a converted, reading integers as unsigned: extui, uitofp, fptoui, index_castui. "
              "Float to int truncates toward zero and saturates; NaN and negatives give 0."),
    ("bitcast", "d = the bits of a (same width) as `type`."),
]


# One instruction: `form` is 'host' or 'tile'; `operands` ((name, kind), ...) in
# encoding order, e.g. (('dst', 'rr'), ...); `types` (tile ops) the element
# types accepted, 'any', 'float' or 'int'. Per-op properties: `consts`
# ((operand, constant kind), ...) the kind (CONST_KINDS) each constant operand
# must name; `result` (tile ops) the element type of the result, "i1", or ""
# for the instruction's `type`; `dynamic_layout` (host ops) whether its layout
# may hold -1 (dynamic) dimensions. A namedtuple, not a dataclass: run-module
# imports this table, and dataclasses cost start-up time.
Op = collections.namedtuple("Op", "name code form operands doc types consts result dynamic_layout",
                            defaults=("", (), "", False))
# The kinds of constant an operand may name (a `const=KIND` operand's KIND).
CONST_KINDS = {"int": CONST_INT, "float": CONST_FLOAT, "layout": CONST_LAYOUT, "data": CONST_DATA}
# The host ops whose layouts may hold -1 (dynamic) dimensions.
_DYNAMIC_LAYOUT = {"buffer.check", "buffer.alloc.dyn", "buffer.cast", "buffer.view", "buffer.slice", "buffer.expand"}


# The tile ops whose result is i1 whatever their `type`.
_RESULT_I1 = {"t.cmpf", "t.cmpi"} | {f"t.{name}" for name, _, types, _, _ in ELEMENTWISE if types == "float->i1"}


def _ops():
    # (name, form, operands "name:kind ...", doc). Codes are assigned in order.
    host = [
        ("ret", "ri*: rf*: rr*:",
         "Return from the function: the three lists are the results, by bank, in signature order."),
        ("call", "callee:func ri*: rf*: rr*: ri*:dst rf*:dst rr*:dst",
         "Call a function of this module. Arguments (three lists) go to the callee's first registers "
         "of each bank in order; its results are written to the destination lists."),
        ("call.import", "callee:import ri*: rf*: rr*: ri*:dst rf*:dst rr*:dst",
         "Call an imported function, resolved when the context loads the module. Same operand "
         "convention as `call`."),
        ("const.i", "dst:ri value:const=int", "Load integer constant `value` (an i64 scalar constant)."),
        ("const.f", "dst:rf value:const=float", "Load float constant `value` (an f64 scalar constant)."),
        ("mov.i", "dst:ri src:ri", "Copy an int register."),
        ("mov.f", "dst:rf src:rf", "Copy a float register."),
        ("mov.r", "dst:rr src:rr", "Copy a reference (the referenced object is shared)."),
        ("br", "target:target", "Continue at word `target` of this function."),
        ("br.if", "cond:ri target:target", "Continue at word `target` if `cond` is nonzero, else fall through."),
        ("ref.null", "dst:rr", "Set a reference register to null (as a fence: already reached)."),
        *((f"global.load.{b}", f"dst:r{b} global:global",
           f"dst = global `global` (a {bank} global), as the context holds it.") for b, bank in
          BANK_NAMES.items()),
        *((f"global.store.{b}", f"src:r{b} global:global",
           f"Global `global` (a {bank} global) = src, for the rest of the context's life.") for b, bank in
          BANK_NAMES.items()),
        ("buffer.alloc", "dst:rr layout:const=layout",
         "Allocate an uninitialised buffer view whose element type and shape are constant `layout`."),
        ("buffer.const", "dst:rr data:const=data",
         "Reference the read-only constant `data` as a buffer view (no copy)."),
        ("buffer.load.i", "dst:ri src:rr ri*:index",
         "dst = the element of buffer view `src` at the index list (an integer element, sign "
         "extended; i1 is 0 or 1). An index out of bounds fails the call (OUT_OF_RANGE)."),
        ("buffer.load.f", "dst:rf src:rr ri*:index", "As buffer.load.i, for a float element."),
        ("buffer.store.i", "value:ri dst:rr ri*:index",
         "Write `value` (truncated to the element type) into buffer view `dst` at the index list; "
         "bounds as buffer.load.i."),
        ("buffer.store.f", "value:rf dst:rr ri*:index", "As buffer.store.i, for a float element."),
        ("buffer.clone", "dst:rr src:rr", "dst = a new buffer view holding a copy of `src`."),
        ("buffer.view", "dst:rr src:rr layout:const=layout ri*:dims",
         "dst = `src`'s storage seen with the element type and shape of constant `layout` (no copy); "
         "the byte sizes must be equal (INVALID_ARGUMENT, naming both shapes). The -1 (dynamic) "
         "dimensions of the layout take the sizes `dims` in order; with no `dims`, a single -1 "
         "dimension takes the size that makes the byte sizes equal."),
        ("buffer.part", "dst:rr src:rr layout:const=layout at:const=int",
         "dst = `src`'s elements at .. at + n - 1, n being the element count of constant `layout`, "
         "seen with its element type and shape (no copy): a contiguous part of src's storage, which "
         "writes through dst change (the operands of a tensor.concat computed in place). The element "
         "types must be equal (INVALID_ARGUMENT) and the part inside `src`: 0 <= at and at + n <= its "
         "element count (OUT_OF_RANGE)."),
        ("buffer.expand", "dst:rr src:rr layout:const=layout map:const=data ri*:dims",
         "dst = a new buffer view of constant `layout` whose element at index i is src's element at "
         "A i + c: `map` is i64 data holding, for each dimension of `src` in order, a coefficient per "
         "dimension of the layout and then a constant: broadcasts, transposes and windows. A -1 "
         "(dynamic) dimension of the layout takes the size of the first `src` dimension whose row is "
         "exactly that dimension (coefficient 1, nothing else), or else the next of `dims`. Such a "
         "`src` dimension must have that size (INVALID_ARGUMENT, naming both shapes); every other "
         "row must stay inside its dimension over all of dst's indices (OUT_OF_RANGE)."),
        ("buffer.scatter", "acc:rr src:rr strides:const=data",
         "For every index i of `src`: acc[base + sum(i_k * strides[k])] = src[i], the constant "
         "holding [base, strides...] as i64: inserting slices. Every such offset must lie inside `acc`."),
        ("buffer.slice", "dst:rr src:rr layout:const=layout sizes:const=data ri*:at",
         "dst = a new buffer view of constant `layout` holding the slice of `src` whose size along "
         "each dimension k of `src` is sizes[k] (i64 data, as many as `src`'s rank; the layout may "
         "drop unit sizes), starting at offset at[k] with step at[rank + k]. A -1 size is dynamic: "
         "the sizes that follow in `at` give them in order, and the layout's -1 dimensions take them "
         "likewise. Each dimension must "
         "hold its slice: 0 <= offset, step >= 1 and offset + (size - 1) * step < the dimension's "
         "size, or the call fails (OUT_OF_RANGE). tensor.extract_slice."),
        ("buffer.insert", "acc:rr src:rr sizes:const=data ri*:at",
         "Write `src`'s elements, in order, into the slice of `acc` given by `sizes` and `at` as in "
         "buffer.slice (bounds likewise), in place. tensor.insert_slice."),
        ("buffer.reduce", "acc:rr src:rr combiner:const=int",
         "Fold `src`'s elements into `acc` in place; `acc`'s shape must lead `src`'s (the folded "
         "dimensions are innermost): with n = count(src) / count(acc), row r of src (src[r*n], ..., "
         "src[r*n + n-1]) is cut into segments of REDUCE_SEGMENT elements (the last may be shorter); "
         "acc[r] = c(...c(c(F0, F1), F2)..., Fk), where F0 is acc[r] folded with segment 0's "
         "elements in order, c(...c(c(acc[r], x0), x1)..., xm), and each later Ft is segment t "
         "folded in order from its first element, for the combiner c named by the int constant "
         "(REDUCE_COMBINERS). Results are exact to reproduce whatever the workers; a row of at most "
         "REDUCE_SEGMENT elements is folded wholly in order."),
        ("buffer.matmul", "acc:rr lhs:rr rhs:rr",
         "acc[b, i, j] += sum over k, in order, of lhs[b, i, k] * rhs[b, k, j] (rank 3), or the same "
         "without b (rank 2); each product and sum rounded to the element type (no fused multiply-add). "
         "lhs and rhs may instead both be i8 with an i32 acc (their sign-extended products, summed in i32, "
         "wrapping), or both f16 or both bf16 with an f32 acc (their exact f32 values)."),
        ("buffer.matmul.fresh", "acc:rr lhs:rr rhs:rr",
         "buffer.matmul with each sum started from +0.0: acc's old contents are not read (acc may be "
         "uninitialised), so a product needs no zero fill of its own."),
        ("buffer.matmul.fresh.dispatch", "acc:rr lhs:rr rhs:rr kernel:kernel rr*:bind rf*:push ri*:push",
         "buffer.matmul.fresh, then `dispatch` of `kernel` (its epilogue: bias, residual add, "
         "activation), with the same results. The native VM runs the kernel on each chunk of rows of "
         "`acc` as soon as the product has finished it, while it is in cache, under the conditions "
         "buffer.conv2d.dispatch states (with `lhs` and `rhs` for its input and filter); otherwise "
         "one after the other."),
        ("buffer.matmul.strided", "acc:rr lhs:rr rhs:rr layout:const=data",
         "buffer.matmul.fresh with each operand's elements where `layout` (i64 data) puts them rather than "
         "dense: [B, M, K, N, then the strides (in elements) of acc's batch, row and column, lhs's batch, "
         "row and k, rhs's batch, k and column]; acc[b, i, j] is acc's element b*s0 + i*s1 + j*s2, "
         "and so on (a batch stride of 0 with B = 1 is a product without batches). lhs's k stride and "
         "acc's column stride must be 1, one of rhs's k and column strides 1, and no two of acc's "
         "elements in one place (else the module is refused); all three of one element type f32, f64, "
         "i32, i64 or index, acc of exactly B*M*N elements (it is written whole, never read) and each "
         "operand holding every element its strides reach (INVALID_ARGUMENT). What a transpose or "
         "reshape between two products would copy."),
        ("buffer.matmul.strided.dispatch",
         "acc:rr lhs:rr rhs:rr layout:const=data kernel:kernel rr*:bind rf*:push ri*:push",
         "buffer.matmul.strided, then `dispatch` of `kernel`, as buffer.matmul.fresh.dispatch (by rows "
         "as they are done only where acc's strides are dense)."),
        ("buffer.softmax", "dst:rr src:rr",
         "dst = a new buffer of `src`'s shape holding the softmax of each row of `src` along its innermost "
         "dimension, as linalg.softmax's decomposition computes it: for a row x, m = the fold of maximumf from "
         "-inf over x and s = the fold of addf from 0 over e (both as buffer.reduce folds a row), where "
         "e[j] = exp(x[j] - m); dst's row is e[j] / s, each op rounded to f32. `src` must be an f32 buffer of "
         "rank 1 or more (INVALID_ARGUMENT)."),
        ("buffer.layernorm", "dst:rr src:rr eps:rf",
         "dst = a new buffer of `src`'s shape holding each row of `src` along its innermost dimension "
         "normalised, as a layer norm's decomposition computes it: for a row x of n elements, s = the fold of "
         "addf from 0 over x and v = the fold of addf from 0 over d[j] * d[j] (both as buffer.reduce folds a "
         "row), where mean = s / n (n as an f32) and d[j] = x[j] - mean; r = rsqrt(v / n + eps) (t.rsqrt, with `eps` "
         "rounded to f32); dst's row is d[j] * r, each op rounded to f32. `src` must be an f32 buffer of rank "
         "1 or more (INVALID_ARGUMENT)."),
        ("buffer.conv2d", "acc:rr input:rr filter:rr window:const=data",
         "A 2-D convolution, NCHW, accumulated in place (f32, rank 4 each): with `window` i64 data "
         "[sh, sw, dh, dw, ph, pw, groups, fresh], input [N][groups*C][H][W], filter [groups*F][C][KH][KW] "
         "and acc [N][groups*F][OH][OW]: acc[n, g*F+f, y, x] += sum over (c, ky, kx), in order, of "
         "filter[g*F+f, c, ky, kx] * input[n, g*C+c, y*sh + ky*dh - ph, x*sw + kx*dw - pw], an input "
         "element outside H x W reading as 0 (folded zero padding); each product and sum rounded to "
         "f32 (no fused multiply-add). With fresh = 1 acc's old contents are not read: each sum starts "
         "from +0.0 (acc may be uninitialised); fresh = 0 accumulates. Shapes that do not agree fail "
         "the call (INVALID_ARGUMENT). The verifier holds strides, dilations and groups to "
         "1..CONV_WINDOW_LIMIT, pads to 0..CONV_WINDOW_LIMIT and fresh to 0 or 1."),
        ("buffer.conv2d.dispatch", "acc:rr input:rr filter:rr window:const=data kernel:kernel rr*:bind "
         "rf*:push ri*:push",
         "buffer.conv2d, then `dispatch` of `kernel` (its epilogue: bias, BatchNorm, activation, "
         "residual add), with the same results. The native VM runs the kernel on each block of output "
         "rows as soon as the convolution has finished it, while it is in cache, when that cannot "
         "change a result: `acc` is a binding read (or written) element by element, and no binding "
         "overlaps `acc` without being it, no binding the kernel writes overlaps `input` or `filter`, "
         "and no gathered binding overlaps one it writes; otherwise one after the other."),
        ("buffer.pool2d", "acc:rr input:rr window:const=data combiner:const=int",
         "A 2-D pooling, NCHW, folded into `acc` in place (f32, rank 4 each): with `window` i64 data "
         "[kh, kw, sh, sw, dh, dw, ph, pw, fresh], input [N][C][H][W] and acc [N][C][OH][OW]: acc[n, c, y, x] = "
         "f(...f(f(a, v(0, 0)), v(0, 1))..., v(kh-1, kw-1)), a = acc[n, c, y, x] (fresh = 0) or the "
         "combiner's padding (fresh = 1: acc's old contents are not read), the window's points in "
         "row-major order, v(ky, kx) = input[n, c, y*sh + ky*dh - ph, x*sw + kx*dw - pw], an element "
         "outside H x W reading as the combiner's padding (POOL_PADDING: -inf for maximumf, +0.0 for "
         "addf), for the combiner f named by the int constant (REDUCE_COMBINERS: addf or maximumf, as "
         "the t. ops of those names). Shapes that do not agree fail the call (INVALID_ARGUMENT). The "
         "verifier holds window sizes, strides and dilations to 1..CONV_WINDOW_LIMIT, pads to "
         "0..CONV_WINDOW_LIMIT and fresh to 0 or 1."),
        ("buffer.check", "src:rr layout:const=layout",
         "Fail unless buffer view `src` has the element type and shape of constant `layout` "
         "and storage of at least that many bytes (storage passed in by a caller). A -1 dimension "
         "of the layout (a dynamic one) matches any size."),
        ("buffer.dim", "dst:ri src:rr axis:ri",
         "dst = the size of dimension `axis` of buffer view `src`; an axis outside its rank fails "
         "the call (OUT_OF_RANGE)."),
        ("buffer.alloc.dyn", "dst:rr layout:const=layout ri*:dims",
         "As buffer.alloc, the -1 (dynamic) dimensions of constant `layout` taking the sizes `dims` "
         "in order; a negative size (INVALID_ARGUMENT) or a shape over MAX_BUFFER_BYTES bytes "
         "(RESOURCE_EXHAUSTED) fails the call."),
        ("buffer.match", "a:rr b:rr where:const=data",
         "Fail the call unless buffer views `a` and `b` have the same shape (INVALID_ARGUMENT, naming "
         "both shapes and `where`, the op and its source location as i8 data): operands of one "
         "element-wise op whose shapes are dynamic."),
        ("buffer.cast", "src:rr layout:const=layout where:const=data",
         "Fail the call unless buffer view `src` has the shape of constant `layout`, a -1 dimension "
         "matching any size (the error names both and `where`, as buffer.match): tensor.cast."),
        ("dispatch", "kernel:kernel rr*:bind rf*:push ri*:push",
         "Run tile kernel `kernel` now over every element of its first output binding and wait "
         "for it. Bindings are buffer views; push constants are scalars from registers."),
        ("dispatch.async", "wait:rr signal:rr kernel:kernel rr*:bind rf*:push ri*:push",
         "As `dispatch`, but queued behind fence `wait`; signals fence `signal` when done or "
         "fails it with the error. Returns at once."),
        ("eval", "kernel:kernel rf*:push ri*:push rf*:dst ri*:dst",
         "Run tile kernel `kernel` once over one element whose inputs are the scalar push "
         "constants; outputs (scalar bindings) are written to the destination registers."),
        ("fence.create", "dst:rr", "Create a new unsignaled fence."),
        ("fence.await", "fence:rr",
         "Block until `fence` is reached; if it failed, fail this call with its error."),
        ("fence.forward", "src:rr dst:rr",
         "When fence `src` is reached signal `dst`; when it fails, fail `dst` with the same error."),
        ("check.true", "cond:ri where:const=data",
         "Fail the call (FAILED_PRECONDITION) unless `cond` is nonzero; `where` is the check's source "
         "location (i8 data), named in the error."),
        ("check.false", "cond:ri where:const=data", "As check.true, for `cond` equal to zero."),
        ("cf.assert", "cond:ri where:const=data message:const=data",
         "Fail the call (FAILED_PRECONDITION) unless `cond` is nonzero, with the error `where: "
         "message` (the op's source location and its message, i8 data)."),
        ("check.eq", "actual:rr expected:rr where:const=data",
         "Fail the call unless the buffer views have the same element type, shape and element values "
         "(floats compare with ==, so NaN never matches)."),
        ("check.almost_eq", "actual:rr expected:rr atol:const=float rtol:const=float where:const=data",
         "As check.eq for floats, each element within |a - e| <= atol + rtol * |e| (NaN matches NaN)."),
        ("debug.trace", "key:const=data rr*:view",
         "Hand `key` (i8 data) and the buffer views to the context's debug sink, if it has one "
         "(the tools print them as IREE's --iree-flow-trace-dispatch-tensors does); no effect otherwise."),
    ]
    tile = [
        ("t.load", "d:td b:bind", "any",
         "d = the current tile of binding b (elements of `type`)."),
        ("t.splat", "d:td p:push", "any",
         "d = push constant p converted to `type`, in every lane."),
        ("t.store", "d:ts b:bind", "any",
         "Write tile register d to the current tile of output binding b."),
        ("t.bind", "d:td b:bind", "any",
         "The next instruction writing d writes straight into the current tile of output binding "
         "b (no copy); d then reads from there. Only for a kernel's last arithmetic instruction, so "
         "an output sharing storage with an input is written after every read of that tile."),
    ]
    tile += [(f"t.{name}", " ".join(["d:td"] + [f"{x}:ts" for x in "abc"[:arity]]), types, doc)
             for name, arity, types, _, doc in ELEMENTWISE]
    tile += [("t.gather", "d:td b:bind a:ts", "any",
              "d = the elements of binding b, a gathered input (of any size), at the indices in index "
              "tile a: broadcasts and transposes inside a kernel. An index outside the binding fails "
              "the dispatch (OUT_OF_RANGE)."),
             ("t.spread", "d:td b:bind a:push c:push", "any",
              "d = the elements of binding b, a gathered input, at each lane's coordinate "
              "((element index + lane) / a) % c, a and c being push constants (t.lindex then t.gather "
              "in one, filling runs): a broadcast along the other dimensions. Both must be positive "
              "(else INVALID_ARGUMENT) and c at most b's element count (else OUT_OF_RANGE)."),
             ("t.lindex", "d:td a:push b:push", "index",
              "d = ((element index + lane) / a) % b, a and b being push constants: lane coordinates "
              "along one dimension of the iteration space (a: the dimension's row-major stride, b: its "
              "size). Both must be positive, or the dispatch fails. linalg.index, and gathers."),
             ("t.cmpf", "d:td a:ts b:ts pred:cmpf", "float", "d = a <pred> b (i1), MLIR's cmpf predicates."),
             ("t.cmpi", "d:td a:ts b:ts pred:cmpi", "int", "d = a <pred> b (i1), MLIR's cmpi predicates.")]
    tile += [(f"t.{name}", "d:td a:ts src:element", "any", doc) for name, doc in CONVERSIONS]
    tile += [("t.fdecode", "d:td a:ts fmt:format", "f32",
              "d = the value of small float format fmt whose bit pattern is each byte of i8 tile a."),
             ("t.fencode", "d:td a:ts fmt:format", "i8",
              "d = the bit pattern (a byte) of small float format fmt nearest each element of f32 tile "
              "a, as iree_lite.isa.smallfloat.encode rounds.")]
    code = 0
    host = [(name, operands, "", doc) for name, operands, doc in host]
    for form, table in (("host", host), ("tile", tile)):
        for name, operands, types, doc in table:
            ops, consts = [], []
            for spec in operands.split():
                kind_or_name, _, rest = spec.partition(":")
                if kind_or_name.endswith("*"):   # "ri*:dst" -> list `dst_i`; the tag says its role
                    ops.append((f"{rest or 'args'}_{kind_or_name[1]}", kind_or_name))
                else:
                    kind, _, const_kind = rest.partition("=")   # "layout:const=layout"
                    ops.append((kind_or_name, kind))
                    if const_kind:
                        consts.append((kind_or_name, CONST_KINDS[const_kind]))
            result = "i1" if name in _RESULT_I1 else ""
            yield Op(name, code, form, tuple(ops), doc, types, tuple(consts), result, name in _DYNAMIC_LAYOUT)
            code += 1


OPS = tuple(_ops())
BY_NAME = {op.name: op for op in OPS}
BY_CODE = {op.code: op for op in OPS}


def c_name(op):
    """The enum constant for an op in generated code: `t.addf` -> OP_T_ADDF."""
    return "OP_" + op.name.upper().replace(".", "_")


@functools.lru_cache(maxsize=None)
def fingerprint():
    """A digest of the table's content that the encoding and the native
    VM's generated code depend on (the combiners' element types and
    order-freedom too): a native VM built from another table must not run
    this one's bytecode."""
    text = repr([(op.name, op.code, op.form, op.operands) for op in OPS] +
                [TILE, TILE_REGS, ELEMENT_CODES, REDUCE_COMBINERS, REDUCE_ELEMENTS, sorted(ORDER_FREE_COMBINERS),
                 REDUCE_SEGMENT, VM_LIMITS, list(FORMATS)])
    return _sha256(text.encode()).hexdigest()[:16]


def _sha256(data):
    """hashlib.sha256 from CPython's own module: every run checks the
    fingerprint, and `import hashlib` first loads OpenSSL (milliseconds)."""
    try:
        from _sha2 import sha256   # Python 3.12+
    except ImportError:
        try:
            from _sha256 import sha256   # 3.11
        except ImportError:   # another Python, or one built without them
            from hashlib import sha256
    return sha256(data)


def _check_table():
    # Binding and push operands are 5-bit tile fields; call lists name registers.
    assert MAX_BINDINGS <= TILE_REGS and MAX_PUSH <= TILE_REGS and MAX_CALL_VALUES >= HOST_REGS
    # The words hold what they name: every opcode, register, element type code and field.
    assert len(OPS) <= 1 << OPCODE_BITS and HOST_REGS == 1 << HOST_SLOT_BITS and TILE_REGS == 1 << TILE_FIELD_BITS
    assert max(ELEMENT_CODES.values()) < 1 << TILE_TYPE_BITS
    assert OPCODE_BITS + 3 * HOST_SLOT_BITS <= 32 and TILE_FIELD_SHIFT + 4 * TILE_FIELD_BITS <= 32
    for op in OPS:
        if op.form == "host":
            assert sum(k in SHORT_KINDS for _, k in op.operands) <= 3, op.name
        else:
            assert len(op.operands) <= 4 and all(k in SHORT_KINDS for _, k in op.operands), op.name


_check_table()


def ops_of_form(form):
    return [op for op in OPS if op.form == form]


# Errors of tile kernels, by name: the code a kernel returns (0 is success,
# -1 an op a kernel does not take), status, the dialect the failing op is
# named in, and text. Both VMs word them `'DIALECT.OP': TEXT`; the native VM
# names the codes TILE_<NAME>.
TILE_ERRORS = {"DIVISION_BY_ZERO": (-2, "OUT_OF_RANGE", "arith", "integer division by zero"),
               "DIVISION_OVERFLOW": (-3, "OUT_OF_RANGE", "arith", "signed integer overflow (INT_MIN / -1)"),
               "GATHER_OUT_OF_RANGE": (-4, "OUT_OF_RANGE", "t", "index outside the gathered buffer"),
               "BAD_COORDINATE": (-5, "INVALID_ARGUMENT", "t", "coordinate of a non-positive stride or size")}


def tile_error(name, op_name):
    """(status, message) of tile error `name` (TILE_ERRORS) raised by tile op
    `op_name` ('t.divsi')."""
    _, status, dialect, text = TILE_ERRORS[name]
    return status, f"'{dialect}.{op_name[2:]}': {text}"
# Kernel binding roles (module file, verifier, VMs).
BIND_INPUT, BIND_OUTPUT, BIND_GATHERED = 0, 1, 2
