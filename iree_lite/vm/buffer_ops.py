"""The reference interpreter's buffer ops and check ops: the op_buffer_* and
op_check_* methods of its Context. The native VM's twins: csrc/buffer_ops.pxi
and csrc/check_ops.pxi."""
import math

from .. import isa
from ..ir.elements import SIZES, pack, unpack
from ..ir.linear import exact_dimension
from .elementwise import ELEMENTWISE, FLOAT_TYPES, INT_ELEMENTWISE, round_to
from .errors import VMError, check_size
from .interp_conv import conv2d, window_of
from .interp_pool import pool2d
from .values import Buffer
from .verifier import strided_operands


def check_layout(buf, element, shape, what):
    """The check `buffer.check` performs, with its error text."""
    if not isinstance(buf, Buffer):
        raise VMError("INVALID_ARGUMENT", f"{what} is not a buffer")
    shape = fit_dims(shape, buf.shape)
    dims = tuple(max(d, 0) for d in shape)   # a -1 left (the ranks differ) needs no storage
    check_size("buffer.check", element, dims)
    need = SIZES[element] * math.prod(dims)
    if len(buf.data) < need:
        raise VMError("INVALID_ARGUMENT", f"tensor buffer byte length {len(buf.data)} less than expected minimum {need}")
    if buf.element != element or buf.shape != tuple(shape):
        raise VMError("INVALID_ARGUMENT",
                      f"{what} is {_type_str(buf.element, buf.shape)}, expected {_type_str(element, shape)}")


def fit_dims(layout, shape):
    """A layout's shape with its -1 (dynamic) dimensions taken from
    `shape` where the ranks agree."""
    if len(layout) != len(shape):
        return tuple(layout)
    return tuple(have if want == -1 else want for want, have in zip(layout, shape))


def where(m, v):
    """The source location a check instruction carries."""
    return bytes(m.constants[v["where"]].data).decode()


def fold_row(element, fn, x, row):
    """x folded with the elements of `row` by combiner fn, as buffer.reduce
    folds one row: in segments of REDUCE_SEGMENT elements, the first from x,
    each later one from its first element, then the segments' folds in order."""
    def fold(x, values):
        for y in values:
            (x,) = round_to(element, [fn(x, y)])
        return x
    seg = isa.REDUCE_SEGMENT
    x = fold(x, row[:seg])
    for t in range(seg, len(row), seg):
        x = fold(x, [fold(row[t], row[t + 1:t + seg])])
    return x


def _f32(name, *xs):
    """Element-wise op `name` on f32 values: computed in double, rounded once."""
    return round_to("f32", [ELEMENTWISE[name](*xs)])[0]


def _each_row(what, src, fn):
    """A new f32 buffer of src's shape holding fn(row) for each row of src
    along its innermost dimension (buffer.softmax, buffer.layernorm)."""
    if not isinstance(src, Buffer) or src.element != "f32" or not src.shape:
        raise VMError("INVALID_ARGUMENT", f"{what} of a value that is not an f32 buffer of rank 1 or more")
    n, xs, out = src.shape[-1], src.values(), []
    for r in range(0, src.count, max(n, 1)):
        out += fn(xs[r:r + n])
    return Buffer("f32", src.shape, bytearray(pack("f32", out)))


def _type_str(element, shape):
    return "tensor<" + "".join(("?" if d == -1 else f"{d}") + "x" for d in shape) + element + ">"


def _dims_str(shape):
    """`'4x?x3'`: a shape in errors, -1 being a dynamic dimension."""
    return "'" + "x".join("?" if d == -1 else str(d) for d in shape) + "'"


class BufferOps:
    """The buffer and check ops of Context (interp.py); `fr` is the frame,
    `m` the module, `v` the decoded operands."""

    def op_buffer_alloc(self, fr, m, v):
        c = m.constants[v["layout"]]
        fr.r[v["dst"]] = Buffer(isa.ELEMENT_NAMES[c.element], c.shape)

    def op_buffer_alloc_dyn(self, fr, m, v):
        c = m.constants[v["layout"]]
        dims = iter(fr.i[r] for r in v["dims_i"])
        shape = tuple(next(dims) if d == -1 else d for d in c.shape)
        check_size("buffer.alloc.dyn", isa.ELEMENT_NAMES[c.element], shape)
        fr.r[v["dst"]] = Buffer(isa.ELEMENT_NAMES[c.element], shape)

    def op_buffer_dim(self, fr, m, v):
        b, axis = fr.r[v["src"]], fr.i[v["axis"]]
        if not isinstance(b, Buffer):
            raise VMError("INVALID_ARGUMENT", "dimension of a value that is not a buffer")
        if not 0 <= axis < len(b.shape):
            raise VMError("OUT_OF_RANGE", f"dimension {axis} of a tensor of rank {len(b.shape)}")
        fr.i[v["dst"]] = b.shape[axis]

    def op_buffer_match(self, fr, m, v):
        a, b = fr.r[v["a"]], fr.r[v["b"]]
        if not isinstance(a, Buffer) or not isinstance(b, Buffer):
            raise VMError("INVALID_ARGUMENT", f"{where(m, v)}: shape of a value that is not a buffer")
        if a.shape != b.shape:
            raise VMError("INVALID_ARGUMENT", f"{where(m, v)}: operand shapes {_dims_str(a.shape)} and "
                          f"{_dims_str(b.shape)} differ")

    def op_buffer_cast(self, fr, m, v):
        b, c = fr.r[v["src"]], m.constants[v["layout"]]
        if not isinstance(b, Buffer):
            raise VMError("INVALID_ARGUMENT", f"{where(m, v)}: cast of a value that is not a buffer")
        if b.shape != fit_dims(c.shape, b.shape):
            raise VMError("INVALID_ARGUMENT", f"{where(m, v)}: shape {_dims_str(b.shape)} does not match "
                          f"{_dims_str(c.shape)}")

    def op_buffer_const(self, fr, m, v):
        c = m.constants[v["data"]]
        fr.r[v["dst"]] = Buffer(isa.ELEMENT_NAMES[c.element], c.shape, bytearray(c.data), readonly=True)

    def _locate(self, fr, v, src):
        b = fr.r[v[src]]
        if not isinstance(b, Buffer):
            raise VMError("INVALID_ARGUMENT", "indexed value is not a buffer")
        indices = [fr.i[r] for r in v["index_i"]]
        if len(indices) != len(b.shape):
            raise VMError("INVALID_ARGUMENT", f"{len(indices)} indices for a tensor of rank {len(b.shape)}")
        offset = 0
        for d, (index, size) in enumerate(zip(indices, b.shape)):
            if not 0 <= index < size:
                raise VMError("OUT_OF_RANGE", f"index {index} out of bounds for dimension {d} of size {size}")
            offset = offset * size + index
        return b, offset * SIZES[b.element]

    def op_buffer_load_i(self, fr, m, v, bank="i"):
        b, at = self._locate(fr, v, "src")
        if (b.element in FLOAT_TYPES) != (bank == "f"):
            raise VMError("INVALID_ARGUMENT", "element type does not match the register bank")
        getattr(fr, bank)[v["dst"]] = unpack(b.element, bytes(b.data[at:at + SIZES[b.element]]))[0]

    def op_buffer_load_f(self, fr, m, v):
        self.op_buffer_load_i(fr, m, v, "f")

    def op_buffer_store_i(self, fr, m, v, bank="i"):
        b, at = self._locate(fr, v, "dst")
        if (b.element in FLOAT_TYPES) != (bank == "f"):
            raise VMError("INVALID_ARGUMENT", "element type does not match the register bank")
        if b.readonly:
            raise VMError("PERMISSION_DENIED", "store into a read-only constant buffer")
        value = getattr(fr, bank)[v["value"]]
        b.data[at:at + SIZES[b.element]] = pack(b.element, round_to(b.element, [value]))

    def op_buffer_store_f(self, fr, m, v):
        self.op_buffer_store_i(fr, m, v, "f")

    def op_buffer_clone(self, fr, m, v):
        b = fr.r[v["src"]]
        fr.r[v["dst"]] = Buffer(b.element, b.shape, bytearray(b.data))

    def op_buffer_view(self, fr, m, v):
        b, c = fr.r[v["src"]], m.constants[v["layout"]]
        element = isa.ELEMENT_NAMES[c.element]
        dims = iter(fr.i[r] for r in v["dims_i"])
        shape = tuple(next(dims) if d == -1 and v["dims_i"] else d for d in c.shape)
        counted = tuple(1 if d == -1 else d for d in shape)   # the dynamic dimension counted as 1
        if min(counted, default=0) >= 0:   # a negative size is the reshape error below
            check_size("buffer.view", element, counted, shape)
        if -1 in shape:   # the one dynamic dimension takes what the others leave
            known = math.prod(d for d in shape if d != -1) * SIZES[element]
            shape = tuple(len(b.data) // known if d == -1 and known else d for d in shape)
        if -1 in shape or min(shape, default=0) < 0 or math.prod(shape) * SIZES[element] != len(b.data):
            shown = tuple(-1 if d == -1 and not v["dims_i"] else n for d, n in zip(c.shape, shape))
            raise VMError("INVALID_ARGUMENT", f"reshape of {_dims_str(b.shape)} to {_dims_str(shown)} changes "
                          "the number of elements")
        view = Buffer(element, shape, b.data, b.readonly)   # shares the bytearray
        fr.r[v["dst"]] = view

    def op_buffer_part(self, fr, m, v):
        b, c, at = fr.r[v["src"]], m.constants[v["layout"]], m.constants[v["at"]].value
        if not isinstance(b, Buffer):
            raise VMError("INVALID_ARGUMENT", "viewed value is not a buffer")
        element, n = isa.ELEMENT_NAMES[c.element], math.prod(c.shape)
        if element != b.element:
            raise VMError("INVALID_ARGUMENT", f"a part of {_type_str(b.element, b.shape)} as "
                          f"{_type_str(element, c.shape)} changes the element type")
        if at < 0 or at > b.count - n:
            raise VMError("OUT_OF_RANGE", f"a part of {n} elements at {at} is not inside "
                          f"{_type_str(b.element, b.shape)}")
        size = SIZES[element]
        fr.r[v["dst"]] = Buffer(element, c.shape, memoryview(b.data)[at * size:(at + n) * size], b.readonly)

    @staticmethod
    def _strided(shape, spec, limit):
        """Offsets base + sum(i_k * strides[k]) over `shape`, row-major,
        checked against `limit` elements."""
        base, strides = spec[0], spec[1:]
        offsets = []
        count = 1
        for n in shape:
            count *= n
        for flat in range(count):
            offset, rest = base, flat
            for n, s in zip(reversed(shape), reversed(strides)):
                offset += (rest % n) * s
                rest //= n
            offsets.append(offset)
        if offsets and (min(offsets) < 0 or max(offsets) >= limit):
            raise VMError("OUT_OF_RANGE", "strided copy outside its buffer")
        return offsets

    def op_buffer_expand(self, fr, m, v):
        src, layout = fr.r[v["src"]], m.constants[v["layout"]].shape
        n = len(layout)
        entries = unpack("i64", m.constants[v["map"]].data)
        rows = [entries[k:k + n + 1] for k in range(0, len(entries), n + 1)]
        if not isinstance(src, Buffer) or len(src.shape) != len(rows):
            raise VMError("INVALID_ARGUMENT", "expanded value is not a buffer of the map's rank")
        exact = [exact_dimension(row[:n], row[n]) for row in rows]
        fed = {}
        for k, d in enumerate(exact):
            if d is not None:
                fed.setdefault(d, k)
        dims = iter(fr.i[r] for r in v["dims_i"])
        shape = tuple(size if size != -1 else src.shape[fed[d]] if d in fed else next(dims)
                      for d, size in enumerate(layout))
        check_size("buffer.expand", src.element, shape)
        for k, row in enumerate(rows):
            reach = [row[n] + sum(a * (size - 1) for a, size in zip(row, shape) if (a > 0) == up) for up in (0, 1)]
            if exact[k] is not None and src.shape[k] != shape[exact[k]] or exact[k] is None and math.prod(shape) and (
                    reach[0] < 0 or reach[1] >= src.shape[k]):
                raise VMError("INVALID_ARGUMENT" if exact[k] is not None else "OUT_OF_RANGE",
                              f"broadcast, transpose or window of {_dims_str(src.shape)} to {_dims_str(shape)}: the "
                              "shapes do not agree")
        spec, stride = [0] * (n + 1), 1
        for k in reversed(range(len(rows))):
            spec = [s + a * stride for s, a in zip(spec, [rows[k][n]] + list(rows[k][:n]))]
            stride *= src.shape[k]
        out = Buffer(src.element, shape)
        size = SIZES[src.element]
        for flat, offset in enumerate(self._strided(shape, spec, src.count)):
            out.data[flat * size:(flat + 1) * size] = src.data[offset * size:(offset + 1) * size]
        fr.r[v["dst"]] = out

    def op_buffer_scatter(self, fr, m, v):
        acc, src = fr.r[v["acc"]], fr.r[v["src"]]
        size = SIZES[src.element]
        for flat, offset in enumerate(self._strided(src.shape, unpack("i64", m.constants[v["strides"]].data),
                                                    acc.count)):
            acc.data[offset * size:(offset + 1) * size] = src.data[flat * size:(flat + 1) * size]

    def _slice(self, fr, m, v, full):
        """buffer.slice/insert: the slice's sizes and, checked against `full`'s
        dimensions, its [base, strides...] in `full`'s elements."""
        sizes = unpack("i64", m.constants[v["sizes"]].data)
        at = [fr.i[r] for r in v["at_i"]]
        if not isinstance(full, Buffer) or len(full.shape) != len(sizes):
            raise VMError("INVALID_ARGUMENT", f"slice of {len(sizes)} dimensions of a value of another rank")
        offsets, steps, dynamic = at[:len(sizes)], at[len(sizes):2 * len(sizes)], iter(at[2 * len(sizes):])
        sizes = [next(dynamic) if n == -1 else n for n in sizes]
        row, base, strides = 1, 0, []
        for k in reversed(range(len(sizes))):
            o, n, st, dim = offsets[k], sizes[k], steps[k], full.shape[k]
            if o < 0 or st < 1 or n < 0 or (n and o + (n - 1) * st >= dim):
                raise VMError("OUT_OF_RANGE", f"slice {o} + {n} x {st} is outside dimension {k} of size {dim} "
                              f"of a tensor of shape {_dims_str(full.shape)}")
            base += o * row
            strides.insert(0, st * row)
            row *= dim
        return sizes, [base] + strides

    def op_buffer_slice(self, fr, m, v):
        src, c = fr.r[v["src"]], m.constants[v["layout"]]
        sizes, spec = self._slice(fr, m, v, src)
        dynamic = iter(n for n, want in zip(sizes, unpack("i64", m.constants[v["sizes"]].data)) if want == -1)
        out = Buffer(src.element, tuple(next(dynamic) if d == -1 else d for d in c.shape))
        size = SIZES[src.element]
        for flat, offset in enumerate(self._strided(sizes, spec, src.count)):
            out.data[flat * size:(flat + 1) * size] = src.data[offset * size:(offset + 1) * size]
        fr.r[v["dst"]] = out

    def op_buffer_insert(self, fr, m, v):
        acc, src = fr.r[v["acc"]], fr.r[v["src"]]
        sizes, spec = self._slice(fr, m, v, acc)
        if not isinstance(src, Buffer) or src.element != acc.element:
            raise VMError("INVALID_ARGUMENT", "inserted slice does not fit its place")
        units = len(src.shape) != len(sizes)   # a rank-reducing slice drops unit sizes
        if [d for d in src.shape if not units or d != 1] != [d for d in sizes if not units or d != 1]:
            raise VMError("INVALID_ARGUMENT", f"insert of {_dims_str(src.shape)} into a slice of {_dims_str(sizes)}: "
                          "the shapes do not agree")
        size = SIZES[src.element]
        for flat, offset in enumerate(self._strided(sizes, spec, acc.count)):
            acc.data[offset * size:(offset + 1) * size] = src.data[flat * size:(flat + 1) * size]

    def op_buffer_reduce(self, fr, m, v):
        acc, src = fr.r[v["acc"]], fr.r[v["src"]]
        name = isa.REDUCE_COMBINERS[m.constants[v["combiner"]].value]
        if acc.element not in isa.reduce_elements(name):
            raise VMError(*isa.REDUCE_ELEMENT_ERROR)
        if src.shape[:len(acc.shape)] != acc.shape:
            raise VMError("INVALID_ARGUMENT", f"reduction of {_dims_str(src.shape)} into {_dims_str(acc.shape)}: "
                          "the shapes do not agree")
        if acc.count == 0:
            return
        n = src.count // acc.count
        fn = ELEMENTWISE.get(f"t.{name}") or (lambda a, b: INT_ELEMENTWISE[f"t.{name}"](64, a, b))
        out, xs = acc.values(), src.values()
        for r in range(acc.count):
            out[r] = fold_row(acc.element, fn, out[r], xs[r * n:(r + 1) * n])
        acc.data[:] = pack(acc.element, out)

    def op_buffer_softmax(self, fr, m, v):
        def softmax(row):
            peak = fold_row("f32", ELEMENTWISE["t.maximumf"], -math.inf, row)
            e = [_f32("t.exp", _f32("t.subf", x, peak)) for x in row]
            total = fold_row("f32", ELEMENTWISE["t.addf"], 0.0, e)
            return [_f32("t.divf", y, total) for y in e]
        fr.r[v["dst"]] = _each_row("softmax", fr.r[v["src"]], softmax)

    def op_buffer_layernorm(self, fr, m, v):
        (eps,) = round_to("f32", [fr.f[v["eps"]]])

        def layernorm(row):
            (n,) = round_to("f32", [float(len(row))])
            mean = _f32("t.divf", fold_row("f32", ELEMENTWISE["t.addf"], 0.0, row), n)
            d = [_f32("t.subf", x, mean) for x in row]
            squares = fold_row("f32", ELEMENTWISE["t.addf"], 0.0, [_f32("t.mulf", y, y) for y in d])
            r = _f32("t.rsqrt", _f32("t.addf", _f32("t.divf", squares, n), eps))
            return [_f32("t.mulf", y, r) for y in d]
        fr.r[v["dst"]] = _each_row("layernorm", fr.r[v["src"]], layernorm)

    def op_buffer_conv2d(self, fr, m, v):
        conv2d(fr.r[v["acc"]], fr.r[v["input"]], fr.r[v["filter"]], window_of(m.constants[v["window"]]), _dims_str)

    def op_buffer_pool2d(self, fr, m, v):
        pool2d(fr.r[v["acc"]], fr.r[v["input"]], window_of(m.constants[v["window"]]),
               m.constants[v["combiner"]].value, _dims_str)

    def op_buffer_conv2d_dispatch(self, fr, m, v):
        """The convolution, then its epilogue: the native VM interleaves them only where that changes no result."""
        self.op_buffer_conv2d(fr, m, v)
        self.op_dispatch(fr, m, v)

    def op_buffer_matmul_fresh_dispatch(self, fr, m, v):
        """The product, then its epilogue: the native VM interleaves them only where that changes no result."""
        self.op_buffer_matmul(fr, m, v, fresh=True)
        self.op_dispatch(fr, m, v)

    def op_buffer_matmul_fresh(self, fr, m, v):
        self.op_buffer_matmul(fr, m, v, fresh=True)

    def op_buffer_matmul(self, fr, m, v, fresh=False):
        c, a, b = fr.r[v["acc"]], fr.r[v["lhs"]], fr.r[v["rhs"]]
        batches = c.shape[0] if len(c.shape) == 3 else 1
        rows, n = c.shape[-2:]
        k = a.shape[-1]
        if not len(a.shape) == len(b.shape) == len(c.shape) or a.shape[:-1] != c.shape[:-1] or \
                b.shape[-2:] != (k, n) or b.shape[:-2] != c.shape[:-2]:
            raise VMError("INVALID_ARGUMENT", f"matmul of {_dims_str(a.shape)} by {_dims_str(b.shape)} into "
                          f"{_dims_str(c.shape)}: the shapes do not agree")
        dense = (rows * n, n, 1, rows * k, k, 1, k * n, n, 1)
        _matmul(c, a, b, (batches, rows, k, n), dense, fresh)

    def op_buffer_matmul_strided_dispatch(self, fr, m, v):
        self.op_buffer_matmul_strided(fr, m, v)
        self.op_dispatch(fr, m, v)

    def op_buffer_matmul_strided(self, fr, m, v):
        c, a, b = fr.r[v["acc"]], fr.r[v["lhs"]], fr.r[v["rhs"]]
        layout = unpack("i64", m.constants[v["layout"]].data)
        dims, strides = layout[:4], layout[4:]
        batches, rows, k, n = dims
        if c.readonly or not c.element == a.element == b.element or \
                c.element not in ("f32", "f64", "i32", "i64", "index"):
            raise VMError("INVALID_ARGUMENT", "a strided matmul's operands must share an f32, f64, i32, i64 or "
                          "index element type; the accumulator writable")
        operands = zip((c, a, b), strided_operands(layout).values())
        if c.count != batches * rows * n or not all(0 in sizes or reach < x.count for x, (sizes, _, reach) in operands):
            raise VMError("INVALID_ARGUMENT", f"strided matmul of {_dims_str(a.shape)} by {_dims_str(b.shape)} "
                          f"into {_dims_str(c.shape)}: the buffers do not hold its layout")
        _matmul(c, a, b, dims, strides, True)

    def op_buffer_check(self, fr, m, v):
        c = m.constants[v["layout"]]
        check_layout(fr.r[v["src"]], isa.ELEMENT_NAMES[c.element], c.shape, "output storage")

    def op_check_true(self, fr, m, v, want=True):
        if bool(fr.i[v["cond"]]) != want:
            raise VMError("FAILED_PRECONDITION",
                          f"{where(m, v)}: expected {'true' if want else 'false'}, got {fr.i[v['cond']]}")

    def op_cf_assert(self, fr, m, v):
        if not fr.i[v["cond"]]:
            raise VMError("FAILED_PRECONDITION", f"{where(m, v)}: {bytes(m.constants[v['message']].data).decode()}")

    def op_check_false(self, fr, m, v):
        self.op_check_true(fr, m, v, want=False)

    def op_check_eq(self, fr, m, v, tolerance=None):
        actual, expected = fr.r[v["actual"]], fr.r[v["expected"]]
        for b in (actual, expected):
            if not isinstance(b, Buffer):
                raise VMError("INVALID_ARGUMENT", f"{where(m, v)}: checked value is not a buffer")
        if actual.element != expected.element or actual.shape != expected.shape:
            raise VMError("FAILED_PRECONDITION", f"{where(m, v)}: expected "
                          f"{_type_str(expected.element, expected.shape)}, got {_type_str(actual.element, actual.shape)}")
        floats = actual.element in FLOAT_TYPES
        for i, (a, e) in enumerate(zip(actual.values(), expected.values())):
            if tolerance is None:
                same = a == e
            else:
                atol, rtol = tolerance
                same = a == e or (a != a and e != e) or abs(a - e) <= atol + rtol * abs(e)
            if not same:
                text = ("%g" % a, "%g" % e) if floats else (str(a), str(e))
                raise VMError("FAILED_PRECONDITION", f"{where(m, v)}: element at index {i} ({text[0]}) does "
                              f"not match the expected ({text[1]})")

    def op_check_almost_eq(self, fr, m, v):
        self.op_check_eq(fr, m, v, (m.constants[v["atol"]].value, m.constants[v["rtol"]].value))

    def op_debug_trace(self, fr, m, v):
        views = [fr.r[r] for r in v["view_r"]]
        if any(not isinstance(b, Buffer) for b in views):
            raise VMError("INVALID_ARGUMENT", "traced value is not a buffer")
        if self.debug_sink is not None:
            self.debug_sink(bytes(m.constants[v["key"]].data).decode(), views)


def _matmul(c, a, b, dims, strides, fresh):
    """c = (fresh: +0.0, else c) + a times b over dims [B, M, K, N], each
    element where `strides` puts it (c's batch, row and column, a's batch,
    row and k, b's batch, k and column): each sum in order, each product and
    sum rounded to the element type (no fused multiply-add)."""
    batches, rows, k, n = dims
    cb, cm, cn, ab, am, ak, bb, bk, bn = strides
    # Fresh: every sum starts from +0.0 (zero bytes), whatever acc held.
    cv = unpack(c.element, bytes(c.count * SIZES[c.element])) if fresh else c.values()
    av, bv = a.values(), b.values()
    for batch in range(batches):
        for i in range(rows):
            for kk in range(k):
                x = av[batch * ab + i * am + kk * ak]
                base = batch * cb + i * cm
                brow = batch * bb + kk * bk
                for j in range(n):
                    at = base + j * cn
                    (cv[at],) = round_to(c.element, [cv[at] + round_to(c.element, [x * bv[brow + j * bn]])[0]])
    c.data[:] = pack(c.element, cv)
