"""MLIR text for the ONNX importer: values, types, constants and the
structured ops the converters are built from (element-wise and reducing
linalg.generic, transposes, reshapes, slices, pads, concatenations).

Everything is static-shaped: a converter that meets an unknown dimension
raises NodeError before anything is emitted for it.
"""
import contextlib

import numpy as np

# numpy dtype -> MLIR element type. Unsigned ONNX types are signless in MLIR;
# the converters pick unsigned arith ops for them (Value.unsigned).
ELEMENTS = {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64", np.dtype(np.float16): "f16",
            np.dtype(np.int8): "i8", np.dtype(np.uint8): "i8", np.dtype(np.int16): "i16",
            np.dtype(np.uint16): "i16", np.dtype(np.int32): "i32", np.dtype(np.uint32): "i32",
            np.dtype(np.int64): "i64", np.dtype(np.uint64): "i64", np.dtype(np.bool_): "i1"}


class NodeError(Exception):
    """A problem with one node (or the graph); the importer adds the node's name."""


class Value:
    """An ONNX value: its static shape (None for an unknown dimension), its
    numpy dtype, and its SSA name once emitted or its array when known at
    import time (initializers, constants and what folds from them)."""

    def __init__(self, shape, dtype, ssa=None, const=None):
        self.shape, self.dtype, self.ssa, self.const = tuple(shape), np.dtype(dtype), ssa, const

    @property
    def rank(self):
        return len(self.shape)

    @property
    def element(self):
        return element_type(self.dtype)

    @property
    def type(self):
        return tensor_type(self.shape, self.dtype)

    @property
    def is_float(self):
        return self.dtype.kind == "f"

    @property
    def unsigned(self):
        return self.dtype.kind in "ub"


class Sequence:
    """An ONNX sequence whose length is known at import time: its element
    Values in order, and the element type (for an empty one)."""
    const = None   # never folded as a whole

    def __init__(self, items, dtype):
        self.items, self.dtype = list(items), np.dtype(dtype)


def element_type(dtype):
    dtype = np.dtype(dtype)
    if dtype not in ELEMENTS:
        raise NodeError(f"element type {dtype} is not supported")
    return ELEMENTS[dtype]


def tensor_type(shape, dtype):
    dims = "".join(("?" if d is None else str(d)) + "x" for d in shape)
    return f"tensor<{dims}{element_type(dtype)}>"


def scalar_literal(value, dtype):
    """An exact literal: floats as their bit pattern, integers in decimal."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        bits = np.array(value, dtype).view(f"u{dtype.itemsize}")
        return f"0x{int(bits):0{dtype.itemsize * 2}X}"
    if dtype.kind == "b":
        return "true" if value else "false"
    if dtype.kind == "u":
        return str(int(np.array(value, dtype).view(f"i{dtype.itemsize}")))
    return str(int(value))


def scalar_constant(value, dtype):
    """The right-hand side of an arith.constant scalar (i1 takes no type)."""
    if np.dtype(dtype).kind == "b":
        return f"arith.constant {scalar_literal(value, dtype)}"
    return f"arith.constant {scalar_literal(value, dtype)} : {element_type(dtype)}"


def signed_view(array):
    """The array with unsigned ints as the signed ints of the same bits (the
    VM's signless storage)."""
    if array.dtype.kind == "u":
        return array.view(f"i{array.dtype.itemsize}")
    return array


def dims_map(count, exprs):
    names = ", ".join(f"d{i}" for i in range(count))
    return f"affine_map<({names}) -> ({', '.join(exprs)})>"


class Body:
    """The scalar region of a linalg.generic: `emit` names a new value."""

    def __init__(self, emitter):
        self.emitter, self.lines = emitter, []

    def emit(self, rhs):
        name = self.emitter.fresh()
        self.lines.append(f"    {name} = {rhs}")
        return name

    def const(self, value, dtype):
        return self.emit(scalar_constant(value, dtype))


class Emitter:
    """Accumulates a function body's lines; names are %0, %1, ..."""

    def __init__(self, weights="resource"):
        self.lines, self.count, self.weights = [], 0, weights
        self.blobs = []   # (name, hex) of dense_resource constants, in order
        self.scopes = []   # per open region, the Values whose constants were emitted in it

    @contextlib.contextmanager
    def region(self, lines):
        """Emit into `lines` (a nested region's body) for the duration.
        Constants first used in the region are defined there, so they are
        forgotten on leaving it: a later use outside emits them again."""
        outer, self.lines = self.lines, lines
        self.scopes.append([])
        try:
            yield lines
        finally:
            for v in self.scopes.pop():
                v.ssa = None
            self.lines = outer

    def fresh(self):
        self.count += 1
        return f"%{self.count - 1}"

    def emit(self, rhs):
        name = self.fresh()
        self.lines.append(f"  {name} = {rhs}")
        return name

    # -- constants -----------------------------------------------------------

    def materialize(self, v):
        """The SSA name of v, emitting its constant on first use."""
        if v.ssa is None:
            v.ssa = self.constant_ssa(v.const)
            if self.scopes:
                self.scopes[-1].append(v)
        return v.ssa

    def constant_ssa(self, array):
        array = np.asarray(array)
        t = tensor_type(array.shape, array.dtype)
        flat = array.reshape(-1)
        bits = flat.view(f"u{array.dtype.itemsize}")   # exact: -0.0 is not 0.0, NaNs match
        if flat.size and (bits == bits[0]).all():
            return self.emit(f"arith.constant dense<{scalar_literal(flat[0], array.dtype)}> : {t}")
        if flat.size == 0:
            return self.emit(f"tensor.empty() : {t}")
        data = np.ascontiguousarray(signed_view(array).astype(array.dtype.newbyteorder("<"), copy=False))
        if array.dtype == np.bool_:
            data = data.astype(np.uint8)
        if self.weights == "resource":
            name = f"onnx_constant_{len(self.blobs)}"
            alignment = array.dtype.itemsize.to_bytes(4, "little")
            self.blobs.append((name, "0x" + (alignment + data.tobytes()).hex().upper()))
            return self.emit(f"arith.constant dense_resource<{name}> : {t}")
        return self.emit(f'arith.constant dense<"0x{data.tobytes().hex().upper()}"> : {t}')

    def resource_section(self):
        """The trailing `{-# dialect_resources ... #-}` with the blobs, or ''."""
        if not self.blobs:
            return ""
        entries = ",\n".join(f"      {name}: \"{blob}\"" for name, blob in self.blobs)
        return f"\n{{-#\n  dialect_resources: {{\n    builtin: {{\n{entries}\n    }}\n  }}\n#-}}\n"

    def constant(self, array):
        array = np.asarray(array)
        return Value(array.shape, array.dtype, ssa=self.constant_ssa(array))

    # -- structured ops ----------------------------------------------------------

    def empty(self, shape, dtype):
        if None in shape:
            raise NodeError("dynamic dimensions are not supported here yet")
        return self.emit(f"tensor.empty() : {tensor_type(shape, dtype)}")

    def fill(self, value, shape, dtype):
        scalar = self.emit(scalar_constant(value, dtype))
        init = self.empty(shape, dtype)
        t = tensor_type(shape, dtype)
        return self.emit(f"linalg.fill ins({scalar} : {element_type(dtype)}) outs({init} : {t}) -> {t}")

    def generic(self, ins, out_shape, out_dtype, body, reduce_dims=(), init=None):
        """A linalg.generic over the output's dimensions (then the reduced
        ones): ins are (Value, exprs) with exprs the loop dimension each of the
        value's axes reads (or "0" for a broadcast size-1 axis); body(b, args,
        acc) returns the yielded scalar (acc: the output element when reducing).
        init: the output's starting tensor (SSA), a fresh one by default."""
        n = len(out_shape) + len(reduce_dims)
        out_exprs = [f"d{i}" for i in range(len(out_shape))]
        maps = [dims_map(n, exprs) for _, exprs in ins] + [dims_map(n, out_exprs)]
        iters = ", ".join(['"parallel"'] * len(out_shape) + ['"reduction"'] * len(reduce_dims))
        t = tensor_type(out_shape, out_dtype)
        init = init or self.empty(out_shape, out_dtype)
        b = Body(self)
        args = [self.fresh() for _ in ins]
        acc = self.fresh()
        result = body(b, args, acc)
        block = ", ".join(f"{a}: {v.element}" for a, (v, _) in zip(args, ins))
        block += (", " if ins else "") + f"{acc}: {element_type(out_dtype)}"
        ins_text = ""
        if ins:
            ins_text = (f"ins({', '.join(self.materialize(v) for v, _ in ins)} : "
                        f"{', '.join(v.type for v, _ in ins)}) ")
        name = self.fresh()
        self.lines.append(f"  {name} = linalg.generic {{indexing_maps = [{', '.join(maps)}], "
                          f"iterator_types = [{iters}]}} {ins_text}outs({init} : {t}) {{")
        self.lines.append(f"  ^bb0({block}):")
        self.lines += b.lines
        self.lines.append(f"    linalg.yield {result} : {element_type(out_dtype)}")
        self.lines.append(f"  }} -> {t}")
        return Value(out_shape, out_dtype, ssa=name)

    def named(self, op, ins, init, shape, dtype):
        """A named linalg op (`op` with its attributes) on the Values `ins`,
        into `init` (SSA) of `shape` and `dtype`."""
        t = tensor_type(shape, dtype)
        return Value(shape, dtype, ssa=self.emit(
            f"{op} ins({', '.join(self.materialize(v) for v in ins)} : {', '.join(v.type for v in ins)}) "
            f"outs({init} : {t}) -> {t}"))

    def elementwise(self, inputs, out_dtype, body):
        """Multidirectional (numpy) broadcasting of inputs, then body(b, args)."""
        shape = broadcast_shapes([v.shape for v in inputs])
        ins = [(v, broadcast_exprs(v.shape, shape)) for v in inputs]
        return self.generic(ins, shape, out_dtype, lambda b, args, acc: body(b, args))

    def broadcast_to(self, v, shape):
        if tuple(v.shape) == tuple(shape):
            return v
        return self.generic([(v, broadcast_exprs(v.shape, shape))], shape, v.dtype, lambda b, args, acc: args[0])

    def reshape(self, v, shape):
        """v's elements in row-major order at a new static shape."""
        shape = tuple(int(d) for d in shape)
        if v.const is not None and v.ssa is None:
            return Value(shape, v.dtype, const=v.const.reshape(shape))
        if shape == v.shape:
            return v
        src = self.materialize(v)
        if v.rank:   # to 1-D, then out to the target shape
            flat = (int(np.prod(v.shape)),)
            src = self.emit(f"tensor.collapse_shape {src} [[{', '.join(map(str, range(v.rank)))}]] : "
                            f"{v.type} into {tensor_type(flat, v.dtype)}") if v.rank != 1 else src
        else:
            flat = (1,)
            src = self.emit(f"tensor.expand_shape {src} [] output_shape [1] : {v.type} into "
                            f"{tensor_type(flat, v.dtype)}")
        t = tensor_type(shape, v.dtype)
        if not shape:
            return Value(shape, v.dtype, ssa=self.emit(f"tensor.collapse_shape {src} [] : "
                                                          f"{tensor_type(flat, v.dtype)} into {t}"))
        if len(shape) == 1:
            return Value(shape, v.dtype, ssa=src)
        groups = ", ".join(map(str, range(len(shape))))
        return Value(shape, v.dtype, ssa=self.emit(
            f"tensor.expand_shape {src} [[{groups}]] output_shape [{', '.join(map(str, shape))}] : "
            f"{tensor_type(flat, v.dtype)} into {t}"))

    def transpose(self, v, perm):
        perm = tuple(int(p) for p in perm)
        if perm == tuple(range(v.rank)):
            return v
        shape = tuple(v.shape[p] for p in perm)
        if v.const is not None:   # a weight's transpose (Gemm's transB) at import, not on every call
            return Value(shape, v.dtype, const=np.ascontiguousarray(np.transpose(v.const, perm)))
        init = self.empty(shape, v.dtype)
        t = tensor_type(shape, v.dtype)
        return Value(shape, v.dtype, ssa=self.emit(
            f"linalg.transpose ins({self.materialize(v)} : {v.type}) outs({init} : {t}) "
            f"permutation = [{', '.join(map(str, perm))}]"))

    def extract_slice(self, v, offsets, sizes, strides=None):
        strides = strides or [1] * v.rank
        if list(offsets) == [0] * v.rank and tuple(sizes) == v.shape and list(strides) == [1] * v.rank:
            return v
        t = tensor_type(sizes, v.dtype)
        return Value(sizes, v.dtype, ssa=self.emit(
            f"tensor.extract_slice {self.materialize(v)}[{', '.join(map(str, offsets))}] "
            f"[{', '.join(map(str, sizes))}] [{', '.join(map(str, strides))}] : {v.type} to {t}"))

    def read_at(self, v, shape, body):
        """A tensor of `shape` from body(b, j, read): j the i64 loop indices,
        read(indices) v's element at in-range i64 indices, taken from v's
        flat view (iree-lite gathers from 1-D sources in its own kernels)."""
        flat = self.reshape(v, (int(np.prod(v.shape)),))
        strides = [int(np.prod(v.shape[i + 1:])) for i in range(v.rank)]

        def read(b, indices):
            offset = b.const(0, np.int64)
            for k, stride in zip(indices, strides):
                term = b.emit(f"arith.muli {k}, {b.const(stride, np.int64)} : i64")
                offset = b.emit(f"arith.addi {offset}, {term} : i64")
            at = b.emit(f"arith.index_cast {offset} : i64 to index")
            return b.emit(f"tensor.extract {self.materialize(flat)}[{at}] : {flat.type}")

        def generic_body(b, args, acc):
            j = [b.emit(f"arith.index_cast {b.emit(f'linalg.index {i} : index')} : index to i64")
                 for i in range(len(shape))]
            return body(b, j, lambda indices: read(b, indices))
        return self.generic([], shape, v.dtype, generic_body)

    def pad(self, v, low, high, value):
        if not any(low) and not any(high):
            return v
        shape = tuple(d + a + b for d, a, b in zip(v.shape, low, high))
        pad_value = self.emit(scalar_constant(value, v.dtype))
        name = self.emit(f"tensor.pad {self.materialize(v)} low[{', '.join(map(str, low))}] "
                         f"high[{', '.join(map(str, high))}] {{")
        block = ", ".join(f"%i{self.count}_{i}: index" for i in range(v.rank))
        self.lines.append(f"  ^bb0({block}):")
        self.lines.append(f"    tensor.yield {pad_value} : {v.element}")
        self.lines.append(f"  }} : {v.type} to {tensor_type(shape, v.dtype)}")
        return Value(shape, v.dtype, ssa=name)

    def concat(self, values, axis):
        if len(values) == 1:
            return values[0]
        shape = list(values[0].shape)
        shape[axis] = sum(v.shape[axis] for v in values)
        t = tensor_type(shape, values[0].dtype)
        return Value(shape, values[0].dtype, ssa=self.emit(
            f"tensor.concat dim({axis}) {', '.join(self.materialize(v) for v in values)} : "
            f"({', '.join(v.type for v in values)}) -> {t}"))

    def sum_over(self, v, axes, pre=None):
        """The sum of float v (after pre(b, x) on each element) over axes."""
        t = v.element
        return self.reduce(v, axes, v.dtype, 0.0, lambda b, x, acc: b.emit(f"arith.addf {x}, {acc} : {t}"), pre=pre)

    def max_over(self, v, axes):
        """The maximum of float v over axes."""
        t = v.element
        return self.reduce(v, axes, v.dtype, -np.inf, lambda b, x, acc: b.emit(f"arith.maximumf {x}, {acc} : {t}"))

    def reduce(self, v, axes, out_dtype, init_value, combine, pre=None):
        """Reduce v over axes (dropped from the shape): the accumulator starts
        at init_value; combine(b, x, acc) after pre(b, x) on each element."""
        axes = sorted(a % v.rank for a in axes) if v.rank else []
        kept = [i for i in range(v.rank) if i not in axes]
        shape = tuple(v.shape[i] for i in kept)
        pos = {a: f"d{len(kept) + j}" for j, a in enumerate(axes)}
        pos.update({a: f"d{j}" for j, a in enumerate(kept)})
        init = self.fill(init_value, shape, out_dtype)

        def body(b, args, acc):
            x = pre(b, args[0]) if pre else args[0]
            return combine(b, x, acc)
        return self.generic([(v, [pos[i] for i in range(v.rank)])], shape, out_dtype, body,
                            reduce_dims=axes, init=init)


def broadcast_shapes(shapes):
    rank = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(rank):
        sizes = {s[i - rank + len(s)] for s in shapes if i - rank + len(s) >= 0} - {1}
        if len(sizes) > 1:
            raise NodeError(f"shapes {' and '.join(fmt_shape(s) for s in shapes)} do not broadcast")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def broadcast_exprs(shape, out_shape):
    lead = len(out_shape) - len(shape)
    return ["0" if d == 1 and out_shape[lead + i] != 1 else f"d{lead + i}" for i, d in enumerate(shape)]


def fmt_shape(shape):
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"
