"""linalg: generic and named structured ops on tensors (parallel iterators).

They are rewritten before dispatch formation (passes/linalg.py) into
element-wise tensor ops, which then fuse with their neighbours.
"""
from ..ir.attributes import AffineMapAttr, ArrayAttr, IntegerAttr, StringAttr
from ..ir.linear import exact_dimension
from ..ir.core import Block, Operation, Region
from ..ir.ops import OpDef, TerminatorOp, ends_in
from ..ir.types import ScalarType, TensorType, element_type_of
from .convolution import NAMES as CONVOLUTIONS, verify_convolution
from .linalg_pack import OPS as PACK_OPS
from .reduction import combiner_of, reduction_plan

I32, I64 = ScalarType("i32"), ScalarType("i64")


def parse_ins_outs(p):
    """`ins(%a, %b : A, B) outs(%c : C)` -> (in tokens, in types, out tokens, out types)."""
    groups = []
    for keyword in ("ins", "outs"):
        toks, types = [], []
        if p.parse_optional_keyword(keyword):
            p.parse_punct("(")
            toks = p.parse_operand_list()
            if toks:
                p.parse_punct(":")
                types = p.parse_type_list()
            p.parse_punct(")")
        groups += [toks, types]
    return groups


def finish(p, name, ins, in_types, outs, out_types, attrs, regions, loc):
    results = list(out_types)
    if p.parse_optional_punct("->"):
        results = p.parse_result_types()
    operands = p.resolve_all(ins, in_types) + p.resolve_all(outs, out_types)
    attrs["num_ins"] = IntegerAttr(len(ins), I64)
    return Operation(name, operands, results, attrs, regions=regions, loc=loc)


def ins_outs(op):
    n = op.attributes["num_ins"].value
    return op.operands[:n], op.operands[n:]


def check_tensors(op, fail):
    ins, outs = ins_outs(op)
    if not all(isinstance(v.type, TensorType) for v in outs):
        fail(f"'{op.name}' outs must be tensors")
    if tuple(r.type for r in op.results) != tuple(v.type for v in outs):
        fail(f"'{op.name}' results must have the types of its outs operands")


class GenericOp(OpDef):
    name = "linalg.generic"

    def parse(self, p, loc, result_names):
        attrs = p.parse_attr_dict()
        ins, in_types, outs, out_types = parse_ins_outs(p)
        if p.parse_optional_keyword("attrs"):   # a `{` here would open the body
            p.parse_punct("=")
            attrs.update(p.parse_attr_dict())

        body = p.parse_region([], ends_in("linalg.yield", "'linalg.generic' body"), "linalg.generic body")
        return finish(p, self.name, ins, in_types, outs, out_types, attrs, [body], loc)

    def verify(self, op, fail):
        check_tensors(op, fail)
        maps = op.attributes.get("indexing_maps")
        iterators = op.attributes.get("iterator_types")
        if not isinstance(maps, ArrayAttr) or not all(isinstance(m, AffineMapAttr) for m in maps.values):
            fail("'linalg.generic' needs indexing_maps of affine maps")
        if len(maps.values) != len(op.operands):
            fail(f"{len(maps.values)} indexing maps for {len(op.operands)} operands")
        kinds = [getattr(i, "value", i) for i in iterators.values] if isinstance(iterators, ArrayAttr) else []
        kinds = [k.split("<")[-1].rstrip(">") for k in kinds]
        ins, outs = ins_outs(op)
        for k, (m, v) in enumerate(zip(maps.values, op.operands)):
            if m.results is None and (k >= len(ins) or m.linear() is None):
                fail("iree-lite supports indexing maps whose results are distinct dimensions or 0, and on inputs "
                     f"sums of dimensions times constants and constants, not {m}")
            if m.num_dims != len(kinds) or len(m.expressions()) != getattr(v.type, "rank", 0):   # a scalar: rank 0
                fail(f"indexing map {m} does not fit operand of type '{v.type}'")
        check_windows(maps.values, op.operands, fail)
        parallel = tuple(d for d, k in enumerate(kinds) if k == "parallel")
        if any(k not in ("parallel", "reduction") for k in kinds):
            fail(f"unknown iterator types {kinds}")
        if len(parallel) < len(kinds):
            for m, v in zip(maps.values[len(ins):], outs):
                units = [r for r, d in enumerate(m.results or ()) if d is None]
                if m.results is None or tuple(d for d in m.results if d is not None) != parallel or \
                        any(v.type.shape[r] != 1 for r in units):
                    fail("iree-lite supports reductions in 'linalg.generic' into outputs indexed by the "
                         "parallel dimensions in order (and 0 on dimensions of size 1)")
            reduction_plan(op, fail)
        else:
            for m in maps.values[len(ins):]:
                if not m.is_identity:
                    fail("iree-lite supports only identity indexing maps on 'linalg.generic' outputs")
        block = op.regions[0].blocks[0]
        if [a.type for a in block.arguments] != [element_type_of(v.type) for v in op.operands]:
            fail("'linalg.generic' block arguments must be the operands' element types")
        yielded = [v.type for v in block.operations[-1].operands]
        if yielded != [element_type_of(v.type) for v in outs]:
            fail(f"'linalg.generic' body yields ({', '.join(map(str, yielded))}), but its outputs hold "
                 f"({', '.join(str(element_type_of(v.type)) for v in outs)})")
        for inner in block.operations:
            if inner.name == "linalg.index" and not 0 <= inner.attributes["dim"].value < len(kinds):
                fail(f"'linalg.index' of dimension {inner.attributes['dim'].value} in a {len(kinds)}-d generic")


def check_windows(maps, operands, fail):
    """Static bounds of the inputs read through sums of dimensions (d0 + d1,
    2 * d0, constants): each result must stay inside its dimension over
    the iteration sizes known at compile time (others fail at run time)."""
    sizes = {}
    for m, v in zip(maps, operands):
        for (coeffs, const), n in zip(m.linear() or (), getattr(v.type, "shape", ())):   # scalars: no shape
            d = exact_dimension(coeffs, const)
            if d is not None and n is not None:
                sizes[d] = n
    for k, (m, v) in enumerate(zip(maps, operands)):
        if m.results is not None:
            continue
        for r, ((coeffs, const), n) in enumerate(zip(m.linear(), v.type.shape)):
            used = [d for d, a in enumerate(coeffs) if a]
            if any(sizes.get(d) in (None, 0) for d in used):
                continue
            lo = const + sum(min(0, coeffs[d] * (sizes[d] - 1)) for d in used)
            hi = const + sum(max(0, coeffs[d] * (sizes[d] - 1)) for d in used)
            if lo < 0 or (n is not None and hi >= n):
                fail(f"indexing map {m} reads operand {k} of type '{v.type}' outside dimension {r}: "
                     f"from {lo} to {hi}")


class IndexOp(OpDef):
    """`%i = linalg.index 0 : index`: the iteration coordinate along a dimension."""
    name = "linalg.index"

    def parse(self, p, loc, result_names):
        dim = int(p.parse_kind("integer", "dimension").text)
        p.parse_punct(":")
        return Operation(self.name, [], [p.parse_type()], {"dim": IntegerAttr(dim, I64)}, loc=loc)

    def verify(self, op, fail):
        if str(op.results[0].type) != "index":
            fail("'linalg.index' results are index")


class NamedOp(OpDef):
    """`linalg.add ins(..) outs(..) -> T`, fill, copy, transpose
    (`permutation = [..]`) and broadcast (`dimensions = [..]`)."""

    def __init__(self, name, keyword=None):
        self.name = name
        self.keyword = keyword

    def parse(self, p, loc, result_names):
        attrs = dict(p.parse_optional_attr_dict())   # MLIR reads one before ins(..) and after outs(..)
        ins, in_types, outs, out_types = parse_ins_outs(p)
        if self.keyword and p.parse_optional_keyword(self.keyword):
            p.parse_punct("=")
            attrs[self.keyword] = p.parse_attribute()
        attrs.update(p.parse_optional_attr_dict())
        return finish(p, self.name, ins, in_types, outs, out_types, attrs, [], loc)

    def verify(self, op, fail):
        check_tensors(op, fail)
        ins, outs = ins_outs(op)
        if len(outs) != 1:
            fail(f"'{self.name}' takes one outs operand")
        arity = NAMED_ARITY.get(self.name)
        if arity is not None and len(ins) != arity:
            fail(f"'{self.name}' takes {arity} ins operand{'s' if arity > 1 else ''}, not {len(ins)}")
        if self.keyword and not isinstance(op.attributes.get(self.keyword), ArrayAttr):
            fail(f"'{self.name}' needs `{self.keyword} = [...]`")


def parse_short_body(p):
    """The short form's `{ arith.addf }` before ins(...): the token naming a
    body of that one op over the block arguments, or None."""
    if not p.parse_optional_punct("{"):
        return None
    from . import lookup
    tok = p.tok
    if tok.kind != "ident" or lookup(tok.text) is None:
        raise p.error(f"unknown operation '{tok.text}'" if tok.kind == "ident" else "expected an op name", tok)
    p.advance()
    p.parse_optional_attr_dict()
    p.parse_punct("}")
    return tok


def parse_body(p, short, arg_types, result_type, what, loc):
    """The payload region: `(%a: f32, ...) { ... linalg.yield %r : f32 }`,
    or, for the short form, one `short` op over the arguments, yielded."""
    if short is not None:
        block = Block()
        args = [block.add_argument(t) for t in arg_types]
        inner = block.append(Operation(short.text, args, [result_type], loc=p.loc(short)))
        block.append(Operation("linalg.yield", inner.results, [], loc=loc))
        return Region([block])
    args = []
    p.parse_punct("(")

    def argument():
        tok = p.parse_value_name()
        p.parse_punct(":")
        args.append((tok, p.parse_type()))
    p.parse_comma_list(argument, ")")

    return p.parse_region(args, ends_in("linalg.yield", f"'{what}' body"), f"{what} body")


class MapOp(OpDef):
    """`linalg.map ins(%a, %b : A, B) outs(%init : C) (%x: f32, %y: f32, %o: f32) { ... }`
    (MLIR as in IREE 3.13; older MLIR has no `%o`) or `linalg.map { arith.addf }
    ins(...) outs(...)`: the body applied to the elements at each index."""
    name = "linalg.map"

    def parse(self, p, loc, result_names):
        short = parse_short_body(p)
        ins, in_types, outs, out_types = parse_ins_outs(p)
        elements = [element_type_of(t) for t in in_types]
        result = element_type_of(out_types[0]) if out_types else None
        body = parse_body(p, short, elements, result, self.name, loc)
        attrs = p.parse_optional_attr_dict()
        return finish(p, self.name, ins, in_types, outs, out_types, attrs, [body], loc)

    def verify(self, op, fail):
        check_tensors(op, fail)
        ins, outs = ins_outs(op)
        if len(outs) != 1 or any(v.type.shape != outs[0].type.shape for v in ins):
            fail("'linalg.map' takes inputs of its one output's shape")
        block = op.regions[0].blocks[0]
        elements = [element_type_of(v.type) for v in op.operands]
        if [a.type for a in block.arguments] not in (elements[:len(ins)], elements):
            fail("'linalg.map' block arguments must be the element types of the inputs (and of the output)")
        if [v.type for v in block.operations[-1].operands] != [outs[0].type.element]:
            fail(f"'linalg.map' body must yield one '{outs[0].type.element}'")


class ReduceOp(OpDef):
    """`linalg.reduce ins(%x : A) outs(%init : B) dimensions = [1]
    (%in: f32, %acc: f32) { %s = arith.addf %in, %acc : f32  linalg.yield %s : f32 }`,
    or `linalg.reduce { arith.addf } ins(..) outs(..) dimensions = [1]`."""
    name = "linalg.reduce"

    def parse(self, p, loc, result_names):
        short = parse_short_body(p)
        ins, in_types, outs, out_types = parse_ins_outs(p)
        p.parse_keyword("dimensions")
        p.parse_punct("=")
        attrs = {"dimensions": p.parse_attribute()}
        elements = [element_type_of(t) for t in in_types + out_types]
        body = parse_body(p, short, elements, elements[-1] if elements else None, self.name, loc)
        return finish(p, self.name, ins, in_types, outs, out_types, attrs, [body], loc)

    def verify(self, op, fail):
        check_tensors(op, fail)
        ins, outs = ins_outs(op)
        dims = [a.value for a in op.attributes["dimensions"].values]
        if len(ins) != 1 or len(outs) != 1:
            fail("iree-lite supports 'linalg.reduce' of one input into one output")
        kept = [d for d in range(ins[0].type.rank) if d not in dims]
        if tuple(ins[0].type.shape[d] for d in kept) != outs[0].type.shape:
            fail(f"reducing dimensions {dims} of '{ins[0].type}' does not give '{outs[0].type}'")
        combiner_of(op, fail)


class SoftmaxOp(NamedOp):
    """`linalg.softmax dimension(1) ins(%x : T) outs(%o : T) -> T`."""

    def __init__(self):
        super().__init__("linalg.softmax")

    def parse(self, p, loc, result_names):
        p.parse_keyword("dimension")
        p.parse_punct("(")
        dim = int(p.parse_kind("integer", "dimension").text)
        p.parse_punct(")")
        op = super().parse(p, loc, result_names)
        op.attributes["dimension"] = IntegerAttr(dim, I64)
        return op

    def verify(self, op, fail):
        super().verify(op, fail)
        t = op.operands[0].type
        if not t.element.is_float or not 0 <= op.attributes["dimension"].value < t.rank:
            fail(f"'linalg.softmax' needs a float tensor and a dimension below its rank, got '{t}'")


class ConvOp(NamedOp):
    """`linalg.conv_2d_nhwc_hwcf {strides = dense<2> : tensor<2xi64>,
    dilations = dense<1> : tensor<2xi64>} ins(%x, %w : ...) outs(%o : ...)`,
    and the other convolutions and poolings (whose second input is only a
    window shape): dialects/convolution.py describes them."""

    def parse(self, p, loc, result_names):
        attrs = p.parse_optional_attr_dict()
        op = super().parse(p, loc, result_names)
        op.attributes.update(attrs)
        return op

    def verify(self, op, fail):
        check_tensors(op, fail)
        verify_convolution(op, *ins_outs(op), fail)


# Quantized named ops: their base op over two inputs shifted by scalar i32
# zero points (`ins(%a, %b, %a_zp, %b_zp : ...)`): out += (a - a_zp) * (b - b_zp),
# every value first cast (signed) to the output's element type.
QUANTIZED = {"quantized_matmul": "matmul", "quantized_batch_matmul": "batch_matmul",
             **{f"{n}_q": n for n in ("conv_2d_nhwc_hwcf", "conv_2d_nchw_fchw", "conv_2d_nhwc_fhwc",
                                      "conv_3d_ndhwc_dhwcf", "depthwise_conv_2d_nhwc_hwc",
                                      "depthwise_conv_2d_nhwc_hwcm")}}


class QuantizedOp(NamedOp):
    """A QUANTIZED op, parsed as its base op (`base`, an OpDef) is."""

    def __init__(self, name, base):
        super().__init__(name)
        self.base = base

    def parse(self, p, loc, result_names):
        op = self.base.parse(p, loc, result_names)
        op.name = self.name
        return op

    def verify(self, op, fail):
        super().verify(op, fail)
        ins, outs = ins_outs(op)
        if len(ins) != 4 or not all(isinstance(v.type, TensorType) for v in ins[:2]) or \
                any(v.type != I32 for v in ins[2:]):
            fail(f"'{self.name}' takes two tensors and two i32 zero points as inputs")
        if isinstance(self.base, ConvOp):
            verify_convolution(op, ins[:2], outs, fail, self.base.name.split(".", 1)[1])


CONTRACTIONS = ("matmul", "batch_matmul", "matvec", "vecmat", "batch_matvec", "dot")
CAST_UNSIGNED = "#linalg.type_fn<cast_unsigned>"


def unsigned_cast(op):
    """Whether a named structured op converts its inputs to its output's
    element type as unsigned: its `cast` attribute is cast_unsigned (an
    opaque attribute, which the parser keeps as a StringAttr of its text;
    cast_signed is the default), or it is an unsigned pooling."""
    cast = op.attributes.get("cast")
    return isinstance(cast, StringAttr) and "".join(cast.value.split()) == CAST_UNSIGNED or \
        op.name.endswith("_unsigned")
# The iteration dimensions that index each operand of matmul and batch_matmul by default
# ((m, n, k) and (b, m, n, k)): explicit indexing_maps may transpose or broadcast the inputs.
MATMUL_DIMS = {"linalg.matmul": ((0, 2), (2, 1), (0, 1)), "linalg.batch_matmul": ((0, 1, 3), (0, 3, 2), (0, 1, 2))}


class ContractionOp(NamedOp):
    """matmul and its relatives; matmul and batch_matmul also as
    `linalg.matmul indexing_maps = [#a, #b, #c] ins(...) outs(...)`, whose
    input maps pick (transposed) or broadcast the default dimensions."""

    def parse(self, p, loc, result_names):
        attrs = {}
        if self.name in MATMUL_DIMS and p.parse_optional_keyword("indexing_maps"):
            p.parse_punct("=")
            attrs["indexing_maps"] = p.parse_attribute()
        op = super().parse(p, loc, result_names)
        op.attributes.update(attrs)
        return op

    def verify(self, op, fail):
        super().verify(op, fail)
        maps = op.attributes.get("indexing_maps")
        if maps is None:
            return
        dims = MATMUL_DIMS.get(self.name)
        default = dims and ", ".join(str(AffineMapAttr(len(dims[2]) + 1, d)) for d in dims)
        if dims is None or not isinstance(maps, ArrayAttr) or len(maps.values) != 3 or \
                not all(isinstance(m, AffineMapAttr) and m.num_dims == len(dims[2]) + 1 for m in maps.values):
            fail(f"'{self.name}' indexing_maps must be three affine maps (by default {default})")
        if maps.values[2].results != dims[2]:
            fail(f"'{self.name}' output map must be {AffineMapAttr(len(dims[2]) + 1, dims[2])}")
        sizes, reduced = {}, len(dims[2])
        for m, v, want in zip(maps.values[:2], op.operands, dims):
            if m.results is None or None in m.results or not set(m.results) <= set(want) or reduced not in m.results:
                fail(f"'{self.name}' input map {m} must pick, transpose or broadcast the dimensions of "
                     f"{AffineMapAttr(len(dims[2]) + 1, want)} and keep the reduced one")
        for m, v in zip(maps.values, op.operands):
            if len(m.results) != v.type.rank:
                fail(f"indexing map {m} does not fit operand of type '{v.type}'")
            for d, n in zip(m.results, v.type.shape):
                if n is not None and sizes.setdefault(d, n) != n:
                    fail(f"'{self.name}' operands disagree on the size of dimension d{d}: {sizes[d]} and {n}")

# linalg.elementwise's kinds: the op on float and on integer elements (None: not defined there).
ELEMENTWISE_KINDS = {
    "exp": ("math.exp", None), "log": ("math.log", None), "abs": ("math.absf", None),
    "ceil": ("math.ceil", None), "floor": ("math.floor", None), "negf": ("arith.negf", None),
    "reciprocal": ("reciprocal", None), "round": ("math.round", None), "sqrt": ("math.sqrt", None),
    "rsqrt": ("math.rsqrt", None), "square": ("square", "square"), "tanh": ("math.tanh", None),
    "erf": ("math.erf", None), "add": ("arith.addf", "arith.addi"), "sub": ("arith.subf", "arith.subi"),
    "mul": ("arith.mulf", "arith.muli"), "div": ("arith.divf", "arith.divsi"), "div_unsigned": (None, "arith.divui"),
    "max_signed": ("arith.maximumf", "arith.maxsi"), "min_signed": ("arith.minimumf", "arith.minsi"),
    "max_unsigned": (None, "arith.maxui"), "min_unsigned": (None, "arith.minui"), "powf": ("math.powf", None),
    "select": ("arith.select", "arith.select"),
}
ARITY = {"select": 3, **{k: 2 for k in ("add", "sub", "mul", "div", "div_unsigned", "max_signed", "min_signed",
                                         "max_unsigned", "min_unsigned", "powf")}}


def parse_maps(p, attrs):
    if p.parse_optional_keyword("indexing_maps"):
        p.parse_punct("=")
        attrs["indexing_maps"] = p.parse_attribute()


def check_maps(op, fail, rank):
    """The indexing maps (projected permutations over `rank` dimensions), one per operand."""
    maps = op.attributes.get("indexing_maps")
    if not isinstance(maps, ArrayAttr) or len(maps.values) != len(op.operands) or \
            not all(isinstance(m, AffineMapAttr) and m.num_dims == rank and m.results is not None
                    and None not in m.results for m in maps.values):
        fail(f"'{op.name}' needs one projected-permutation indexing map over {rank} dimensions per operand")
    for m, v in zip(maps.values, op.operands):
        if len(m.results) != getattr(v.type, "rank", 0):
            fail(f"indexing map {m} does not fit operand of type '{v.type}'")
    return maps.values


class ElementwiseKindOp(OpDef):
    """`linalg.elementwise <exp> [indexing_maps = [...]] ins(...) outs(...) -> T`
    (IREE 3.13's form): one arith or math op (ELEMENTWISE_KINDS) applied at
    each index of the output; the maps (identities by default) may transpose
    or broadcast the inputs."""
    name = "linalg.elementwise"

    def parse(self, p, loc, result_names):
        p.parse_punct("<")
        tok = p.parse_kind("ident", "elementwise kind")
        if tok.text not in ELEMENTWISE_KINDS:
            raise p.error(f"unknown elementwise kind '{tok.text}'; expected one of "
                          f"{', '.join(ELEMENTWISE_KINDS)}", tok)
        p.parse_punct(">")
        attrs = {"kind": StringAttr(tok.text)}
        parse_maps(p, attrs)
        ins, in_types, outs, out_types = parse_ins_outs(p)
        attrs.update(p.parse_optional_attr_dict())
        return finish(p, self.name, ins, in_types, outs, out_types, attrs, [], loc)

    def verify(self, op, fail):
        check_tensors(op, fail)
        ins, outs = ins_outs(op)
        kind = getattr(op.attributes.get("kind"), "value", None)
        if kind not in ELEMENTWISE_KINDS:
            fail(f"'linalg.elementwise' needs a kind, one of {', '.join(ELEMENTWISE_KINDS)}")
        if len(outs) != 1 or len(ins) != ARITY.get(kind, 1):
            fail(f"'linalg.elementwise' <{kind}> takes {ARITY.get(kind, 1)} inputs and one output")
        element = outs[0].type.element
        if ELEMENTWISE_KINDS[kind][0 if element.is_float else 1] is None:
            fail(f"'linalg.elementwise' <{kind}> is not defined on '{element}' elements")
        values = ins[1:] if kind == "select" else ins
        if any(element_type_of(v.type) != element for v in values) or \
                kind == "select" and element_type_of(ins[0].type).name != "i1":
            fail(f"'linalg.elementwise' <{kind}> takes inputs of its output's element type '{element}'"
                 + (" after an i1 condition" if kind == "select" else ""))
        if "indexing_maps" in op.attributes:
            maps = check_maps(op, fail, outs[0].type.rank)
            if not maps[-1].is_identity:
                fail("'linalg.elementwise' output map must be the identity")
            for m, v in zip(maps, op.operands):
                for d, n in zip(m.results, v.type.shape):
                    if n is not None and outs[0].type.shape[d] not in (None, n):
                        fail(f"'linalg.elementwise' operand '{v.type}' does not fit the output '{outs[0].type}' "
                             f"through {m}")
        elif any(v.type.shape != outs[0].type.shape for v in ins):
            fail("'linalg.elementwise' without indexing_maps takes inputs of its output's shape")


class ContractOp(OpDef):
    """`linalg.contract indexing_maps = [#a, #b, #c] ins(%a, %b : A, B) outs(%c : C) -> C`:
    C[out] += A[a] * B[b] summed over the dimensions C's map leaves out, the
    inputs converted to C's element type first (`cast`, signed by default)."""
    name = "linalg.contract"

    def parse(self, p, loc, result_names):
        attrs = {}
        p.parse_keyword("indexing_maps")
        p.parse_punct("=")
        attrs["indexing_maps"] = p.parse_attribute()
        attrs.update(p.parse_optional_attr_dict())
        ins, in_types, outs, out_types = parse_ins_outs(p)
        attrs.update(p.parse_optional_attr_dict())
        return finish(p, self.name, ins, in_types, outs, out_types, attrs, [], loc)

    def verify(self, op, fail):
        check_tensors(op, fail)
        ins, outs = ins_outs(op)
        if len(ins) != 2 or len(outs) != 1:
            fail("'linalg.contract' takes two inputs and one output")
        maps = op.attributes.get("indexing_maps")
        rank = maps.values[0].num_dims if isinstance(maps, ArrayAttr) and maps.values and \
            isinstance(maps.values[0], AffineMapAttr) else 0
        a, b, c = (set(m.results) for m in check_maps(op, fail, rank))
        if len(c) != len(maps.values[2].results) or (a | b) != set(range(rank)) or not c <= (a | b):
            fail("'linalg.contract' output map must name distinct dimensions, each dimension indexing an input")
        if (a ^ b) - c:
            fail("iree-lite supports 'linalg.contract' whose reduced dimensions index both inputs")
        sizes = {}
        for m, v in zip(maps.values, op.operands):
            for d, n in zip(m.results, v.type.shape):
                if n is not None and sizes.setdefault(d, n) != n:
                    fail(f"'linalg.contract' operands disagree on the size of dimension d{d}: {sizes[d]} and {n}")


class NamedContractOp(ContractOp):
    """batch_vecmat, batch_reduce_matmul, mmt4d and batch_mmt4d: linalg.contract
    with the fixed maps of NAMED_CONTRACTS (dimension letters as linalg names them)."""

    def __init__(self, name, maps):
        self.name = name
        self.maps = maps

    def parse(self, p, loc, result_names):
        op = NamedOp(self.name).parse(p, loc, result_names)
        dims = list(dict.fromkeys(self.maps[2] + self.maps[0] + self.maps[1]))
        op.attributes["indexing_maps"] = ArrayAttr(tuple(
            AffineMapAttr(len(dims), tuple(dims.index(d) for d in m)) for m in self.maps))
        return op


# Operand dimensions of the named contractions, by letter: (lhs, rhs, output).
NAMED_CONTRACTS = {"batch_vecmat": ("bk", "bkn", "bn"), "batch_reduce_matmul": ("bmk", "bkn", "mn"),
                   "mmt4d": ("mkMK", "nkNK", "mnMN"), "batch_mmt4d": ("bmkMK", "bnkNK", "bmnMN")}

BINARY = ("add", "sub", "mul", "div", "max", "min")   # the named element-wise ops of two inputs
# Named element-wise ops: linalg.NAME -> (the op it means on floats, on integers; None: not defined).
NAMED_ELEMENTWISE = {"add": ("addf", "addi"), "sub": ("subf", "subi"), "mul": ("mulf", "muli"),
                     "div": ("divf", "divsi"), "max": ("maximumf", "maxsi"), "min": ("minimumf", "minsi"),
                     "exp": ("math.exp", None), "log": ("math.log", None), "abs": ("math.absf", "math.absi"),
                     "negf": ("negf", None), "sqrt": ("math.sqrt", None), "floor": ("math.floor", None),
                     "ceil": ("math.ceil", None), "tanh": ("math.tanh", None)}

# The ins operands of the plain named ops (not of the contractions and convolutions built on NamedOp).
NAMED_ARITY = {f"linalg.{n}": 2 if n in BINARY else 1
               for n in (*NAMED_ELEMENTWISE, "fill", "copy", "transpose", "broadcast")}

OPS = {op.name: op for op in (
    GenericOp(), TerminatorOp("linalg.yield"), ElementwiseKindOp(), ContractOp(),
    *(NamedContractOp(f"linalg.{n}", maps) for n, maps in NAMED_CONTRACTS.items()),
    ReduceOp(), MapOp(), IndexOp(), SoftmaxOp(), *(ContractionOp(f"linalg.{n}") for n in CONTRACTIONS),
    *(NamedOp(f"linalg.{n}") for n in NAMED_ELEMENTWISE),
    NamedOp("linalg.fill"), NamedOp("linalg.copy"), *(ConvOp(f"linalg.{n}") for n in CONVOLUTIONS),
    NamedOp("linalg.transpose", "permutation"), NamedOp("linalg.broadcast", "dimensions"),
)}
OPS.update({f"linalg.{q}": QuantizedOp(f"linalg.{q}", OPS[f"linalg.{base}"]) for q, base in QUANTIZED.items()})
OPS.update(PACK_OPS)
