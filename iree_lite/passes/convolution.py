"""Convolutions and poolings (every layout dialects/convolution.py
describes) rewritten into window gathers (`iree_lite.expand` through an
affine map: one strided copy) and matrix products or reductions.

A convolution with filters (or a depthwise one with a channel multiplier,
a grouped convolution of one channel per group) is a (batched) matrix
product of the input's windows (im2col) with the filter, arranged so that
the output is the product itself where its dimensions are [batch...,
rows..., columns...], rows and columns being the window side's loops and
the filter side's. Other depthwise and plain convolutions multiply the
windows by the filter element-wise and reduce; poolings reduce the windows.
"""
from ..dialects.convolution import layout, loop_sizes, strides_and_dilations
from ..ir.attributes import AffineMapAttr
from .build import constant, contract_views, expand, fold, size_of, size_product, splat, view
from .conv_direct import direct_conv
from .pool_direct import direct_pool

COMBINERS = {"sum": ("addf", "addi"), "max": ("maximumf", "maxsi"), "min": ("minimumf", "minsi"),
             "mul": ("addf", "addi")}


def convolve(op, rw, kind, ins, init):
    direct = direct_conv(op, rw, kind, ins, init)
    if direct is None:
        direct = direct_pool(op, rw, kind, ins, init)
    if direct is not None:
        return direct
    lay = layout(kind)
    x, w = ins
    z, where, _ = loop_sizes(lay, (x.type.shape, w.type.shape, init.type.shape))
    strides, dilations = strides_and_dilations(op, len(lay.spatial))
    read = {}

    def size(loop):
        """A loop's size: an int, or an index value read once from an operand."""
        if z[loop] is not None:
            return z[loop]
        if loop not in read:
            operand, axis = where[loop]
            read[loop] = size_of(rw, (x, w, init)[operand], axis)
        return read[loop]

    def at(loops):
        return tuple(z[k] for k in loops), (lambda i: size(loops[i]))

    def windows(loops):
        """x at every point of `loops`, each spatial index being output
        position * stride + window position * dilation."""
        d = {name: ("d", i) for i, name in enumerate(loops)}
        exprs = []
        for a in lay.input:
            if a in lay.spatial:
                j = lay.spatial.index(a)
                exprs.append(("+", ("*", d["o" + a], ("c", strides[j])), ("*", d["k" + a], ("c", dilations[j]))))
            else:
                exprs.append(d[a])
        shape, sized = at(loops)
        return expand(rw, x, AffineMapAttr(len(loops), None, 0, tuple(exprs)), shape, size=sized)

    def arranged(value, axes, loops):
        """value (its dimensions walking `axes`) at every point of `loops`:
        a transpose and broadcast, no copy where it is value itself."""
        shape, sized = at(loops)
        return expand(rw, value, AffineMapAttr(len(loops), tuple(loops.index(a) for a in axes)), shape, size=sized)

    def prod(loops):
        return size_product(rw, [size(k) for k in loops])

    if lay.pooling or not {"f", "m"} & set(lay.filter):
        patches = windows(lay.output + lay.reduced)
        float_ = x.type.element.is_float
        if not lay.pooling:
            filters = arranged(w, lay.filter, lay.output + lay.reduced)
            patches = rw.new("arith.mulf" if float_ else "arith.muli", [patches, filters], [patches.type])[0]
        combiner = COMBINERS[lay.combine][0 if float_ else 1]
        if not lay.unsigned:
            return fold(rw, init, patches, combiner)
        # Unsigned order is signed order with the sign bits flipped.
        sign = constant(rw, -(1 << (x.type.element.bitwidth - 1)), x.type.element)

        def flipped(v):
            return rw.new("arith.xori", [v, splat(rw, sign, v)], [v.type])[0]
        return flipped(fold(rw, flipped(init), flipped(patches), combiner))
    batch, left, right = product_order(lay)
    order = batch + left + right
    if right[0] in lay.filter:   # output [batch][windows' loops][filters]
        lhs, rhs = windows(batch + left + lay.reduced), arranged(w, lay.filter, batch + lay.reduced + right)
    else:
        lhs, rhs = arranged(w, lay.filter, batch + left + lay.reduced), windows(batch + lay.reduced + right)
    lead = [prod(batch)] if batch else []
    lhs = view(rw, lhs, lead + [prod(left), prod(lay.reduced)])
    rhs = view(rw, rhs, lead + [prod(lay.reduced), prod(right)])
    if order == lay.output:
        return contract_views(rw, lhs, rhs, init)
    return arranged(contract_views(rw, lhs, rhs, arranged(init, lay.output, order)), order, lay.output)


def product_order(lay):
    """(batch, rows, columns): the loops of a convolution's matrix product.
    The output's own order when it is [batch][rows][columns] with the rows
    all of one side (the windows' loops or the filter's) and the columns all
    of the other; else [groups][windows' loops][filters], into which the
    output is transposed."""
    windowed = set(lay.input) | {"o" + s for s in lay.spatial}

    def side(a):
        return ("both" if a in lay.filter else "x") if a in windowed else "w"
    out = lay.output
    cols = len(out)
    while cols > 0 and side(out[cols - 1]) == side(out[-1]):
        cols -= 1
    rows = cols
    while rows > 0 and side(out[rows - 1]) == side(out[cols - 1]):
        rows -= 1
    if cols > 0 and "both" not in (side(out[-1]), side(out[cols - 1])):
        return out[:rows], out[rows:cols], out[cols:]
    return tuple(tuple(a for a in out if side(a) == s) for s in ("both", "x", "w"))
