"""ONNX op converters by family; CONVERTERS maps an op type to its converter,
which takes a importer.Node and returns its output Values."""
from . import attention, elementwise, geometry, indexing, loss, nn, reduce, resize, shape, window

CONVERTERS = {**attention.CONVERTERS, **elementwise.CONVERTERS, **geometry.CONVERTERS, **indexing.CONVERTERS, **loss.CONVERTERS, **nn.CONVERTERS, **reduce.CONVERTERS, **resize.CONVERTERS, **shape.CONVERTERS,
             **window.CONVERTERS}
