"""iree_linalg_ext.winograd.input_transform, filter_transform and
output_transform, for F(6x6, 3x3): 8x8 tiles taken from the image by a
gather (zeros past its edge) and transformed by two matrix products,
B^T (tile) B; each 3x3 kernel of the filter (HWCF, or FCHW moved to HWCF)
G (kernel) G^T; and back, A^T (tile) A, the 6x6 blocks put in place by a
transposing copy."""
from fractions import Fraction as F

from ..ir.attributes import AffineMapAttr, DenseElementsAttr
from ..ir.types import TensorType
from .body import gather
from .build import constant, expand, index_constant, linear_index, view

# The input transform's B^T (8x8) and the output transform's A^T (6x8): the
# points 0, 1, -1, 2, -2, 1/2, -1/2 and infinity.
BT = [[1, 0, F(-21, 4), 0, F(21, 4), 0, -1, 0],
      [0, 1, 1, F(-17, 4), F(-17, 4), 1, 1, 0],
      [0, -1, 1, F(17, 4), F(-17, 4), -1, 1, 0],
      [0, F(1, 2), F(1, 4), F(-5, 2), F(-5, 4), 2, 1, 0],
      [0, F(-1, 2), F(1, 4), F(5, 2), F(-5, 4), -2, 1, 0],
      [0, 2, 4, F(-5, 2), -5, F(1, 2), 1, 0],
      [0, -2, 4, F(5, 2), -5, F(-1, 2), 1, 0],
      [0, -1, 0, F(21, 4), 0, F(-21, 4), 0, 1]]
POINTS = [1, -1, 2, -2, F(1, 2), F(-1, 2)]
AT = [[int(k == 0)] + [p ** k for p in POINTS] + [int(k == 5)] for k in range(6)]
# The filter transform's G (8x3), as IREE's constants (WinogradConstants.h) are.
G = [[1, 0, 0], [F(-2, 9)] * 3, [F(-2, 9), F(2, 9), F(-2, 9)], [F(1, 90), F(1, 45), F(2, 45)],
     [F(1, 90), F(-1, 45), F(2, 45)], [F(32, 45), F(16, 45), F(8, 45)], [F(32, 45), F(-16, 45), F(8, 45)], [0, 0, 1]]
STEP = 6


def rewrite_winograd(op, rw):
    (x,), (out,) = op.operands[:1], op.operands[1:2]
    element = x.type.element
    forward = op.name.endswith("input_transform")
    matrix = BT if forward else G if op.name.endswith("filter_transform") else AT
    rows, side = len(matrix), len(matrix[0])

    def const(shape, values):
        t = TensorType(shape, element)
        return rw.new("arith.constant", [], [t],
                      {"value": DenseElementsAttr.from_values(t, list(map(float, values)), False)})[0]

    def zeros(shape):
        t = TensorType(shape, element)
        return rw.new("arith.constant", [], [t], {"value": DenseElementsAttr.from_values(t, (0.0,), True)})[0]

    def matmul(a, b):
        shape = a.type.shape[:-1] + b.type.shape[-1:]
        return rw.new("iree_lite.matmul", [zeros(shape), a, b], [TensorType(shape, element)])[0]
    tiles = take_tiles(op, rw, x, out) if forward else x
    if side == 3 and tuple(op.attributes["kernel_dimensions"]) == (2, 3) and x.type.rank == 4:   # FCHW -> HWCF
        f, c, h, w = x.type.shape
        tiles = expand(rw, x, AffineMapAttr(4, (3, 2, 0, 1)), (h, w, c, f))
    count = tiles.type.num_elements // (side * side)
    flat = [v for row in matrix for v in row]
    # M (tile) M^T as two products: first each row block of the tile times
    # M^T (a batched product over the tile's rows), then M times the result.
    half = matmul(const((side, rows, side), flat * side), view(rw, tiles, [side, side, count]))
    full = matmul(const((1, rows, side), flat), view(rw, half, [1, side, rows * count]))
    done = view(rw, full, [rows, rows] + list(tiles.type.shape[2:]))
    if side == 3 or forward:
        return [done]
    return [place_blocks(op, rw, done, out)]


def image_layout(op):
    """Where the image's n, h, w and c dimensions are."""
    return (0, 1, 2, 3) if tuple(op.attributes["image_dimensions"]) == (1, 2) else (0, 2, 3, 1)


def take_tiles(op, rw, x, out):
    """The 8x8 tiles of x at out's shape: out[a, b, n, i, j, c] =
    x[n, 6i + a, 6j + b, c] (NHWC), zero past the image."""
    shape = out.type.shape
    at = [linear_index(rw, shape, d) for d in range(len(shape))]
    if len(shape) == 2:
        coords = at
    else:
        def shifted(tile, offset):
            six = rw.new("tensor.splat", [index_constant(rw, STEP)], [tile.type])[0]
            return rw.new("arith.addi", [rw.new("arith.muli", [tile, six], [tile.type])[0], offset], [tile.type])[0]
        nhwc = [at[2], shifted(at[3], at[0]), shifted(at[4], at[1]), at[5]]
        layout = image_layout(op)
        coords = [nhwc[layout.index(d)] for d in range(4)]
    zero = rw.new("tensor.splat", [constant(rw, 0.0, x.type.element)], [TensorType(shape, x.type.element)])[0]
    return gather(rw, x, coords, shape, zero)


def place_blocks(op, rw, blocks, out):
    """out from its 6x6 blocks: out[n, 6i + a, 6j + b, c] = blocks[a, b, n, i, j, c] (NHWC)."""
    if out.type.rank == 2:
        return blocks
    _, _, n, h, w, c = blocks.type.shape
    if image_layout(op) == (0, 1, 2, 3):
        order, shape = (2, 4, 0, 1, 3, 5), (n, h, STEP, w, STEP, c)
    else:
        order, shape = (3, 5, 0, 2, 4, 1), (n, c, h, STEP, w, STEP)
    moved = expand(rw, blocks, AffineMapAttr(6, order), shape)
    return view(rw, moved, list(out.type.shape))
