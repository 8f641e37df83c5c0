"""ONNX op converters by family; CONVERTERS maps an op type to its converter,
which takes a importer.Node and returns its output Values."""
from . import attention, einsum, elementwise, indexing, loss, nn, ordering, quantize, reduce, refused, rotary, scatter, shape

CONVERTERS = {**attention.CONVERTERS, **einsum.CONVERTERS, **elementwise.CONVERTERS, **indexing.CONVERTERS, **loss.CONVERTERS, **nn.CONVERTERS, **ordering.CONVERTERS, **quantize.CONVERTERS, **reduce.CONVERTERS, **refused.CONVERTERS, **rotary.CONVERTERS, **scatter.CONVERTERS, **shape.CONVERTERS}
