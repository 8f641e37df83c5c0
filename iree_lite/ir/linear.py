"""Linear forms of dimensions (an affine map's rows as coefficients and a
constant), shared by the compiler and both VMs' checks. Its own module, free
of the attribute classes, so run-module does not build those at start-up."""


def exact_dimension(coeffs, const):
    """The dimension that the linear form sum(coeffs[d] * d) + const is
    exactly (coefficient 1 alone, constant 0), or None. A buffer.expand
    source dimension whose map row is such a form has that dimension's size."""
    ones = [d for d, a in enumerate(coeffs) if a]
    return ones[0] if const == 0 and len(ones) == 1 and coeffs[ones[0]] == 1 else None


def row_major_strides(shape):
    """Each dimension's stride, in elements, of `shape` laid out row-major:
    the coefficients of the flat index's linear form."""
    strides = [1] * len(shape)
    for k in range(len(shape) - 2, -1, -1):
        strides[k] = strides[k + 1] * shape[k + 1]
    return strides
