"""ONNX op converters by family; CONVERTERS maps an op type to its converter,
which takes a importer.Node and returns its output Values."""
from . import (
    attention, control, einsum, elementwise, generated, geometry, indexing, loss, nn, ordering, quantize,
    recurrent, reduce, refused, resize, rotary, scatter, sequences, shape, window)

CONVERTERS = {
    **attention.CONVERTERS, **control.CONVERTERS, **einsum.CONVERTERS, **elementwise.CONVERTERS,
    **generated.CONVERTERS, **geometry.CONVERTERS, **indexing.CONVERTERS, **loss.CONVERTERS, **nn.CONVERTERS,
    **ordering.CONVERTERS, **quantize.CONVERTERS, **recurrent.CONVERTERS, **reduce.CONVERTERS,
    **refused.CONVERTERS, **resize.CONVERTERS, **rotary.CONVERTERS, **scatter.CONVERTERS, **sequences.CONVERTERS,
    **shape.CONVERTERS, **window.CONVERTERS,
}
