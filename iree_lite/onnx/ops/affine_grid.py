"""AffineGrid (opset 20): each batch's affine matrix applied to the evenly
spaced homogeneous positions of a 2-D or 3-D grid, a batched contraction with
the positions as an import-time constant."""
import numpy as np

from ..emitter import NodeError, fmt_shape
from ..scalars import Scalars
from .elementwise import check_float
from .nn import static


def positions(sizes, align_corners):
    """The (x, y[, z], 1) coordinates in [-1, 1] of each grid point, shaped
    (*sizes, len(sizes) + 1), x varying along the last axis."""
    axes = []
    for n in sizes:
        i = np.arange(n, dtype=np.float64)
        axes.append(-1 + 2 * i / (n - 1) if align_corners and n > 1 else
                    np.full(n, -1.0) if align_corners else (2 * i + 1) / n - 1)
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([*reversed(mesh), np.ones(sizes)], axis=-1)


def affine_grid(node):
    theta = static(node.inputs[0], "theta")
    check_float(theta)
    s = Scalars(node)
    given = s.ints(1, "size")
    spatial = len(given) - 2
    if node.known(1):
        size = [int(d) for d in node.const_input(1)]
    else:   # the declared grid (N, H, W, 2) or (N, D, H, W, 3) gives all but C, checked at run time
        grid_shape = node.output_shape(0, "input 1 ('size')")
        size = [grid_shape[0], None, *grid_shape[1:-1]]
        if len(size) == len(given):
            s.check(s.all(s.equals(g, d) for g, d in zip(given, size) if d is not None),
                    f"size does not give the declared output shape {fmt_shape(grid_shape)}")
    align = node.attrs.get("align_corners", 0)
    if spatial not in (2, 3) or len(size) != len(given) or theta.shape != (size[0], spatial, spatial + 1):
        raise NodeError(f"theta {fmt_shape(theta.shape)} and size {fmt_shape(size)} must be (N, 2, 3) with "
                        f"(N, C, H, W) or (N, 3, 4) with (N, C, D, H, W)")
    e, dt, t = node.e, theta.dtype, theta.element
    grid = e.constant(positions(size[2:], align).astype(dt))
    out_shape = (size[0], *size[2:], spatial)
    red = f"d{len(out_shape)}"
    spatial_dims = [f"d{1 + i}" for i in range(spatial)]

    def mac(b, args, acc):
        return b.emit(f"arith.addf {acc}, {b.emit(f'arith.mulf {args[0]}, {args[1]} : {t}')} : {t}")
    return e.generic([(theta, ["d0", f"d{1 + spatial}", red]), (grid, spatial_dims + [red])], out_shape, dt, mac,
                     reduce_dims=[spatial + 1], init=e.fill(0.0, out_shape, dt))


CONVERTERS = {"AffineGrid": affine_grid}
