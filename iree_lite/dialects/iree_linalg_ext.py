"""iree_linalg_ext: IREE's own structured ops, as its torch and ONNX input
conversions emit them (gather, scatter, scan, ...), and the ones its own
pipeline forms (map_load, map_store, the winograd transforms).

Their syntax is one form: the op's clauses (`dimension_map = [..]`,
`unique_indices(true)`, `dimension(0)`, `inclusive(true)`), then
`ins(..) outs(..)`, an optional region ending in `iree_linalg_ext.yield`,
and `-> result types`. The linalg rewrite lowers them
(passes/linalg_ext.py); the verifiers follow IREE's (LinalgExtOps.cpp),
with its messages where iree-lite has the same check.
"""
from ..ir.core import Diagnostic, Operation
from ..ir.ops import OpDef, TerminatorOp, ends_in
from ..ir.types import ScalarType, TensorType
from .linalg import finish, ins_outs, parse_ins_outs
from .tensor import parse_mixed_list

I1 = ScalarType("i1")


def parse_bool(p, what):
    p.parse_punct("(")
    tok = p.parse_kind("ident", f"true or false for {what}")
    if tok.text not in ("true", "false"):
        raise p.error(f"expected true or false for {what}", tok)
    p.parse_punct(")")
    return tok.text == "true"


class ExtOp(OpDef):
    """An op of this dialect: `clauses` maps each clause keyword to its
    parser, `region` says whether a body follows outs(..)."""
    clauses = {}
    region = False

    def parse(self, p, loc, result_names):
        attrs = dict(p.parse_optional_attr_dict())   # before the clauses or after them
        if p.parse_optional_punct("<"):   # IREE 3.13's `<indexing_maps = [..]>` properties
            def entry():
                key = p.parse_kind("ident", "a property name").text
                p.parse_punct("=")
                attrs[key] = p.parse_attribute()
            p.parse_comma_list(entry, ">")
        while p.tok.kind == "ident" and p.tok.text in self.clauses:
            key = p.advance().text
            attrs[key] = self.clauses[key](p, key)
        attrs.update(p.parse_optional_attr_dict())
        ins, in_types, outs, out_types = parse_ins_outs(p)
        trailing = self.parse_trailing(p)
        regions = []
        if self.region:
            regions = [p.parse_region([], ends_in("iree_linalg_ext.yield", f"'{self.name}' body"),
                                      f"'{self.name}' body")]
        if p.parse_optional_punct("->"):   # `-> A, B`, without parentheses
            tok = p.tok
            results = p.parse_result_types()
            while p.parse_optional_punct(","):
                results.append(p.parse_type())
            if [str(t) for t in results] != [str(t) for t in out_types]:
                raise p.error(f"'{self.name}' results must have the types of its outs operands", tok)
        op = finish(p, self.name, ins, in_types, outs, out_types, attrs, regions, loc)
        op.operands += trailing
        return op

    def parse_trailing(self, p):
        """Operands written after outs(..), kept after the outs operands."""
        return []

    def split(self, op):
        """(ins, outs) operands, without the trailing ones."""
        ins, outs = ins_outs(op)
        return ins, outs[:len(op.results)]

    def check_results(self, op, fail):
        ins, outs = self.split(op)
        if not all(isinstance(v.type, TensorType) for v in ins + outs):
            fail(f"'{self.name}' takes tensors")
        if tuple(r.type for r in op.results) != tuple(v.type for v in outs):
            fail(f"'{self.name}' results must have the types of its outs operands")
        return ins, outs

    def check_body(self, op, fail, arguments, yielded):
        block = op.regions[0].blocks[0]
        if [str(a.type) for a in block.arguments] != [str(t) for t in arguments]:
            fail(f"'{self.name}' region must take ({', '.join(map(str, arguments))})")
        have = [v.type for v in block.operations[-1].operands]
        if [str(t) for t in have] != [str(t) for t in yielded]:
            fail(f"'{self.name}' region must yield ({', '.join(map(str, yielded))}), not "
                 f"({', '.join(map(str, have))})")


def index_parts(op, fail, original, update, indices):
    """IREE's shared gather/scatter verifier: (batch rank, index depth) of an
    op whose `original` is indexed by `indices` and whose `update` is
    (batch dimensions, then the slice: original's dimensions past the
    indexed ones)."""
    dim_map = op.attributes["dimension_map"]
    name = op.name
    if indices.rank < 1 or not (indices.element.is_int or str(indices.element) == "index"):
        fail(f"'{name}' op expected indices to be of rank 1 or greater and of integer or index element type")
    if not dim_map:
        fail(f"'{name}' op dimension map must have at least one element")
    if sorted(dim_map) != list(range(len(dim_map))):
        fail(f"'{name}' op dimension map is invalid: it must permute 0..{len(dim_map) - 1}")
    depth = len(dim_map)
    slice_rank = original.rank - depth
    what = ("source", "result") if name.endswith("gather") else ("original", "update")
    if slice_rank < 0:
        fail(f"'{name}' op expected {what[0]} rank to be greater or equal to index depth")
    if update.rank < slice_rank:
        fail(f"'{name}' op expected {what[1]} to be at least the rank of non indexed {what[0]} dims")
    batch = update.rank - slice_rank
    if (indices.rank != batch or depth != 1) and indices.rank != batch + 1:
        fail(f"'{name}' op expected indices to be equal to batch rank or batch rank + 1")
    for k in range(batch):
        if None not in (indices.shape[k], update.shape[k]) and indices.shape[k] != update.shape[k]:
            fail(f"'{name}' op mismatch in shape of indices and {what[1]} value at dim#{k}")
    if indices.rank == batch + 1 and indices.shape[-1] not in (None, depth):
        fail(f"'{name}' op size of dimension map must match the last dimension of indices")
    for k in range(slice_rank):
        a, b = update.shape[batch + k], original.shape[depth + k]
        if None not in (a, b) and a != b:
            fail(f"'{name}' op shape of {what[1]} value dim#{batch + k} must match {what[0]} value at "
                 f"dim#{depth + k}")
    return batch, depth


def check_mask(op, fail, mask, update, batch):
    """The optional mask: i1 over the batch dimensions; where false, the
    batch element is left as it was."""
    if mask.element != I1 or mask.rank != batch or \
            any(None not in (a, b) and a != b for a, b in zip(mask.shape, update.shape)):
        fail(f"'{op.name}' op mask must be i1 of the batch shape, not '{mask}'")


class GatherOp(ExtOp):
    """`gather dimension_map = [..] ins(%source, %indices[, %mask]) outs(%out)`:
    out[b.., s..] = source[i.., s..] where i[dimension_map[k]] = indices[b.., k]."""
    name = "iree_linalg_ext.gather"
    clauses = {"dimension_map": lambda p, key: (p.parse_punct("="), parse_mixed_list(p, key))[1]}

    def verify(self, op, fail):
        ins, outs = self.check_results(op, fail)
        if len(ins) not in (2, 3) or len(outs) != 1:
            fail(f"'{self.name}' takes ins(source, indices[, mask]) and one outs")
        source, indices, out = ins[0].type, ins[1].type, outs[0].type
        if source.element != out.element:
            fail(f"'{self.name}' op expected source and result to have the same element type")
        batch, _ = index_parts(op, fail, source, out, indices)
        if len(ins) == 3:
            check_mask(op, fail, ins[2].type, out, batch)


class ScatterOp(ExtOp):
    """`scatter dimension_map = [..] unique_indices(b) ins(%updates, %indices[, %mask])
    outs(%original) { ^bb0(%u, %o): .. yield %v }`: each batch element's
    update slice combined into original at its indices, in order."""
    name = "iree_linalg_ext.scatter"
    clauses = {"dimension_map": GatherOp.clauses["dimension_map"], "unique_indices": parse_bool}
    region = True

    def verify(self, op, fail):
        ins, outs = self.check_results(op, fail)
        if len(ins) not in (2, 3) or len(outs) != 1:
            fail(f"'{self.name}' takes ins(updates, indices[, mask]) and one outs")
        update, indices, original = ins[0].type, ins[1].type, outs[0].type
        batch, _ = index_parts(op, fail, original, update, indices)
        if len(ins) == 3:
            check_mask(op, fail, ins[2].type, update, batch)
        self.check_body(op, fail, [update.element, original.element], [original.element])


def parse_dimension(p, key):
    p.parse_punct("(")
    value = int(p.parse_kind("integer", f"the {key}").text)
    p.parse_punct(")")
    return value


class ScanOp(ExtOp):
    """`scan dimension(d) inclusive(b) ins(%x) outs(%out, %acc) { ^bb0(%prev, %cur): .. }`:
    out[.., 0, ..] = x[.., 0, ..] (inclusive) or acc (exclusive), then
    out[k] = region(out[k - 1], x[k]) (inclusive) or region(out[k - 1], x[k - 1]),
    and acc = out[n - 1] when n > 1 (else acc as given), as IREE computes it."""
    name = "iree_linalg_ext.scan"
    clauses = {"dimension": parse_dimension, "inclusive": parse_bool}
    region = True

    def verify(self, op, fail):
        ins, outs = self.check_results(op, fail)
        if len(ins) != 1 or len(outs) != 2:
            fail(f"'{self.name}' takes one ins and two outs (the result and the accumulator)")
        x, out, acc = ins[0].type, outs[0].type, outs[1].type
        dim = op.attributes.get("dimension")
        if dim is None or "inclusive" not in op.attributes:
            fail(f"'{self.name}' needs dimension(d) and inclusive(true or false)")
        if not 0 <= dim < x.rank:
            fail(f"'{self.name}' op dimension {dim} is outside the {x.rank} dimensions of '{x}'")
        if out.element != x.element or acc.element != x.element or \
                any(None not in (a, b) and a != b for a, b in zip(out.shape, x.shape)) or out.rank != x.rank:
            fail(f"'{self.name}' op expected the output '{out}' to be of the input's shape and element type")
        kept = x.shape[:dim] + x.shape[dim + 1:]
        if acc.rank != len(kept) or any(None not in (a, b) and a != b for a, b in zip(acc.shape, kept)):
            fail(f"'{self.name}' op expected the accumulator '{acc}' to be the input's shape without dimension "
                 f"{dim}")
        self.check_body(op, fail, [x.element, x.element], [x.element])


class SortOp(ExtOp):
    """`sort dimension(d) outs(%keys, %values..) { ^bb0(%k0, %k1, %v0, %v1..): .. yield %lt : i1 }`:
    the outs permuted alike along d so that each element comes before a
    later one iff the comparator (earlier, later) holds of them."""
    name = "iree_linalg_ext.sort"
    clauses = {"dimension": parse_dimension}
    region = True

    def verify(self, op, fail):
        ins, outs = self.check_results(op, fail)
        if ins or not outs:
            fail(f"'{self.name}' takes its tensors as outs(..), and no ins")
        t = outs[0].type
        dim = op.attributes.get("dimension")
        if dim is None or not 0 <= dim < t.rank:
            fail(f"'{self.name}' op dimension must be within [0, {t.rank}) for '{t}'")
        if any(v.type.shape != t.shape for v in outs):
            fail(f"'{self.name}' op expected operands to have the same shape")
        self.check_body(op, fail, [e for v in outs for e in (v.type.element,) * 2], [I1])


class TopkOp(ExtOp):
    """`topk dimension(d) ins(%values[, %indices]) outs(%out_values, %out_indices)
    { ^bb0(%a, %b): .. yield %a_first : i1 }`: the outs updated with the
    inputs that come before their elements (by the comparator, then by index)."""
    name = "iree_linalg_ext.topk"
    clauses = {"dimension": parse_dimension}
    region = True
    outs = (2,)

    def verify(self, op, fail):
        ins, outs = self.check_results(op, fail)
        if len(ins) not in (1, 2) or len(outs) not in self.outs:
            fail(f"'{self.name}' takes ins(values[, indices]) and outs(values{'[' if 1 in self.outs else ''}, "
                 f"indices{']' if 1 in self.outs else ''})")
        x, values = ins[0].type, outs[0].type
        indices = outs[1].type if len(outs) == 2 else TensorType(values.shape, ins[1].type.element if len(ins) == 2
                                                                 else ScalarType("i32"))
        dim = op.attributes.get("dimension")
        if dim is None or not 0 <= dim < x.rank:
            fail(f"'{self.name}' op dimension must be within [0, {x.rank}) for '{x}'")
        if len(ins) == 2 and (ins[1].type.shape != x.shape or ins[1].type.element != indices.element):
            fail(f"'{self.name}' op input indices must be of the input values' shape and the output indices' type")
        if values.element != x.element or not indices.element.is_int or values.shape != indices.shape:
            fail(f"'{self.name}' op output values must be of the input's element type, and output indices "
                 "integers of their shape")
        if values.rank != x.rank or any(None not in (a, b) and a != b for d, (a, b) in enumerate(zip(values.shape, x.shape))
                                        if d != dim):
            fail(f"'{self.name}' op output '{values}' must be the input's shape but along dimension {dim}")
        self.check_body(op, fail, [x.element, x.element], [I1])


class TopkV2Op(TopkOp):
    """`topk_v2 dimension(d) [is_sorted] ins(..) outs(%values[, %indices])`:
    topk whose indices output is optional; its results come sorted either way."""
    name = "iree_linalg_ext.topk_v2"
    clauses = {"dimension": parse_dimension, "is_sorted": lambda p, key: True}
    outs = (1, 2)


class ArgCompareOp(ExtOp):
    """`arg_compare dimension(d) ins(%x) outs(%value, %index) [index_base(%b : index)]
    { ^bb0(%a, %best): .. yield %a_wins : i1 }`: along d, in order, an element
    replaces the best so far (first the outs) iff the region holds of (it,
    best); the index is its position plus the base."""
    name = "iree_linalg_ext.arg_compare"
    clauses = {"dimension": parse_dimension}
    region = True

    def parse_trailing(self, p):
        if not p.parse_optional_keyword("index_base"):
            return []
        p.parse_punct("(")
        base = p.parse_operand()
        p.parse_punct(":")
        t = p.parse_type()
        p.parse_punct(")")
        return p.resolve_all([base], [t])

    def verify(self, op, fail):
        ins, outs = self.check_results(op, fail)
        if len(ins) != 1 or len(outs) != 2:
            fail(f"'{self.name}' takes one ins and outs(value, index)")
        x, value, index = ins[0].type, outs[0].type, outs[1].type
        dim = op.attributes.get("dimension")
        if dim is None or not 0 <= dim < x.rank:
            fail(f"'{self.name}' op dimension must be within [0, {x.rank}) for '{x}'")
        kept = x.shape[:dim] + x.shape[dim + 1:]
        if value.element != x.element or not index.element.is_int or value.shape != index.shape or \
                value.rank != len(kept) or any(None not in (a, b) and a != b for a, b in zip(value.shape, kept)):
            fail(f"'{self.name}' op outputs must be the input's shape without dimension {dim}: its values, and "
                 "integer indices")
        base = op.operands[len(ins) + 2:]
        if base and str(base[0].type) != "index":
            fail(f"'{self.name}' op index_base must be an index")
        self.check_body(op, fail, [x.element, x.element], [I1])


def score_type(op):
    """The type an attention op computes its scores, softmax and sums in:
    attention's is f32 for outputs narrower (IREE accumulates in f32 and
    truncates the result), else the output's; online_attention's is its
    outputs'. The score region takes and yields this type."""
    element = op.operands[op.attributes["num_ins"].value].type.element
    if op.name == "iree_linalg_ext.attention" and element.is_float and element.bitwidth < 32:
        return ScalarType("f32")
    return element


class AttentionOp(ExtOp):
    """`attention {indexing_maps = [Q, K, V, scale, (mask,) O]} ins(%q, %k, %v, %scale[, %mask])
    outs(%o) { ^bb0(%score): .. yield %s }`: softmax(region(scale * Q K^T), masked) V,
    the maps' iteration dimensions naming batch, m, k1, k2 and n. The scores
    are of the output's type; the inputs may be narrower floats."""
    name = "iree_linalg_ext.attention"
    region = True
    outs, outs_named = 1, "one outs"

    def verify(self, op, fail):
        ins, outs = self.split(op)
        if tuple(r.type for r in op.results) != tuple(v.type for v in outs):
            fail(f"'{self.name}' results must have the types of its outs operands")
        if len(ins) not in (4, 5) or len(outs) != self.outs:
            fail(f"'{self.name}' takes ins(query, key, value, scale[, mask]) and {self.outs_named}")
        operands = ins + outs
        maps = op.attributes.get("indexing_maps")
        maps = getattr(maps, "values", None)
        if not maps or len(maps) != len(operands) or any(not hasattr(m, "results") or m.results is None or
                                                         None in m.results for m in maps):
            fail(f"'{self.name}' needs indexing_maps of dimensions, one per operand")
        for i, (m, v) in enumerate(zip(maps, operands)):
            rank = v.type.rank if isinstance(v.type, TensorType) else 0
            if len(m.results) != rank or (i != 3 and not isinstance(v.type, TensorType)):
                fail(f"'{self.name}' indexing map {i} does not fit operand of type '{v.type}'")
        element = outs[0].type.element
        if not element.is_float or isinstance(ins[3].type, TensorType) or not ins[3].type.is_float or \
                any(not x.type.element.is_float for x in ins[:3]) or ins[0].type.element != ins[1].type.element:
            fail(f"'{self.name}' op query, key, value, scale and output must be floats (a float scale), query and "
                 "key of one type")
        q, k, v, o = maps[0].results, maps[1].results, maps[2].results, maps[len(ins)].results
        if len(outs) == 3 and (outs[1].type != outs[2].type or outs[1].type.element != element or
                               any(d not in o for d in maps[-1].results) or maps[-1].results != maps[-2].results):
            fail(f"'{self.name}' op max and sum must be alike, of the output's type, indexed by output dimensions")
        if not any(d in k and d not in o for d in q) or not any(d in v and d not in o for d in k):
            fail(f"'{self.name}' op indexing maps must contract query with key and the scores with value")
        self.check_body(op, fail, [score_type(op)], [score_type(op)])


class OnlineAttentionOp(AttentionOp):
    """`online_attention {indexing_maps = [Q, K, V, scale, (mask,) acc, max, sum]} ins(..)
    outs(%acc, %max, %sum)`: one step of attention over a block of keys, the
    running max (of the base-2 scores) and sum carried in and out."""
    name = "iree_linalg_ext.online_attention"
    outs, outs_named = 3, "outs(acc, max, sum)"


def parse_image_dimensions(p, key):
    p.parse_punct("(")
    dims = parse_mixed_list(p, key)
    p.parse_punct(")")
    return dims


class WinogradOp(ExtOp):
    """`winograd.input_transform output_tile_size(6) kernel_size(3) image_dimensions([1, 2])
    ins(%image) outs(%tiles)`: each 8x8 tile (stride 6, zero past the image)
    of an NHWC ([1, 2]) or NCHW ([2, 3]) image as B^T tile B, in an
    8x8xNxH'xW'xC result; `winograd.output_transform` takes such tiles back,
    A^T tile A, to the 6x6 blocks of the image. Rank 2: one tile. F(6x6, 3x3)
    only, as IREE's constants are."""
    clauses = {"output_tile_size": parse_dimension, "kernel_size": parse_dimension,
               "image_dimensions": parse_image_dimensions}

    def __init__(self, name):
        self.name = name
        self.input = name.endswith("input_transform")

    def verify(self, op, fail):
        ins, outs = self.check_results(op, fail)
        if len(ins) != 1 or len(outs) != 1:
            fail(f"'{self.name}' takes one ins and one outs")
        x, y = ins[0].type, outs[0].type
        attrs = op.attributes
        if any(k not in attrs for k in self.clauses):
            fail(f"'{self.name}' needs output_tile_size(..), kernel_size(..) and image_dimensions(..)")
        m, r, dims = attrs["output_tile_size"], attrs["kernel_size"], tuple(attrs["image_dimensions"])
        if (m, r) != (6, 3):
            fail(f"'{self.name}' with output_tile_size({m}) kernel_size({r}) is not supported by iree-lite yet "
                 "(only 6 and 3)")
        if x.element != y.element:
            fail(f"'{self.name}' op expected input/output element types to be identical")
        tile = m + r - 1
        image, tiles = (x, y) if self.input else (y, x)
        if tiles.rank == 2:
            if image.rank != 2:
                fail(f"'{self.name}' op expected output operand to have rank 2 if input is of rank 2")
            if tiles.shape != (tile, tile) or any(n is None or n > (tile if self.input else m) for n in image.shape) \
                    or (not self.input and image.shape != (m, m)):
                image_size = "tile-sized" if self.input else f"{m}x{m}"
                fail(f"'{self.name}' op expected a {tile}x{tile} tile and a {image_size} image if of rank 2")
        else:
            if image.rank != 4 or tiles.rank != 6:
                fail(f"'{self.name}' op expects an image of rank 4 and tiles of rank 6, or both of rank 2")
            if dims not in ((1, 2), (2, 3)):
                fail(f"'{self.name}' op expect image dimensions to be either [1, 2] or [2, 3]")
            if not (image.is_static and tiles.is_static):
                fail(f"'{self.name}' of dynamic shape is not supported by iree-lite yet")
            n, c = image.shape[0], image.shape[3 if dims == (1, 2) else 1]
            h, w = (image.shape[d] for d in dims)
            if self.input:
                want = (tile, tile, n, -(-(h - r + 1) // m), -(-(w - r + 1) // m), c)
            else:
                want = (tile, tile, n, h // m, w // m, c)
                if h % m or w % m:
                    want = None
            if tiles.shape != want:
                fail(f"'{self.name}' op incompatible output shape")
        if not x.element.is_float:
            fail(f"'{self.name}' takes float tensors")


class WinogradFilterOp(WinogradOp):
    """`winograd.filter_transform output_tile_size(6) kernel_size(3) kernel_dimensions([0, 1])
    ins(%kernel) outs(%out)`: each 3x3 kernel of an HWCF ([0, 1]) or FCHW
    ([2, 3]) filter as G kernel G^T, in an 8x8xCxF result; rank 2: one kernel."""
    clauses = {"output_tile_size": parse_dimension, "kernel_size": parse_dimension,
               "kernel_dimensions": parse_image_dimensions}

    def __init__(self):
        super().__init__("iree_linalg_ext.winograd.filter_transform")

    def verify(self, op, fail):
        def error(message):
            fail(f"'{self.name}' op {message}")
        ins, outs = self.check_results(op, fail)
        if len(ins) != 1 or len(outs) != 1:
            fail(f"'{self.name}' takes one ins and one outs")
        x, y = ins[0].type, outs[0].type
        if any(k not in op.attributes for k in self.clauses):
            fail(f"'{self.name}' needs output_tile_size(..), kernel_size(..) and kernel_dimensions(..)")
        m, r, dims = (op.attributes[k] for k in self.clauses)
        if (m, r) != (6, 3):
            fail(f"'{self.name}' with output_tile_size({m}) kernel_size({r}) is not supported by iree-lite yet "
                 "(only 6 and 3)")
        if x.element != y.element:
            error("expected input/output element types to be identical")
        if x.rank != y.rank:
            error("expected output rank to be equal to input rank")
        if x.rank == 2:
            if x.shape != (r, r):
                error("expected input dims to be equal to kernel size if input is of rank 2")
            if y.shape != (m + r - 1,) * 2:
                error("incompatible output shape")
        elif x.rank == 4:
            if tuple(dims) not in ((0, 1), (2, 3)):
                error("expect kernel dimensions to be either [0, 1] or [2, 3]")
            if not (x.is_static and y.is_static):
                fail(f"'{self.name}' of dynamic shape is not supported by iree-lite yet")
            c, f = (x.shape[2], x.shape[3]) if tuple(dims) == (0, 1) else (x.shape[1], x.shape[0])
            if any(x.shape[d] != r for d in dims) or y.shape != (m + r - 1, m + r - 1, c, f):
                error("incompatible output shape")
        else:
            fail(f"'{self.name}' takes a filter of rank 4, or one kernel of rank 2")
        if not x.element.is_float:
            fail(f"'{self.name}' takes float tensors")


class MapOp(OpDef):
    """`map_load %source into %out { ^bb0(%i..: index): .. yield %s.., %padding }
    : A into B -> B`: out[i..] = source[s..], or the padding where s.. is
    outside the source. `map_store %x into %out { ^bb0(%i..: index): ..
    yield %o.., %mask : .., i1 } : A into B -> B`: out[o..] = x[i..] where
    the mask holds (out as it was elsewhere). The region maps the coordinates
    of the op's iteration space (out's for a load, x's for a store)."""

    def __init__(self, name):
        self.name = name
        self.load = name.endswith("map_load")

    def parse(self, p, loc, result_names):
        attrs = p.parse_optional_attr_dict()
        first = p.parse_operand()
        p.parse_keyword("into")
        out = p.parse_operand()
        region = p.parse_region([], ends_in("iree_linalg_ext.yield", f"'{self.name}' region"),
                                f"'{self.name}' region")
        p.parse_punct(":")
        types = [p.parse_type()]
        p.parse_keyword("into")
        types.append(p.parse_type())
        if not p.parse_optional_punct("->"):
            raise p.error(f"'{self.name}' of tensors needs its result type (`-> {types[1]}`)")
        tok = p.tok
        result = p.parse_type()
        if result != types[1]:
            raise p.error(f"'{self.name}' result must have the output's type '{types[1]}'", tok)
        return Operation(self.name, p.resolve_all([first, out], types), [result], attrs, regions=[region], loc=loc)

    def verify(self, op, fail):
        first, out = (v.type for v in op.operands)
        what = "source" if self.load else "input"
        if not isinstance(first, TensorType) or not isinstance(out, TensorType):
            fail(f"'{self.name}' takes tensors")
        if first.element != out.element:
            fail(f"'{self.name}' op expected {what} and output element types to match")
        if not self.load and first.rank == 0:
            fail(f"'{self.name}' op expected input type to have non-zero rank")
        block = op.regions[0].blocks[0]
        space, target = (out, first) if self.load else (first, out)
        if len(block.arguments) != space.rank:
            fail(f"'{self.name}' op expected number of block arguments to be equal to the "
                 f"{'output' if self.load else 'input'} rank")
        if any(str(a.type) != "index" for a in block.arguments):
            fail(f"'{self.name}' op expected block arguments to be index types")
        yielded = [v.type for v in block.operations[-1].operands]
        if len(yielded) != target.rank + 1:
            fail(f"'{self.name}' op expected transformation_region to yield a value for each "
                 f"{'source dimension and a padding value' if self.load else 'output dimension and a mask'}")
        if any(str(t) != "index" for t in yielded[:-1]):
            fail(f"'{self.name}' op expected yielded indices to be index types")
        if self.load and yielded[-1] != first.element:
            fail(f"'{self.name}' op expected yielded padding value type to match source element type")
        if not self.load and yielded[-1] != I1:
            fail(f"'{self.name}' op expected yielded mask to be i1 type")


class NotCompiledOp(OpDef):
    """An op of IREE 3.13's dialect that iree-lite does not compile: a
    located error saying why, for the custom and the generic form alike."""

    def __init__(self, name, why):
        self.name, self.why = name, why

    def parse(self, p, loc, result_names):
        raise Diagnostic(f"'{self.name}' {self.why}", loc, p.lexer.text)

    def verify(self, op, fail):
        fail(f"'{self.name}' {self.why}")


PIPELINE_ONLY = ("is formed inside IREE's own compilation pipeline, not by its input conversions, and iree-lite "
                 "does not compile it; write the computation in linalg")
NOT_COMPILED = [NotCompiledOp("iree_linalg_ext.im2col", PIPELINE_ONLY),
                NotCompiledOp("iree_linalg_ext.exp_reduction", PIPELINE_ONLY)]

OPS = {op.name: op for op in (*NOT_COMPILED, GatherOp(), ScatterOp(), ScanOp(), SortOp(), TopkOp(), TopkV2Op(), ArgCompareOp(),
                              AttentionOp(), OnlineAttentionOp(), MapOp("iree_linalg_ext.map_load"),
                              MapOp("iree_linalg_ext.map_store"),
                              WinogradOp("iree_linalg_ext.winograd.input_transform"),
                              WinogradOp("iree_linalg_ext.winograd.output_transform"), WinogradFilterOp(),
                              TerminatorOp("iree_linalg_ext.yield"))}
from .iree_linalg_ext_fft import OPS as FFT_OPS  # noqa: E402 (these build on ExtOp, above)
from .iree_linalg_ext_quant import OPS as QUANT_OPS  # noqa: E402
from .iree_linalg_ext_custom import OPS as CUSTOM_OPS, IndexOp  # noqa: E402,F401 (IndexOp: for the passes)
OPS.update(CUSTOM_OPS)
OPS.update(QUANT_OPS)
OPS.update(FFT_OPS)
