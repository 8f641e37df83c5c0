"""Col2Im (opset 18): column blocks summed back into an image. Each output
element gathers, for every kernel position, the block column that covers it
(if any): a linalg.generic that reduces over the kernel positions. The
image and block shapes may be run-time operands: the image's then comes
from the declared output shape (checked at run time), the block's is read
and used at run time."""
import numpy as np

from ..emitter import NodeError, fmt_shape
from ..scalars import Scalars
from .nn import static


def col2im(node):
    x = static(node.inputs[0])
    if x.rank != 3 or x.dtype.kind not in "fiu":
        raise NodeError(f"input {fmt_shape(x.shape)} of {x.dtype} must be a 3-D numeric (N, C * kernel, blocks)")
    s = Scalars(node)
    image_in, block = s.ints(1, "image_shape"), s.ints(2, "block_shape")
    n = len(image_in)
    if node.known(1):
        image = [int(d) for d in node.const_input(1)]
        out_shape = (x.shape[0], None, *image)
    else:
        out_shape = tuple(node.output_shape(0, "input 1 ('image_shape')"))
        image = list(out_shape[2:])
    a = node.attrs
    strides, dilations = list(a.get("strides", [1] * n)), list(a.get("dilations", [1] * n))
    pads = list(a.get("pads", [0] * 2 * n))
    if len(block) != n or len(image) != n or len(strides) != n or len(dilations) != n or len(pads) != 2 * n:
        raise NodeError(f"image_shape, block_shape, strides, dilations and pads disagree on the number of "
                        f"spatial dimensions ({n})")
    if node.known(2):
        kernel = int(np.prod(node.const_input(2)))
        if kernel < 1 or x.shape[1] % kernel:
            raise NodeError(f"input {fmt_shape(x.shape)}: dimension 1 is not a multiple of the block size {kernel}")
        channels = x.shape[1] // kernel
    else:
        channels = out_shape[1]
        if not channels or x.shape[1] % channels:
            raise NodeError(f"the declared output {fmt_shape(out_shape)} does not divide input {fmt_shape(x.shape)}")
        kernel = x.shape[1] // channels
    out_shape = (x.shape[0], channels, *image)
    # the block columns along each axis, and the checks that the operands fit
    cols, oks = [], []
    total, product = s.const(1), s.const(1)
    for i in range(n):
        reach = s.op("muli", s.const(dilations[i]), s.op("subi", block[i], s.const(1)))
        span = s.op("subi", s.const(image[i] + pads[i] + pads[n + i] - 1), reach)
        cols.append(s.op("addi", s.op("divsi", span, s.const(strides[i])), s.const(1)))
        oks += [s.cmp("sge", span, s.const(0)), s.equals(image_in[i], image[i])]
        total, product = s.op("muli", total, cols[-1]), s.op("muli", product, block[i])
    oks += [s.equals(product, kernel), s.equals(total, x.shape[2])]
    s.check(s.all(oks), f"image_shape and block_shape do not fit input {fmt_shape(x.shape)} and output "
                        f"{fmt_shape(out_shape)}")
    return gather_blocks(node.e, x, out_shape, kernel, block, cols, strides, dilations, pads)


def gather_blocks(e, x, out_shape, kernel, block, cols, strides, dilations, pads):
    n = len(block)
    t, dt = x.element, x.dtype
    src = e.materialize(x)
    add = "arith.addf" if x.is_float else "arith.addi"
    positions = e.constant(np.arange(kernel, dtype=np.int64))   # the reduction's range

    def body(b, args, acc):
        def i64(v):
            return b.const(v, np.int64)
        zero, valid, col, rest = i64(0), None, i64(0), args[0]
        offsets = [None] * n
        for i in reversed(range(n)):   # the kernel position's offset along each axis
            offsets[i] = b.emit(f"arith.remsi {rest}, {block[i]} : i64")
            rest = b.emit(f"arith.divsi {rest}, {block[i]} : i64")
        for i in range(n):
            at = b.emit(f"arith.index_cast {b.emit(f'linalg.index {2 + i} : index')} : index to i64")
            reach = b.emit(f"arith.muli {offsets[i]}, {i64(dilations[i])} : i64")
            back = b.emit(f"arith.subi {i64(pads[i])}, {reach} : i64")
            pos = b.emit(f"arith.addi {at}, {back} : i64")
            stride = i64(strides[i])
            block_at = b.emit(f"arith.divsi {pos}, {stride} : i64")
            conds = [b.emit(f"arith.cmpi sge, {pos}, {zero} : i64"),
                     b.emit(f"arith.cmpi eq, {b.emit(f'arith.remsi {pos}, {stride} : i64')}, {zero} : i64"),
                     b.emit(f"arith.cmpi slt, {block_at}, {cols[i]} : i64")]
            for c in conds:
                valid = c if valid is None else b.emit(f"arith.andi {valid}, {c} : i1")
            col = b.emit(f"arith.addi {b.emit(f'arith.muli {col}, {cols[i]} : i64')}, {block_at} : i64")
        col = b.emit(f"arith.index_cast {b.emit(f'arith.select {valid}, {col}, {zero} : i64')} : i64 to index")
        k, c, batch_at = (b.emit(f"linalg.index {d} : index") for d in (len(out_shape), 1, 0))
        first = b.emit(f"arith.muli {c}, {b.emit(f'arith.constant {kernel} : index')} : index")
        channel = b.emit(f"arith.addi {first}, {k} : index")
        value = b.emit(f"tensor.extract {src}[{batch_at}, {channel}, {col}] : {x.type}")
        value = b.emit(f"arith.select {valid}, {value}, {b.const(0, dt)} : {t}")
        return b.emit(f"{add} {acc}, {value} : {t}")
    return e.generic([(positions, [f"d{len(out_shape)}"])], out_shape, dt, body, reduce_dims=[kernel],
                     init=e.fill(0, out_shape, dt))


CONVERTERS = {"Col2Im": col2im}
