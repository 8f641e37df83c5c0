"""ONNX op converters by family; CONVERTERS maps an op type to its converter,
which takes a importer.Node and returns its output Values."""
from . import attention, elementwise, indexing, loss, nn, reduce, resize, shape, window

CONVERTERS = {**attention.CONVERTERS, **elementwise.CONVERTERS, **indexing.CONVERTERS, **loss.CONVERTERS, **nn.CONVERTERS, **reduce.CONVERTERS, **resize.CONVERTERS, **shape.CONVERTERS,
             **window.CONVERTERS}
