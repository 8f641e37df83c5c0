"""iree_linalg_ext.quantize_affine and dequantize_affine, which IREE's torch
input conversion emits for PyTorch's decomposed quantization:

    dequantize_affine <indexing_maps = [X, S, (Z,) O]> ins(%x, %scale[, %zero_point]) outs(%o)
    quantize_affine <indexing_maps = [X, S, (Z,) O], quant_min = a, quant_max = b> ins(..) outs(%o)

element-wise over the integer ("quantized") tensor's dimensions, the maps
placing the scale and zero point (per tensor, channel or group). The
verifier has IREE's checks and messages (LinalgExtOps.cpp)."""
from .iree_linalg_ext import ExtOp


def signless_int(t):
    return t.is_int and str(t).startswith("i")


class QuantOp(ExtOp):
    def __init__(self, name):
        self.name = name
        self.dequantize = name.endswith("dequantize_affine")

    def verify(self, op, fail):
        def error(message):
            fail(f"'{self.name}' op {message}")
        ins, outs = self.check_results(op, fail)
        if len(ins) not in (2, 3) or len(outs) != 1:
            fail(f"'{self.name}' takes ins(input, scale[, zero_point]) and one outs")
        operands = ins + outs
        maps = getattr(op.attributes.get("indexing_maps"), "values", None)
        if maps is None:
            error("requires attribute 'indexing_maps'")
        if len(maps) != len(operands):
            error(f"expected {len(operands)} indexing maps, one per operand, got {len(maps)}")
        x, out = ins[0].type, outs[0].type
        if self.dequantize:
            if not signless_int(x.element):
                error(f"expected input to have a signless integer element type, got '{x.element}'")
            if not out.element.is_float:
                error(f"expected output to have a floating point element type, got '{out.element}'")
        else:
            if not x.element.is_float:
                error(f"expected input to have a floating point element type, got '{x.element}'")
            if not signless_int(out.element):
                error(f"expected output to have a signless integer element type, got '{out.element}'")
        scale = ins[1].type
        if not scale.element.is_float:
            error(f"expected scale to have a floating point element type, got '{scale.element}'")
        if len(ins) == 3 and not signless_int(ins[2].type.element):
            error(f"expected zero_point to have a signless integer element type, got '{ins[2].type.element}'")
        if x.shape != out.shape:
            error(f"expected input and output to have the same shape up to their indexing maps, got '{x}' and "
                  f"'{out}'")
        quantized = x if self.dequantize else out
        for i, (m, v) in enumerate(zip(maps, operands)):
            if getattr(m, "results", None) is None or None in m.results:
                error(f"indexing map {i} must select dimensions of the quantized value")
            if m.num_dims != quantized.rank:
                error(f"expected indexing map {i} to have {quantized.rank} dimensions to match the rank of the "
                      f"quantized value, got {m.num_dims}")
        for what, v, m in (("scale", ins[1], maps[1]), ("zero_point", ins[2] if len(ins) == 3 else None, maps[2])):
            if v is None:
                continue
            if v.type.rank != len(m.results):
                error(f"expected {what} to have rank {len(m.results)} to match the number of results of its "
                      f"indexing map, got {v.type.rank}")
            for k, d in enumerate(m.results):
                have, want = v.type.shape[k], quantized.shape[d]
                if None not in (have, want) and have != want:
                    error(f"expected {what} dimension {k} to have size {want} to match dimension {d} of the "
                          f"quantized value, got {have}")
        for i in (0, len(operands) - 1):
            if not maps[i].is_identity:
                error(f"indexing map {i} must be the identity, as the input and output are indexed alike")
        if not self.dequantize:
            self.check_range(op, out.element, error)

    @staticmethod
    def check_range(op, element, error):
        bounds = [op.attributes.get(k) for k in ("quant_min", "quant_max")]
        for key, b in zip(("quant_min", "quant_max"), bounds):
            if not hasattr(b, "value") or not isinstance(b.value, int):
                error(f"requires attribute '{key}'")
        low, high = (b.value for b in bounds)
        if low > high:
            error(f"expected quant_min to not exceed quant_max, got [{low}, {high}]")
        half = 1 << (element.bitwidth - 1)
        if low < -half or high >= half:
            error(f"quantization range [{low}, {high}] is not representable in signed '{element}'")


OPS = {op.name: op for op in (QuantOp("iree_linalg_ext.quantize_affine"), QuantOp("iree_linalg_ext.dequantize_affine"))}
