"""Element type classes: which element types each tile op's `types` class
admits (the verifier), and which the generated kernels compute in."""
from .table import BY_NAME, ELEMENT_CODES, REDUCE_ELEMENTS

# The element types generated kernels compute in: (code, C type, unsigned C
# type, bits, libm suffix). i1 is a byte holding 0 or 1.
FLOATS = [("F32", "float", "", 32, "f"), ("F64", "double", "", 64, "")]
INTS = [("I8", "int8_t", "uint8_t", 8, ""), ("I16", "int16_t", "uint16_t", 16, ""),
        ("I32", "int32_t", "uint32_t", 32, ""), ("I64", "int64_t", "uint64_t", 64, ""),
        ("INDEX", "int64_t", "uint64_t", 64, "")]
I1 = [("I1", "uint8_t", "uint8_t", 1, "")]
KERNEL_TYPES = {"float": FLOATS, "f32-f64": FLOATS, "float->i1": FLOATS, "int": INTS, "sdiv": INTS, "udiv": INTS,
                "bits": INTS + I1, "select": FLOATS + INTS + I1}
# Which element types each `types` class admits (the verifier checks this):
# f16 and bf16 have no kernels of their own; the VM computes them in f32.
TYPE_CLASSES = {cls: {code.lower() for code, *_ in types} for cls, types in KERNEL_TYPES.items()}
for _cls in ("float", "float->i1", "select"):
    TYPE_CLASSES[_cls] |= {"f16", "bf16"}
TYPE_CLASSES["any"] = set(ELEMENT_CODES)
TYPE_CLASSES["index"] = {"index"}
TYPE_CLASSES["f32"] = {"f32"}
TYPE_CLASSES["i8"] = {"i8"}


def reduce_elements(combiner):
    """The element types buffer.reduce folds with `combiner` (a name of
    table.REDUCE_COMBINERS): those of REDUCE_ELEMENTS its tile op admits."""
    return [e for e in REDUCE_ELEMENTS if e in TYPE_CLASSES[BY_NAME["t." + combiner].types]]
