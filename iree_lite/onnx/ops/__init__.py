"""ONNX op converters by family; CONVERTERS maps an op type to its converter,
which takes a importer.Node and returns its output Values."""
from . import (
    affine_grid, attention, bits, causal_conv, col2im, control, data_dependent, deform_conv, einsum, elementwise,
    generated, geometry, indexing, linear_attention, loss, nn, ordering, quantize, recurrent, reduce, refused,
    resize, rotary, scatter, sequences, shape, tensor_scatter, window)

CONVERTERS = {
    **affine_grid.CONVERTERS, **attention.CONVERTERS, **bits.CONVERTERS, **causal_conv.CONVERTERS,
    **col2im.CONVERTERS, **control.CONVERTERS, **data_dependent.CONVERTERS, **deform_conv.CONVERTERS,
    **einsum.CONVERTERS, **elementwise.CONVERTERS, **generated.CONVERTERS, **geometry.CONVERTERS,
    **indexing.CONVERTERS, **linear_attention.CONVERTERS, **loss.CONVERTERS, **nn.CONVERTERS,
    **ordering.CONVERTERS, **quantize.CONVERTERS, **recurrent.CONVERTERS, **reduce.CONVERTERS,
    **refused.CONVERTERS, **resize.CONVERTERS, **rotary.CONVERTERS, **scatter.CONVERTERS, **sequences.CONVERTERS,
    **shape.CONVERTERS, **tensor_scatter.CONVERTERS, **window.CONVERTERS,
}
