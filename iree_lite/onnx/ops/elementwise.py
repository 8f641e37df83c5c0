"""Element-wise ONNX ops (with numpy broadcasting): arithmetic, math,
activations, comparisons and logic, Where, Cast, Clip."""
import numpy as np

from ..emitter import NodeError, element_type


def check_float(v):
    if not v.is_float:
        raise NodeError(f"element type {v.dtype} is not supported (a float type is needed)")


def by_kind(v, float_op, int_op, uint_op=None):
    """The op for v's element kind: float, unsigned (uint_op, else int_op)
    or signed integer."""
    return float_op if v.is_float else (uint_op or int_op) if v.unsigned else int_op


def binary(float_op, int_op, uint_op=None):
    def convert(node):
        a, b = node.inputs[0], node.inputs[1]
        op = by_kind(a, float_op, int_op, uint_op)
        if op is None:
            raise NodeError(f"element type {a.dtype} is not supported")
        t = a.element
        return node.e.elementwise([a, b], a.dtype, lambda b_, x: b_.emit(f"{op} {x[0]}, {x[1]} : {t}"))
    return convert


def variadic(float_op, int_op, uint_op=None, mean=False):
    """Sum, Max, Min, Mean: a left fold over any number of inputs."""
    def convert(node):
        vs = node.inputs
        a = vs[0]
        op = by_kind(a, float_op, int_op, uint_op)
        if op is None or (mean and not a.is_float):
            raise NodeError(f"element type {a.dtype} is not supported")
        t = a.element

        def body(b, xs):
            acc = xs[0]
            for x in xs[1:]:
                acc = b.emit(f"{op} {acc}, {x} : {t}")
            if mean:
                acc = b.emit(f"arith.divf {acc}, {b.const(len(xs), a.dtype)} : {t}")
            return acc
        return node.e.elementwise(vs, a.dtype, body)
    return convert


def unary_float(build):
    """build(b, x, t, attrs, dtype) -> the result scalar, for float inputs."""
    def convert(node):
        x = node.inputs[0]
        check_float(x)
        t = x.element
        return node.e.elementwise([x], x.dtype, lambda b, xs: build(b, xs[0], t, node.attrs, x.dtype))
    return convert


def math1(name):
    return unary_float(lambda b, x, t, a, d: b.emit(f"math.{name} {x} : {t}"))


def sigmoid(b, x, t, dtype):
    one = b.const(1.0, dtype)
    e = b.emit(f"math.exp {b.emit(f'arith.negf {x} : {t}')} : {t}")
    return b.emit(f"arith.divf {one}, {b.emit(f'arith.addf {one}, {e} : {t}')} : {t}")


def relu(node):
    x = node.inputs[0]
    t = x.element
    if x.is_float:
        return node.e.elementwise([x], x.dtype, lambda b, xs: b.emit(
            f"arith.maximumf {xs[0]}, {b.const(0.0, x.dtype)} : {t}"))
    return node.e.elementwise([x], x.dtype, lambda b, xs: b.emit(f"arith.maxsi {xs[0]}, {b.const(0, x.dtype)} : {t}"))


def select_positive(b, x, t, dtype, negative):
    """x where x > 0, else negative (a scalar)."""
    cond = b.emit(f"arith.cmpf ogt, {x}, {b.const(0.0, dtype)} : {t}")
    return b.emit(f"arith.select {cond}, {x}, {negative} : {t}")


def leaky_relu(b, x, t, a, dtype):
    return select_positive(b, x, t, dtype, b.emit(f"arith.mulf {x}, {b.const(a.get('alpha', 0.01), dtype)} : {t}"))


def elu_part(b, x, t, dtype, alpha):
    em1 = b.emit(f"math.expm1 {x} : {t}")
    return b.emit(f"arith.mulf {em1}, {b.const(alpha, dtype)} : {t}")


def elu(b, x, t, a, dtype):
    return select_positive(b, x, t, dtype, elu_part(b, x, t, dtype, a.get("alpha", 1.0)))


def selu(b, x, t, a, dtype):
    alpha, gamma = a.get("alpha", 1.67326319217681884765625), a.get("gamma", 1.05070102214813232421875)
    y = select_positive(b, x, t, dtype, elu_part(b, x, t, dtype, alpha))
    return b.emit(f"arith.mulf {y}, {b.const(gamma, dtype)} : {t}")


def celu(b, x, t, a, dtype):
    alpha = a.get("alpha", 1.0)
    scaled = b.emit(f"arith.divf {x}, {b.const(alpha, dtype)} : {t}")
    return select_positive(b, x, t, dtype, elu_part(b, scaled, t, dtype, alpha))


def hard_sigmoid(b, x, t, a, dtype, alpha=None, beta=None):
    alpha = a.get("alpha", 0.2) if alpha is None else alpha
    beta = a.get("beta", 0.5) if beta is None else beta
    y = b.emit(f"arith.addf {b.emit(f'arith.mulf {x}, {b.const(alpha, dtype)} : {t}')}, {b.const(beta, dtype)} : {t}")
    y = b.emit(f"arith.maximumf {y}, {b.const(0.0, dtype)} : {t}")
    return b.emit(f"arith.minimumf {y}, {b.const(1.0, dtype)} : {t}")


def hard_swish(b, x, t, a, dtype):
    return b.emit(f"arith.mulf {x}, {hard_sigmoid(b, x, t, a, dtype, 1 / 6, 0.5)} : {t}")


def softplus(b, x, t, a, dtype):
    return b.emit(f"math.log1p {b.emit(f'math.exp {x} : {t}')} : {t}")


def softsign(b, x, t, a, dtype):
    d = b.emit(f"arith.addf {b.const(1.0, dtype)}, {b.emit(f'math.absf {x} : {t}')} : {t}")
    return b.emit(f"arith.divf {x}, {d} : {t}")


def mish(b, x, t, a, dtype):
    return b.emit(f"arith.mulf {x}, {b.emit(f'math.tanh {softplus(b, x, t, a, dtype)} : {t}')} : {t}")


def gelu(b, x, t, a, dtype):
    half = b.const(0.5, dtype)
    if a.get("approximate", "none") == "tanh":
        cube = b.emit(f"arith.mulf {x}, {b.emit(f'arith.mulf {x}, {x} : {t}')} : {t}")
        inner = b.emit(f"arith.addf {x}, {b.emit(f'arith.mulf {cube}, {b.const(0.044715, dtype)} : {t}')} : {t}")
        inner = b.emit(f"arith.mulf {inner}, {b.const(np.sqrt(2 / np.pi), dtype)} : {t}")
        s = b.emit(f"math.tanh {inner} : {t}")
    else:
        s = b.emit(f"math.erf {b.emit(f'arith.mulf {x}, {b.const(1 / np.sqrt(2), dtype)} : {t}')} : {t}")
    one_plus = b.emit(f"arith.addf {b.const(1.0, dtype)}, {s} : {t}")
    return b.emit(f"arith.mulf {b.emit(f'arith.mulf {x}, {half} : {t}')}, {one_plus} : {t}")


def thresholded_relu(b, x, t, a, dtype):
    cond = b.emit(f"arith.cmpf ogt, {x}, {b.const(a.get('alpha', 1.0), dtype)} : {t}")
    return b.emit(f"arith.select {cond}, {x}, {b.const(0.0, dtype)} : {t}")


def swish(b, x, t, a, dtype):
    scaled = b.emit(f"arith.mulf {x}, {b.const(a.get('alpha', 1.0), dtype)} : {t}")
    return b.emit(f"arith.mulf {x}, {sigmoid(b, scaled, t, dtype)} : {t}")


def reciprocal(b, x, t, a, dtype):
    return b.emit(f"arith.divf {b.const(1.0, dtype)}, {x} : {t}")


def sign(b, x, t, a, dtype):
    zero, one = b.const(0.0, dtype), b.const(1.0, dtype)
    pos = b.emit(f"arith.cmpf ogt, {x}, {zero} : {t}")
    neg = b.emit(f"arith.cmpf olt, {x}, {zero} : {t}")
    y = b.emit(f"arith.select {pos}, {one}, {zero} : {t}")
    return b.emit(f"arith.select {neg}, {b.const(-1.0, dtype)}, {y} : {t}")


def neg(node):
    x = node.inputs[0]
    t = x.element
    if x.is_float:
        return node.e.elementwise([x], x.dtype, lambda b, xs: b.emit(f"arith.negf {xs[0]} : {t}"))
    return node.e.elementwise([x], x.dtype, lambda b, xs: b.emit(f"arith.subi {b.const(0, x.dtype)}, {xs[0]} : {t}"))


def abs_(node):
    x = node.inputs[0]
    if x.unsigned:
        return x
    op = "math.absf" if x.is_float else "math.absi"
    return node.e.elementwise([x], x.dtype, lambda b, xs: b.emit(f"{op} {xs[0]} : {x.element}"))


def prelu(node):
    x, slope = node.inputs
    check_float(x)
    t = x.element
    return node.e.elementwise([x, slope], x.dtype, lambda b, xs: select_positive(
        b, xs[0], t, x.dtype, b.emit(f"arith.mulf {xs[0]}, {xs[1]} : {t}")))


def pow_(node):
    """The result has the base's type: integer powers by math.ipowi, an
    integer base to a float power through the float."""
    x, y = node.inputs
    e = node.e
    if not x.is_float:
        if y.is_float:
            z = pow_float(e, cast_value(e, x, y.dtype), y)
            return cast_value(e, z, x.dtype)
        y = cast_value(e, y, x.dtype)
        return e.elementwise([x, y], x.dtype, lambda b, xs: b.emit(f"math.ipowi {xs[0]}, {xs[1]} : {x.element}"))
    return pow_float(e, x, cast_value(e, y, x.dtype))


def pow_float(e, x, y):
    return e.elementwise([x, y], x.dtype, lambda b, xs: b.emit(f"math.powf {xs[0]}, {xs[1]} : {x.element}"))


def compare(float_pred, int_pred, uint_pred):
    def convert(node):
        a, c = node.inputs
        op = by_kind(a, f"arith.cmpf {float_pred}", f"arith.cmpi {int_pred}", f"arith.cmpi {uint_pred}")
        return node.e.elementwise([a, c], np.bool_, lambda b, xs: b.emit(f"{op}, {xs[0]}, {xs[1]} : {a.element}"))
    return convert


def logical(op):
    def convert(node):
        return node.e.elementwise(node.inputs, np.bool_, lambda b, xs: b.emit(f"arith.{op} {xs[0]}, {xs[1]} : i1"))
    return convert


def not_(node):
    return node.e.elementwise(node.inputs, np.bool_, lambda b, xs: b.emit(f"arith.xori {xs[0]}, {b.const(True, np.bool_)} : i1"))


def bitwise_not(node):
    """x xor all ones, for the integer types."""
    x = node.inputs[0]
    if x.dtype.kind not in "iu":
        raise NodeError(f"element type {x.dtype} is not supported")
    ones = np.iinfo(x.dtype).max if x.unsigned else -1
    return node.e.elementwise([x], x.dtype,
                              lambda b, xs: b.emit(f"arith.xori {xs[0]}, {b.const(ones, x.dtype)} : {x.element}"))


def where(node):
    cond, x, y = node.inputs
    return node.e.elementwise([cond, x, y], x.dtype, lambda b, xs: b.emit(
        f"arith.select {xs[0]}, {xs[1]}, {xs[2]} : {x.element}"))


def is_nan(node):
    x = node.inputs[0]
    check_float(x)
    return node.e.elementwise([x], np.bool_, lambda b, xs: b.emit(f"math.isnan {xs[0]} : {x.element}"))


def is_inf(node):
    x = node.inputs[0]
    check_float(x)
    pos, neg_ = node.attrs.get("detect_positive", 1), node.attrs.get("detect_negative", 1)
    t = x.element

    def body(b, xs):
        inf = b.emit(f"math.isinf {xs[0]} : {t}")
        if pos and neg_:
            return inf
        side = b.emit(f"arith.cmpf {'ogt' if pos else 'olt'}, {xs[0]}, {b.const(0.0, x.dtype)} : {t}")
        return b.emit(f"arith.andi {inf}, {side} : i1")
    return node.e.elementwise([x], np.bool_, body)


def clip(node):
    x = node.inputs[0]
    lo = node.input(1) if node.opset >= 11 else None
    hi = node.input(2) if node.opset >= 11 else None
    if node.opset < 11:
        lo_v, hi_v = node.attrs.get("min"), node.attrs.get("max")
        lo = None if lo_v is None else node.e.constant(np.array(lo_v, x.dtype))
        hi = None if hi_v is None else node.e.constant(np.array(hi_v, x.dtype))
    ins = [x] + [v for v in (lo, hi) if v is not None]
    t = x.element
    mx, mn = by_kind(x, ("arith.maximumf", "arith.minimumf"), ("arith.maxsi", "arith.minsi"),
                     ("arith.maxui", "arith.minui"))

    def body(b, xs):
        y, rest = xs[0], list(xs[1:])
        if lo is not None:
            y = b.emit(f"{mx} {y}, {rest.pop(0)} : {t}")
        if hi is not None:
            y = b.emit(f"{mn} {y}, {rest.pop(0)} : {t}")
        return y
    return node.e.elementwise(ins, x.dtype, body)


def cast_scalar(b, x, src, dst):
    """Convert one element from numpy dtype src to dst, as numpy's astype
    does (floats to ints saturate in the VM; to bool is `!= 0`)."""
    src, dst = np.dtype(src), np.dtype(dst)
    s, d = element_type(src), element_type(dst)
    if src == dst:
        return x
    if dst.kind == "b":
        if src.kind == "f":
            return b.emit(f"arith.cmpf une, {x}, {b.const(0.0, src)} : {s}")
        return b.emit(f"arith.cmpi ne, {x}, {b.const(0, src)} : {s}")
    if src.kind == "f" and dst.kind == "f":
        op = "arith.extf" if dst.itemsize > src.itemsize else "arith.truncf"
    elif src.kind == "f":
        op = "arith.fptoui" if dst.kind == "u" else "arith.fptosi"
    elif dst.kind == "f":
        op = "arith.uitofp" if src.kind in "ub" else "arith.sitofp"
    elif dst.itemsize == src.itemsize and src.kind != "b":   # bool's byte is an i1 in MLIR
        return x
    elif dst.itemsize > src.itemsize or src.kind == "b":
        op = "arith.extui" if src.kind in "ub" else "arith.extsi"
    else:
        op = "arith.trunci"
    return b.emit(f"{op} {x} : {s} to {d}")


def cast_value(e, v, dtype):
    if v.dtype == np.dtype(dtype):
        return v
    return e.elementwise([v], dtype, lambda b, xs: cast_scalar(b, xs[0], v.dtype, dtype))


def onnx_dtype(code, what):
    """The numpy dtype of an ONNX element type code (a `to` or `dtype`
    attribute); `what` names it in the error for one we lack."""
    from onnx import helper
    try:
        dtype = helper.tensor_dtype_to_np_dtype(code)
        element_type(dtype)
    except (KeyError, NodeError):
        from onnx import TensorProto
        raise NodeError(f"{what} {TensorProto.DataType.Name(code)} is not supported") from None
    return dtype


def cast(node):
    node.attrs.get("saturate")
    return cast_value(node.e, node.inputs[0], onnx_dtype(node.attrs.get("to"), "cast to"))


def cast_like(node):
    return cast_value(node.e, node.inputs[0], node.inputs[1].dtype)


def identity(node):
    return node.inputs[0]


def dropout(node):
    """Inference: the input, and an all-true mask when asked for."""
    node.attrs.get("seed")
    node.attrs.get("ratio")
    x = node.inputs[0]
    training = node.input(2)
    if training is not None and (training.const is None or bool(training.const)):
        raise NodeError("training mode is not supported")
    return [x, node.e.constant(np.ones(x.shape, np.bool_))]


def shrink(b, x, t, a, dtype):
    """x + bias below -lambd, x - bias above lambd, else 0."""
    lambd, bias = a.get("lambd", 0.5), a.get("bias", 0.0)
    below = b.emit(f"arith.cmpf olt, {x}, {b.const(-lambd, dtype)} : {t}")
    above = b.emit(f"arith.cmpf ogt, {x}, {b.const(lambd, dtype)} : {t}")
    up = b.emit(f"arith.addf {x}, {b.const(bias, dtype)} : {t}")
    down = b.emit(f"arith.subf {x}, {b.const(bias, dtype)} : {t}")
    rest = b.emit(f"arith.select {above}, {down}, {b.const(0.0, dtype)} : {t}")
    return b.emit(f"arith.select {below}, {up}, {rest} : {t}")


def mod(node):
    a, c = node.inputs
    t = a.element
    if node.attrs.get("fmod", 0):
        return binary("arith.remf", "arith.remsi", "arith.remui")(node)
    if a.unsigned:
        return binary(None, "arith.remui")(node)
    cmp, rem, add, zero = ("arith.cmpf one", "arith.remf", "arith.addf", 0.0) if a.is_float else \
        ("arith.cmpi ne", "arith.remsi", "arith.addi", 0)
    lt = "arith.cmpf olt" if a.is_float else "arith.cmpi slt"

    def body(b, xs):   # the remainder takes the divisor's sign, as Python's %
        r = b.emit(f"{rem} {xs[0]}, {xs[1]} : {t}")
        z = b.const(zero, a.dtype)
        nonzero = b.emit(f"{cmp}, {r}, {z} : {t}")
        r_neg = b.emit(f"{lt}, {r}, {z} : {t}")
        d_neg = b.emit(f"{lt}, {xs[1]}, {z} : {t}")
        signs_differ = b.emit(f"arith.xori {r_neg}, {d_neg} : i1")
        fix = b.emit(f"arith.andi {nonzero}, {signs_differ} : i1")
        return b.emit(f"arith.select {fix}, {b.emit(f'{add} {r}, {xs[1]} : {t}')}, {r} : {t}")
    return node.e.elementwise([a, c], a.dtype, body)


def bit_shift(node):
    direction = node.attrs.get("direction")
    if direction == "LEFT":
        return binary(None, "arith.shli")(node)
    return binary(None, "arith.shrsi", "arith.shrui")(node)   # arithmetic for signed types


CONVERTERS = {
    "Add": binary("arith.addf", "arith.addi"), "Sub": binary("arith.subf", "arith.subi"),
    "Mul": binary("arith.mulf", "arith.muli"), "Div": binary("arith.divf", "arith.divsi", "arith.divui"),
    "Sum": variadic("arith.addf", "arith.addi"), "Mean": variadic("arith.addf", None, mean=True),
    "Max": variadic("arith.maximumf", "arith.maxsi", "arith.maxui"),
    "Min": variadic("arith.minimumf", "arith.minsi", "arith.minui"),
    "Pow": pow_, "Mod": mod, "BitShift": bit_shift,
    "BitwiseAnd": binary(None, "arith.andi"), "BitwiseOr": binary(None, "arith.ori"),
    "BitwiseXor": binary(None, "arith.xori"), "BitwiseNot": bitwise_not,
    "Abs": abs_, "Neg": neg, "Relu": relu, "PRelu": prelu,
    "Exp": math1("exp"), "Log": math1("log"), "Sqrt": math1("sqrt"), "Floor": math1("floor"),
    "Ceil": math1("ceil"), "Round": math1("roundeven"), "Tanh": math1("tanh"), "Sin": math1("sin"),
    "Cos": math1("cos"), "Tan": math1("tan"), "Asin": math1("asin"), "Acos": math1("acos"),
    "Atan": math1("atan"), "Sinh": math1("sinh"), "Cosh": math1("cosh"), "Asinh": math1("asinh"),
    "Acosh": math1("acosh"), "Atanh": math1("atanh"), "Erf": math1("erf"),
    "Sigmoid": unary_float(lambda b, x, t, a, d: sigmoid(b, x, t, d)),
    "Reciprocal": unary_float(reciprocal), "Sign": unary_float(sign),
    "LeakyRelu": unary_float(leaky_relu), "Elu": unary_float(elu), "Selu": unary_float(selu),
    "Celu": unary_float(celu), "HardSigmoid": unary_float(hard_sigmoid), "HardSwish": unary_float(hard_swish),
    "Softplus": unary_float(softplus), "Softsign": unary_float(softsign), "Mish": unary_float(mish),
    "Gelu": unary_float(gelu), "Swish": unary_float(swish), "ThresholdedRelu": unary_float(thresholded_relu),
    "Shrink": unary_float(shrink),
    "Equal": compare("oeq", "eq", "eq"), "Less": compare("olt", "slt", "ult"),
    "LessOrEqual": compare("ole", "sle", "ule"), "Greater": compare("ogt", "sgt", "ugt"),
    "GreaterOrEqual": compare("oge", "sge", "uge"),
    "And": logical("andi"), "Or": logical("ori"), "Xor": logical("xori"), "Not": not_,
    "Where": where, "IsNaN": is_nan, "IsInf": is_inf, "Clip": clip,
    "Cast": cast, "CastLike": cast_like, "Identity": identity, "Dropout": dropout,
}
