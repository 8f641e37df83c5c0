"""iree_linalg_ext ops (gather, scatter, scan, sort, topk, topk_v2,
arg_compare): against numpy definitions on both VMs, byte for byte against
IREE, and their located errors. Attention: test_linalg_ext_attention.py."""
import numpy as np
import pytest

from tool_runs import as_buffer, compile_error, run_mlir_both
NP = {"f32": np.float32, "i32": np.int32, "i64": np.int64, "i8": np.int8}


def tensor(shape, element):
    return "tensor<" + "".join(f"{n}x" for n in shape) + f"{element}>"


def np_gather(src, indices, dim_map, batch):
    """IREE's definition: out[b.., s..] = src[i.., s..], i[dim_map[k]] = indices[b.., k]."""
    idx = indices.reshape(indices.shape[:batch] + (len(dim_map),))
    out = np.empty(idx.shape[:batch] + src.shape[len(dim_map):], src.dtype)
    for b in np.ndindex(*idx.shape[:batch]):
        coords = [0] * len(dim_map)
        for k, d in enumerate(dim_map):
            coords[d] = int(idx[b + (k,)])
        out[b] = src[tuple(coords)]
    return out


def np_scatter(original, updates, indices, dim_map, batch, combine, mask=None):
    """Each batch element in row-major order, its slice combined into original."""
    out = original.copy()
    idx = indices.reshape(indices.shape[:batch] + (len(dim_map),))
    for b in np.ndindex(*idx.shape[:batch]):
        coords = [0] * len(dim_map)
        for k, d in enumerate(dim_map):
            coords[d] = int(idx[b + (k,)])
        if mask is not None and not mask[b]:
            continue
        out[tuple(coords)] = combine(updates[b], out[tuple(coords)])
    return out


def gather_program(src, indices, out, dim_map, element="f32", index="i32"):
    s, i, o = tensor(src, element), tensor(indices, index), tensor(out, element)
    return (f"func.func @gather(%src: {s}, %idx: {i}) -> {o} {{\n  %init = tensor.empty() : {o}\n"
            f"  %r = iree_linalg_ext.gather dimension_map = {list(dim_map)} ins(%src, %idx : {s}, {i})"
            f" outs(%init : {o}) -> {o}\n  return %r : {o}\n}}\n")


COMBINERS = {"set": ("", "%a", lambda u, o: u),
             "add": ("    %v = arith.addf %a, %b : f32\n", "%v", lambda u, o: u + o),
             "addsq": ("    %s = arith.addf %a, %b : f32\n    %v = arith.mulf %s, %s : f32\n", "%v",
                       lambda u, o: (u + o) * (u + o))}


def scatter_program(original, updates, indices, dim_map, combiner, unique=False, element="f32", index="i32"):
    o, u, i = tensor(original, element), tensor(updates, element), tensor(indices, index)
    body, value, _ = COMBINERS[combiner]
    return (f"func.func @scatter(%orig: {o}, %upd: {u}, %idx: {i}) -> {o} {{\n"
            f"  %r = iree_linalg_ext.scatter dimension_map = {list(dim_map)} unique_indices({str(unique).lower()})\n"
            f"    ins(%upd, %idx : {u}, {i}) outs(%orig : {o}) {{\n  ^bb0(%a: {element}, %b: {element}):\n{body}"
            f"    iree_linalg_ext.yield {value} : {element}\n  }} -> {o}\n  return %r : {o}\n}}\n")


def call(ctx, name, args):
    from iree_lite.vm import interp
    if isinstance(ctx, interp.Context):
        results = ctx.invoke(name, [as_buffer(a) for a in args])
        return [np.frombuffer(bytes(r.data), NP[r.element if isinstance(r.element, str) else str(r.element)])
                .reshape(r.shape) for r in results]
    return [np.asarray(r) for r in ctx.invoke(name, list(args))]


# (source shape, indices shape, output shape, dimension_map)
GATHERS = [((10, 3), (4, 1), (4, 3), (0,)), ((10, 3), (4,), (4, 3), (0,)), ((4, 5, 2), (3, 2), (3, 2), (0, 1)),
           ((4, 5, 2), (3, 2), (3, 2), (1, 0)), ((4, 5), (2,), (), (0, 1)), ((6, 7), (1,), (7,), (0,)),
           ((6, 7), (2, 3, 1), (2, 3, 7), (0,)), ((5, 4), (3, 1), (3, 1, 4), (0,))]


@pytest.mark.parametrize("src_shape,idx_shape,out_shape,dim_map", GATHERS)
def test_gather_matches_numpy(src_shape, idx_shape, out_shape, dim_map, both_vms):
    rng = np.random.default_rng(1)
    src = rng.standard_normal(src_shape).astype(np.float32)
    batch = len(out_shape) - (len(src_shape) - len(dim_map))
    bound = np.array([src_shape[d] for d in dim_map], np.int32)
    indices = (rng.integers(0, 1 << 20, idx_shape[:batch] + (len(dim_map),)) % bound).astype(np.int32)
    indices = indices.reshape(idx_shape)
    want = np_gather(src, indices, dim_map, batch).reshape(out_shape)
    for ctx in both_vms(gather_program(src_shape, idx_shape, out_shape, dim_map)):
        np.testing.assert_array_equal(call(ctx, "gather", [src, indices])[0], want)


MASKED_GATHER = """
func.func @gather(%src: tensor<5x2xi32>, %idx: tensor<3xi64>, %m: tensor<3xi1>, %out: tensor<3x2xi32>) -> tensor<3x2xi32> {
  %r = iree_linalg_ext.gather dimension_map = [0] ins(%src, %idx, %m : tensor<5x2xi32>, tensor<3xi64>, tensor<3xi1>)
    outs(%out : tensor<3x2xi32>) -> tensor<3x2xi32>
  return %r : tensor<3x2xi32>
}
"""


def test_gather_mask_keeps_the_output(both_vms):
    src = np.arange(10, dtype=np.int32).reshape(5, 2)
    out = np.full((3, 2), -7, np.int32)
    mask, idx = np.array([True, False, True]), np.array([4, 1, 0], np.int64)
    native, ref = both_vms(MASKED_GATHER)
    want = np.where(mask[:, None], src[idx], out)
    np.testing.assert_array_equal(call(native, "gather", [src, idx, mask, out])[0], want)
    args = [as_buffer(a, e) for e, a in
            (("i32", src), ("i64", idx), ("i1", mask.astype(np.uint8)), ("i32", out))]
    (r,) = ref.invoke("gather", args)
    np.testing.assert_array_equal(np.frombuffer(bytes(r.data), np.int32).reshape(3, 2), want)


def test_gather_index_outside_fails_the_call(both_vms):
    from iree_lite.vm import interp
    src = np.zeros((10, 3), np.float32)
    for ctx in both_vms(gather_program((10, 3), (4, 1), (4, 3), (0,))):
        for bad in (10, -1):
            with pytest.raises((RuntimeError, interp.VMError), match="OUT_OF_RANGE"):
                call(ctx, "gather", [src, np.array([[1], [bad], [2], [3]], np.int32)])


# (original shape, updates shape, indices shape, dimension_map, combiner)
SCATTERS = [((8,), (5,), (5, 1), (0,), "add"), ((8,), (6,), (6, 1), (0,), "addsq"), ((6, 3), (4, 3), (4, 1), (0,), "set"),
            ((5, 4), (7,), (7, 2), (1, 0), "add"), ((5, 4, 3), (2, 2, 3), (2, 2, 2), (0, 1), "add"),
            ((6, 3), (2, 3), (2,), (0,), "addsq"), ((4, 6), (3, 2, 6), (3, 2, 1), (0,), "add")]


@pytest.mark.parametrize("orig_shape,upd_shape,idx_shape,dim_map,combiner", SCATTERS)
def test_scatter_matches_numpy(orig_shape, upd_shape, idx_shape, dim_map, combiner, both_vms):
    rng = np.random.default_rng(2)
    original = rng.standard_normal(orig_shape).astype(np.float32)
    updates = rng.standard_normal(upd_shape).astype(np.float32)
    batch = len(upd_shape) - (len(orig_shape) - len(dim_map))
    bound = np.array([orig_shape[d] for d in dim_map], np.int32)
    indices = (rng.integers(0, 1 << 20, idx_shape[:batch] + (len(dim_map),)) % bound).astype(np.int32)
    indices = indices.reshape(idx_shape)
    want = np_scatter(original, updates, indices, dim_map, batch, COMBINERS[combiner][2])
    for ctx in both_vms(scatter_program(orig_shape, upd_shape, idx_shape, dim_map, combiner)):
        np.testing.assert_array_equal(call(ctx, "scatter", [original, updates, indices])[0], want)


MASKED_SCATTER = """
func.func @scatter(%orig: tensor<?xi32>, %upd: tensor<?xi32>, %idx: tensor<?x1xindex>, %m: tensor<?xi1>) -> tensor<?xi32> {
  %r = iree_linalg_ext.scatter dimension_map = [0] unique_indices(true)
    ins(%upd, %idx, %m : tensor<?xi32>, tensor<?x1xindex>, tensor<?xi1>) outs(%orig : tensor<?xi32>) {
  ^bb0(%a: i32, %b: i32):
    %v = arith.subi %b, %a : i32
    iree_linalg_ext.yield %v : i32
  } -> tensor<?xi32>
  return %r : tensor<?xi32>
}
"""


def test_scatter_dynamic_with_mask(both_vms):
    original, updates = np.arange(6, dtype=np.int32) * 10, np.array([1, 2, 3, 4], np.int32)
    idx, mask = np.array([[5], [0], [2], [5]], np.int64), np.array([True, False, True, True])
    want = np_scatter(original, updates, idx, (0,), 1, lambda u, o: o - u, mask)
    native, ref = both_vms(MASKED_SCATTER)
    np.testing.assert_array_equal(call(native, "scatter", [original, updates, idx, mask])[0], want)
    args = [as_buffer(a, e) for e, a in
            (("i32", original), ("i32", updates), ("index", idx), ("i1", mask.astype(np.uint8)))]
    (r,) = ref.invoke("scatter", args)
    np.testing.assert_array_equal(np.frombuffer(bytes(r.data), np.int32), want)


def test_scatter_index_outside_fails_the_call(both_vms):
    """IREE writes outside the tensor (and may crash); iree-lite fails the call."""
    from iree_lite.vm import interp
    for ctx in both_vms(scatter_program((8,), (2,), (2, 1), (0,), "add")):
        for bad in (8, -1):
            with pytest.raises((RuntimeError, interp.VMError), match="OUT_OF_RANGE"):
                call(ctx, "scatter", [np.zeros(8, np.float32), np.ones(2, np.float32), np.array([[1], [bad]], np.int32)])


def np_scan(x, acc, dim, inclusive, combine):
    """IREE's scan: out[0] = x[0] (inclusive) or acc; out[k] = combine(out[k - 1],
    x[k] or x[k - 1]); the accumulator becomes out[n - 1] when n > 1."""
    x = np.moveaxis(x, dim, 0)
    out = np.empty_like(x)
    for k in range(len(x)):
        out[k] = (x[0] if inclusive else acc) if k == 0 else combine(out[k - 1], x[k if inclusive else k - 1])
    return np.moveaxis(out, 0, dim), (out[-1] if len(x) > 1 else acc)


SCAN_BODIES = {"addf": lambda a, b: a + b, "subf": lambda a, b: a - b, "maximumf": np.maximum}


def scan_program(shape, dim, inclusive, body, element="f32"):
    x = tensor(shape, element)
    a = tensor(shape[:dim] + shape[dim + 1:], element)
    return (f"func.func @scan(%x: {x}, %acc: {a}) -> ({x}, {a}) {{\n  %init = tensor.empty() : {x}\n"
            f"  %r:2 = iree_linalg_ext.scan dimension({dim}) inclusive({str(inclusive).lower()})\n"
            f"    ins(%x : {x}) outs(%init, %acc : {x}, {a}) {{\n  ^bb0(%p: {element}, %q: {element}):\n"
            f"    %v = arith.{body} %p, %q : {element}\n    iree_linalg_ext.yield %v : {element}\n"
            f"  }} -> {x}, {a}\n  return %r#0, %r#1 : {x}, {a}\n}}\n")


SCANS = [((7,), 0, True, "addf"), ((7,), 0, False, "subf"), ((3, 5), 1, True, "subf"), ((3, 5), 0, False, "addf"),
         ((2, 6, 3), 1, True, "maximumf"), ((4, 1), 1, True, "addf"), ((4, 1), 1, False, "addf"),
         ((0, 3), 0, True, "addf"), ((2000,), 0, True, "addf")]


@pytest.mark.parametrize("shape,dim,inclusive,body", SCANS)
def test_scan_matches_numpy(shape, dim, inclusive, body, both_vms):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(np.float32)
    acc = rng.standard_normal(shape[:dim] + shape[dim + 1:]).astype(np.float32)
    want = np_scan(x, acc, dim, inclusive, SCAN_BODIES[body])
    for ctx in both_vms(scan_program(shape, dim, inclusive, body)):
        out, final = call(ctx, "scan", [x, acc])
        np.testing.assert_array_equal(out, want[0])
        np.testing.assert_array_equal(final, want[1])


def sort_program(shape, dim, predicate, key="i32", value="i32"):
    k, v = tensor(shape, key), tensor(shape, value)
    op = "cmpf" if key.startswith("f") else "cmpi"
    return (f"func.func @sort(%k: {k}, %v: {v}) -> ({k}, {v}) {{\n"
            f"  %r:2 = iree_linalg_ext.sort dimension({dim}) outs(%k, %v : {k}, {v}) {{\n"
            f"  ^bb0(%a: {key}, %b: {key}, %c: {value}, %d: {value}):\n"
            f"    %lt = arith.{op} {predicate}, %a, %b : {key}\n    iree_linalg_ext.yield %lt : i1\n"
            f"  }} -> {k}, {v}\n  return %r#0, %r#1 : {k}, {v}\n}}\n")


# (shape, dimension, predicate, key type): a non-strict comparator keeps
# equal keys in order (a stable sort); a strict one on distinct keys.
SORTS = [((9,), 0, "sle", "i32"), ((9,), 0, "sge", "i32"), ((4, 7), 1, "ule", "i32"), ((6, 3), 0, "sle", "i32"),
         ((2, 5, 3), 1, "sge", "i32"), ((1,), 0, "sle", "i32"), ((13,), 0, "olt", "f32"), ((3, 10), 1, "ogt", "f32"),
         ((3000,), 0, "sle", "i32")]


@pytest.mark.parametrize("shape,dim,predicate,key", SORTS)
def test_sort_matches_numpy(shape, dim, predicate, key, both_vms):
    rng = np.random.default_rng(4)
    if key == "f32":   # distinct keys
        keys = rng.permutation(np.prod(shape)).reshape(shape).astype(np.float32) - 5
    else:
        keys = rng.integers(-4, 5, shape).astype(np.int32)
    payload = np.arange(np.prod(shape), dtype=np.int32).reshape(shape)
    ordered = keys.astype(np.uint32) if predicate[0] == "u" else keys
    descending = predicate[1] == "g"
    order = np.argsort(-ordered.astype(np.int64) if descending else ordered, axis=dim, kind="stable")
    for ctx in both_vms(sort_program(shape, dim, predicate, key)):
        got_keys, got_payload = call(ctx, "sort", [keys, payload])
        np.testing.assert_array_equal(got_keys, np.take_along_axis(keys, order, dim))
        np.testing.assert_array_equal(got_payload, np.take_along_axis(payload, order, dim))


def test_known_difference_sort_ties_under_a_strict_comparator(reference_iree, tmp_path):
    """IREE sorts by bubble sort, swapping neighbours unless the comparator
    holds: under a strict comparator equal keys end in an order its passes
    make; iree-lite's merge puts the later of two equal keys first."""
    (tmp_path / "p.mlir").write_text(sort_program((8,), 0, "slt"))
    theirs, ours = run_mlir_both(reference_iree, tmp_path / "p.mlir",
                                 ["--function=sort", "--input=8xi32=3 1 3 2 1 3 0 2", "--input=8xi32=0 1 2 3 4 5 6 7"])
    assert theirs[1].split("\n")[4] == "8xi32=6 4 1 7 3 5 0 2"
    assert ours[1].split("\n")[4] == "8xi32=6 4 1 7 3 5 2 0"


def topk_program(shape, k, dim, predicate, with_indices):
    x, i = tensor(shape, "f32"), tensor(shape, "i32")
    out = tuple(k if d == dim else n for d, n in enumerate(shape))
    ov, oi = tensor(out, "f32"), tensor(out, "i32")
    fill = "0xFF800000" if predicate == "ogt" else "0x7F800000"
    ins = f"ins(%x, %i : {x}, {i})" if with_indices else f"ins(%x : {x})"
    return (f"func.func @topk(%x: {x}, %i: {i}) -> ({ov}, {oi}) {{\n"
            f"  %fill = arith.constant {fill} : f32\n  %zero = arith.constant 0 : i32\n"
            f"  %ev = tensor.empty() : {ov}\n  %ei = tensor.empty() : {oi}\n"
            f"  %v0 = linalg.fill ins(%fill : f32) outs(%ev : {ov}) -> {ov}\n"
            f"  %i0 = linalg.fill ins(%zero : i32) outs(%ei : {oi}) -> {oi}\n"
            f"  %r:2 = iree_linalg_ext.topk dimension({dim}) {ins} outs(%v0, %i0 : {ov}, {oi}) {{\n"
            f"  ^bb0(%a: f32, %b: f32):\n    %c = arith.cmpf {predicate}, %a, %b : f32\n"
            f"    iree_linalg_ext.yield %c : i1\n  }} -> {ov}, {oi}\n  return %r#0, %r#1 : {ov}, {oi}\n}}\n")


TOPKS = [((10,), 3, 0, "ogt", True), ((10,), 4, 0, "olt", False), ((3, 12), 5, 1, "ogt", False),
         ((9, 2), 2, 0, "olt", True), ((7,), 7, 0, "ogt", False), ((2000,), 8, 0, "ogt", False)]


@pytest.mark.parametrize("shape,k,dim,predicate,with_indices", TOPKS)
def test_topk_matches_numpy(shape, k, dim, predicate, with_indices, both_vms):
    rng = np.random.default_rng(5)
    x = rng.integers(-6, 6, shape).astype(np.float32)   # ties: the smaller index first
    idx = (rng.permutation(np.prod(shape)).reshape(shape) if with_indices else
           np.broadcast_to(np.arange(shape[dim]).reshape([-1 if d == dim else 1 for d in range(len(shape))]), shape))
    idx = np.ascontiguousarray(idx, dtype=np.int32)
    keys = np.stack([-x if predicate == "ogt" else x, idx.astype(np.float32)])
    order = np.lexsort(keys[::-1], axis=dim) if len(shape) == 1 else None
    if order is None:   # sort each row along dim by (key, index)
        moved = [np.moveaxis(a, dim, -1) for a in (keys[0], keys[1])]
        order = np.moveaxis(np.array([np.lexsort((i, v)) for v, i in zip(moved[0].reshape(-1, shape[dim]),
                                                                         moved[1].reshape(-1, shape[dim]))])
                            .reshape(moved[0].shape), -1, dim)
    first = np.take(order, range(k), axis=dim)
    for ctx in both_vms(topk_program(shape, k, dim, predicate, with_indices)):
        values, indices = call(ctx, "topk", [x, idx])
        np.testing.assert_array_equal(values, np.take_along_axis(x, first, dim))
        np.testing.assert_array_equal(indices, np.take_along_axis(idx, first, dim))


V2_VALUES_ONLY = """
func.func @topk(%x: tensor<3x9xf32>) -> tensor<3x4xf32> {
  %low = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<3x4xf32>
  %v0 = linalg.fill ins(%low : f32) outs(%e : tensor<3x4xf32>) -> tensor<3x4xf32>
  %r = iree_linalg_ext.topk_v2 dimension(1) is_sorted ins(%x : tensor<3x9xf32>) outs(%v0 : tensor<3x4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %c = arith.cmpf ogt, %a, %b : f32
    iree_linalg_ext.yield %c : i1
  } -> tensor<3x4xf32>
  return %r : tensor<3x4xf32>
}
"""


def test_topk_v2(both_vms):
    rng = np.random.default_rng(6)
    x = rng.integers(-5, 5, (3, 9)).astype(np.float32)
    v2 = topk_program((3, 9), 4, 1, "ogt", False).replace("topk dimension(1)", "topk_v2 dimension(1) is_sorted")
    order = np.array([np.lexsort((np.arange(9), -row)) for row in x])[:, :4]
    for source in (v2, V2_VALUES_ONLY):
        for ctx in both_vms(source):
            results = call(ctx, "topk", [x, np.zeros((3, 9), np.int32)] if source is v2 else [x])
            np.testing.assert_array_equal(results[0], np.take_along_axis(x, order, 1))
            if source is v2:   # equal values in IREE's order: test_linalg_ext_topk_v2.py
                np.testing.assert_array_equal(np.take_along_axis(x, results[1].astype(np.int64), 1), results[0])


def arg_compare_program(shape, dim, predicate, base=None):
    x = tensor(shape, "f32")
    kept = shape[:dim] + shape[dim + 1:]
    v, i = tensor(kept, "f32"), tensor(kept, "i32")
    trailing = f" index_base(%base : index)" if base is not None else ""
    return (f"func.func @arg(%x: {x}, %v: {v}, %i: {i}) -> ({v}, {i}) {{\n"
            + (f"  %base = arith.constant {base} : index\n" if base is not None else "")
            + f"  %r:2 = iree_linalg_ext.arg_compare dimension({dim}) ins(%x : {x}) outs(%v, %i : {v}, {i}){trailing} {{\n"
            f"  ^bb0(%a: f32, %b: f32):\n    %c = arith.cmpf {predicate}, %a, %b : f32\n"
            f"    iree_linalg_ext.yield %c : i1\n  }} -> {v}, {i}\n  return %r#0, %r#1 : {v}, {i}\n}}\n")


def np_arg_compare(x, value, index, dim, wins, base):
    """IREE's fold: in order, an element replaces the best iff wins(it, best)."""
    x = np.moveaxis(x, dim, 0)
    value, index = value.copy(), index.copy()
    for k in range(len(x)):
        better = wins(x[k], value)
        value, index = np.where(better, x[k], value), np.where(better, np.int32(k + base), index)
    return value, index


WINS = {"ogt": np.greater, "oge": np.greater_equal, "olt": np.less, "ule": lambda a, b: ~(a > b)}
ARG_COMPARES = [((6,), 0, "ogt", None), ((6,), 0, "oge", 100), ((4, 7), 1, "olt", None), ((5, 3), 0, "ule", 2),
                ((2, 9, 3), 1, "ogt", None)]


@pytest.mark.parametrize("shape,dim,predicate,base", ARG_COMPARES)
def test_arg_compare_matches_numpy(shape, dim, predicate, base, both_vms):
    rng = np.random.default_rng(7)
    x = rng.integers(-4, 4, shape).astype(np.float32)
    x[(0,) * len(shape)] = np.nan
    kept = shape[:dim] + shape[dim + 1:]
    value = rng.integers(-2, 2, kept).astype(np.float32)
    index = np.full(kept, -1, np.int32)
    want = np_arg_compare(x, value, index, dim, WINS[predicate], base or 0)
    for ctx in both_vms(arg_compare_program(shape, dim, predicate, base)):
        got = call(ctx, "arg", [x, value, index])
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])


ERRORS = [
    (gather_program((10, 3), (4, 1), (4, 3), (0,)).replace("dimension_map = [0]", "dimension_map = [1]"),
     "t.mlir:3:8: error: 'iree_linalg_ext.gather' op dimension map is invalid: it must permute 0..0"),
    (gather_program((10, 3), (4, 1), (4, 2), (0,)),
     "t.mlir:3:8: error: 'iree_linalg_ext.gather' op shape of result value dim#1 must match source value at dim#1"),
    (gather_program((10, 3), (5, 1), (4, 3), (0,)),
     "t.mlir:3:8: error: 'iree_linalg_ext.gather' op mismatch in shape of indices and result value at dim#0"),
    (gather_program((10, 3), (4, 2), (4, 3), (0,)),
     "t.mlir:3:8: error: 'iree_linalg_ext.gather' op size of dimension map must match the last dimension of "
     "indices"),
    (gather_program((10, 3), (4, 1), (4, 3), (0,), index="f32"),
     "t.mlir:3:8: error: 'iree_linalg_ext.gather' op expected indices to be of rank 1 or greater and of integer "
     "or index element type"),
    (scatter_program((8,), (5,), (5, 1), (0,), "set").replace("%b: f32", "%b: i32"),
     "t.mlir:2:8: error: 'iree_linalg_ext.scatter' region must take (f32, f32)"),
    (scan_program((3, 5), 1, True, "addf").replace("dimension(1)", "dimension(2)"),
     "t.mlir:3:10: error: 'iree_linalg_ext.scan' op dimension 2 is outside the 2 dimensions of 'tensor<3x5xf32>'"),
    (scan_program((3, 5), 1, True, "addf").replace("outs(%init, %acc : tensor<3x5xf32>, tensor<3xf32>)",
                                                   "outs(%acc, %init : tensor<3xf32>, tensor<3x5xf32>)"),
     "t.mlir:8:8: error: 'iree_linalg_ext.scan' results must have the types of its outs operands"),
    (sort_program((4, 5), 0, "slt").replace("%d: i32)", "%d: f32)"),
     "t.mlir:2:10: error: 'iree_linalg_ext.sort' region must take (i32, i32, i32, i32)"),
    (sort_program((4, 5), 0, "slt").replace("dimension(0)", "dimension(2)"),
     "t.mlir:2:10: error: 'iree_linalg_ext.sort' op dimension must be within [0, 2) for 'tensor<4x5xi32>'"),
    (sort_program((4, 5), 0, "slt").replace("4x5", "?x5"),
     "t.mlir:2:10: error: 'iree_linalg_ext.sort' along a dynamic dimension is not supported by iree-lite yet"),
    (topk_program((10,), 3, 0, "ogt", False).replace("tensor<3xi32>", "tensor<3xf32>"),
     "t.mlir:8:10: error: 'iree_linalg_ext.topk' op output values must be of the input's element type, and "
     "output indices integers of their shape"),
    (arg_compare_program((4, 7), 1, "ogt", 3).replace("(%base : index)", "(%base : i32)").replace(
        "constant 3 : index", "constant 3 : i32"),
     "t.mlir:3:10: error: 'iree_linalg_ext.arg_compare' op index_base must be an index"),
    (scatter_program((8,), (5,), (5, 1), (0,), "set").replace("unique_indices(false)", "unique_indices(maybe)"),
     "t.mlir:2:67: error: expected true or false for unique_indices"),
    (scatter_program((8,), (5,), (5, 1), (0,), "set").replace("yield %a : f32", "yield %a : i32"),
     "t.mlir:5:27: error: use of value '%a' expects different type than prior uses: 'i32' vs 'f32'"),
]


@pytest.mark.parametrize("source,message", ERRORS)
def test_errors_are_located(source, message):
    assert compile_error(source) == message


def _values(shape, values):
    return f"--input={'x'.join(map(str, shape))}x{{}}=" + " ".join(map(str, values))


# IREE's tools do not read i1 inputs: the mask comes in as i8.
MASKED_SCATTER_I8 = MASKED_SCATTER.replace("index>", "i64>").replace("%m: tensor<?xi1>", "%mi: tensor<?xi8>").replace("  %r =", """\
  %z = arith.constant 0 : i8
  %c0 = arith.constant 0 : index
  %n = tensor.dim %mi, %c0 : tensor<?xi8>
  %e = tensor.empty(%n) : tensor<?xi8>
  %zs = linalg.fill ins(%z : i8) outs(%e : tensor<?xi8>) -> tensor<?xi8>
  %m = arith.cmpi ne, %mi, %zs : tensor<?xi8>
  %r =""")

IREE_RUNS = [
    (arg_compare_program((2, 6), 1, "oge", 100), "arg", ["--input=2x6xf32=1 5 nan 10 7 10 -1 -2 -3 -4 -5 -6",
                                                         "--input=2xf32=-inf 0", "--input=2xi32=7 7"]),
    (arg_compare_program((4, 3), 0, "olt"), "arg", ["--input=4x3xf32=4 1 2 3 3 2 4 3 2 1 1 2",
                                                    "--input=3xf32=inf inf 1.5", "--input=3xi32=0 0 -1"]),
    (topk_program((2, 8), 3, 1, "ogt", False), "topk", ["--input=2x8xf32=1 5 5 2 5 0 7 7 -1 -2 -1 -3 -1 -4 -2 -1",
                                                        "--input=2x8xi32=0"]),
    (topk_program((6,), 4, 0, "olt", True), "topk", ["--input=6xf32=3 1 2 1 3 1", "--input=6xi32=9 8 7 6 5 4"]),
    (sort_program((2, 6), 1, "sle"), "sort", ["--input=2x6xi32=3 1 3 2 1 0 5 5 4 5 4 5", "--input=2x6xi32=0 1 2 3 4 5 6 7 8 9 10 11"]),
    (sort_program((5, 2), 0, "ogt", "f32", "i64"), "sort", ["--input=5x2xf32=1.5 -2 3 7 0 -1 -4 4 2.5 9", "--input=5x2xi64=0 1 2 3 4 5 6 7 8 9"]),
    (scan_program((2, 4), 1, True, "subf"), "scan", ["--input=2x4xf32=1 2 3 4 5 6 7 8", "--input=2xf32=10 20"]),
    (scan_program((3, 2), 0, False, "subf"), "scan", ["--input=3x2xf32=1 2 3 4 5 6", "--input=2xf32=10 20"]),
    (scan_program((1, 3), 0, True, "addf"), "scan", ["--input=1x3xf32=1 2 3", "--input=3xf32=7 8 9"]),
    (gather_program((6, 4), (3, 2), (3,), (1, 0), "i32"), "gather",
     [_values((6, 4), range(24)).format("i32"), _values((3, 2), [3, 5, 0, 0, 2, 1]).format("i32")]),
    (gather_program((6, 4), (2, 1), (2, 1, 4), (0,), "i32", "i64"), "gather",
     [_values((6, 4), range(24)).format("i32"), _values((2, 1), [5, 2]).format("i64")]),
    (scatter_program((8,), (6,), (6, 1), (0,), "addsq"), "scatter",
     [_values((8,), range(8)).format("f32"), _values((6,), [1, 2, 0.5, 3, 1, 2]).format("f32"),
      _values((6, 1), [3, 3, 0, 6, 3, 7]).format("i32")]),
    (scatter_program((3, 4), (2, 2, 4), (2, 2, 1), (0,), "add"), "scatter",
     [_values((3, 4), range(12)).format("f32"), _values((2, 2, 4), range(16)).format("f32"),
      _values((2, 2, 1), [2, 0, 2, 1]).format("i32")]),
    (MASKED_SCATTER_I8,
     "scatter", ["--input=5xi32=10 20 30 40 50", "--input=4xi32=1 2 3 4", "--input=4x1xi64=4 0 4 1",
                 "--input=4xi8=1 0 1 1"]),
]


@pytest.mark.parametrize("case", range(len(IREE_RUNS)))
def test_same_output_as_iree(case, reference_iree, tmp_path):
    source, name, args = IREE_RUNS[case]
    (tmp_path / "p.mlir").write_text(source)
    theirs, ours = run_mlir_both(reference_iree, tmp_path / "p.mlir", [f"--function={name}", *args])
    assert ours == theirs and ours[0] == 0
