"""Values on the command line: `--input`, `--expected_output`, `--output` and
the printed results, byte for byte as IREE 3.13's iree-run-module.

Pure Python: .npy files are read and written with struct, so the tools never
import numpy.
"""
import contextlib
import math
import os
import re
import stat
import struct
import sys

from ..fileio import write_atomically
from ..ir.elements import SIZES, pack, unpack, wrap_int
from ..ir.boundary import hal_name
from ..vm.verifier import parse_tensor_type
from . import small_io

ELEMENTS = tuple(SIZES)
FLOATS = ("f16", "bf16", "f32", "f64")
SUCCESS_LINE = "[SUCCESS] all function outputs matched their expected values."
NPY_MAGIC = b"\x93NUMPY"
# npy dtype descriptors; bf16 has none (numpy has no bfloat16).
NPY_DESCR = {"i1": "|b1", "i8": "|i1", "i16": "<i2", "i32": "<i4", "i64": "<i8", "index": "<i8",
             "f16": "<f2", "f32": "<f4", "f64": "<f8"}
NPY_ELEMENT = {"|b1": "i1", "|i1": "i8", "<i2": "i16", "<i4": "i32", "<i8": "i64",
               "<f2": "f16", "<f4": "f32", "<f8": "f64", "|u1": "i8", "<u2": "i16", "<u4": "i32", "<u8": "i64"}


class IoError(Exception):
    def __init__(self, code, message):
        super().__init__(code if message is None else f"{code}; {message}")   # IREE's bare status code: None
        self.code = code
        self.message = message


class HostTensor:
    """Row-major little-endian data of a tensor (i1: one byte per element)."""

    def __init__(self, shape, element, data):
        self.shape = tuple(shape)
        self.element = element
        self.data = data

    @classmethod
    def from_values(cls, shape, element, values):
        return cls(shape, element, bytearray(pack(element, values)))

    @property
    def count(self):
        return math.prod(self.shape)

    @property
    def nbytes(self):
        return len(self.data)

    def values(self):
        """The elements; for a small type (small_io) the units it is printed in."""
        if small_io.is_small(self.element):
            return small_io.unit_values(self.element, bytes(self.data))
        return unpack(self.element, bytes(self.data))

    def type_text(self):
        return "".join(f"{d}x" for d in self.shape) + self.element


class HostScalar:
    def __init__(self, element, value):
        self.element = element   # None when written bare (typed by the parameter)
        self.value = value


IGNORED = object()   # `(ignored)` as an expected output


# -- parsing ----------------------------------------------------------------

def parse_element(text, element):
    """One element value of `element` type from its text."""
    try:
        if element in FLOATS:
            return float(text)
        if element == "i1" and text.lower() in ("true", "false"):
            return int(text.lower() == "true")
        value = int(text, 16) if element == "i1" else int(text, 0)
    except ValueError:
        raise IoError("INVALID_ARGUMENT", f"parsing value `{text}` as {_scalar_name(element)}") from None
    bits = 8 if element == "i1" else (64 if element == "index" else int(element[1:]))
    if not -(1 << (bits - 1)) <= value < (1 << bits):
        raise IoError("OUT_OF_RANGE", f"value `{text}` does not fit {element}")
    return wrap_int(element, value)


def _parse_spec(spec):
    """'2x3xf32' -> ((2, 3), 'f32')."""
    m = re.fullmatch(r"((?:[^x]*x)*?)([a-z]\w*)", spec)   # `index` contains an x
    if m is None:
        raise IoError("INVALID_ARGUMENT", f"invalid shape `{spec}`")
    dims, element = m.groups()
    if element not in ELEMENTS and element not in small_io.SPEC_ELEMENTS:
        raise IoError("INVALID_ARGUMENT", f"unsupported element type `{element}` in `{spec}`")
    element = small_io.SPEC_ELEMENTS.get(element, element)
    dims = dims.split("x")[:-1]
    if not all(re.fullmatch("[0-9]+", d) for d in dims):
        raise IoError("INVALID_ARGUMENT", f"invalid shape `{spec}`")
    for i, d in enumerate(dims):
        if len(d.lstrip("0")) > 19 or int(d) > MAX_DIMENSION:
            raise IoError("INVALID_ARGUMENT", f"shape[{i}] invalid value '{d}' of '{'x'.join(dims)}'")
    return tuple(int(d) for d in dims), element


MAX_DIMENSION = (1 << 63) - 1   # (19 digits)


def parse_value(text, type_str=None, parameter=None):
    """A HostTensor, HostScalar or IGNORED from `--input` / `--expected_output`
    text. `type_str`, the parameter's MLIR type, types bare scalars.
    `parameter`, the MLIR type of the parameter an input is for: a tensor
    whose type and shape do not fit it is returned without its elements
    (data None), never parsed or read, for the call to reject in IREE's
    words."""
    if text == "(ignored)":
        return IGNORED
    if text.startswith("@"):
        with _allocating():
            return read_npy(text[1:], parameter=parameter)
    if "=" not in text:
        if _SHAPE_AND_TYPE.fullmatch(text):   # no value: zeros, as IREE reads it
            text += "="
        else:
            return _parse_scalar(text, type_str)
    spec, body = text.split("=", 1)
    shape, element = _parse_spec(spec)
    _check_device_size(shape, element)
    if parameter is not None and not fits(shape, element, parameter):
        return HostTensor(shape, element, None)
    with _allocating():
        return _build_tensor(shape, element, body)


def _check_device_size(shape, element):
    """IREE's errors for a tensor whose elements or bytes a 64-bit size
    cannot count."""
    count = 1
    for i, d in enumerate(shape):
        count *= d
        if count >= 1 << 64:
            raise IoError("OUT_OF_RANGE", f"shape element count overflows device size at dimension {i}")
    if nbytes(element, count) >= 1 << 64:
        raise IoError("OUT_OF_RANGE", "packed byte count overflows device size")


@contextlib.contextmanager
def _allocating():
    """IREE's error for a tensor larger than memory, or than an address reaches."""
    try:
        yield
    except (MemoryError, OverflowError):
        raise IoError("RESOURCE_EXHAUSTED", "libc allocator failed the request") from None


def _build_tensor(shape, element, body):
    """The tensor of `shape` and `element` that `body`, the text after `=`,
    describes."""
    count = math.prod(shape)
    if body.startswith("@"):
        return _read_raw(body[1:], shape, element, count)
    if not body.strip():
        return HostTensor(shape, element, bytearray(nbytes(element, count)))
    if small_io.is_small(element):   # words of a byte each (small_io)
        count = small_io.units(element, shape)
        encode = lambda word: small_io.parse_word(word, element, IoError)   # noqa: E731
    else:
        encode = lambda word: pack(element, [parse_element(word, element)])   # noqa: E731
    words = body.replace("[", " ").replace("]", " ").replace(",", " ").split()
    if len(words) == 1:   # a splat
        return HostTensor(shape, element, bytearray(encode(words[0]) * count))
    data = bytearray()
    for i, word in enumerate(words):
        if i == count:
            raise IoError("OUT_OF_RANGE", f"output data overflow: element_capacity={count} < dst_i={count}")
        data += encode(word)
    if len(words) < count:
        raise IoError("OUT_OF_RANGE", f"input data string underflow: dst_i={len(words)} < element_capacity={count}")
    return HostTensor(shape, element, data)


def nbytes(element, count):
    """The bytes of IREE's buffer of `count` elements."""
    return small_io.nbytes(element, count) if small_io.is_small(element) else count * SIZES[element]


_SHAPE_AND_TYPE = re.compile(r"(?:[0-9]+x)+[a-z]\w*")


def _parse_scalar(text, type_str):
    element = type_str if type_str in ELEMENTS else None
    if element is not None:
        return HostScalar(element, parse_element(text, element))
    try:
        return HostScalar(None, int(text, 0))
    except ValueError:
        try:
            return HostScalar(None, float(text))
        except ValueError:
            raise IoError("INVALID_ARGUMENT", f"parsing value `{text}`") from None


def fits(shape, element, type_str):
    """Whether a tensor of `shape` and `element` can be passed for a
    parameter of MLIR type `type_str` (a rank-0 tensor fits a scalar)."""
    want_element, want_shape = parse_tensor_type(type_str)
    if want_shape is None:
        return shape == ()
    return element == hal_name(want_element) and len(shape) == len(want_shape) and all(
        w is None or w == d for w, d in zip(want_shape, shape))


def _open(path):
    try:
        return open(path, "rb")
    except OSError as e:
        raise IoError("NOT_FOUND", f"failed to open file '{path}': {e.strerror}") from None


def _regular_file_size(f):
    """The size of an open regular file; None for a pipe or device."""
    st = os.fstat(f.fileno())
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def _read_raw(path, shape, element, count):
    """A regular file must hold the tensor's bytes exactly (a size that
    differs is a wrong shape or file); a pipe or device gives the tensor
    its next bytes, as IREE reads them (`@/dev/zero` is zeros)."""
    need = nbytes(element, count)
    with _open(path) as f:
        size, data = _regular_file_size(f), None
        if size is None:
            data = f.read(need)
            size = len(data)
        if size != need:
            raise IoError("INVALID_ARGUMENT", f"file '{path}' has {size} bytes but "
                          f"{'x'.join(map(str, shape + (element,)))} needs {need}")
        return HostTensor(shape, element, bytearray(f.read() if data is None else data))


def read_npy(path, parameter=None):
    """The first array of an .npy file (recognised by its magic bytes). With
    `parameter` (an MLIR type), an array that does not fit it is returned
    from its header alone (data None)."""
    def bad(why):
        return IoError("INVALID_ARGUMENT", f"malformed .npy file '{path}': {why}")
    with _open(path) as f:
        prefix = f.read(10)
        if not prefix.startswith(NPY_MAGIC):
            raise IoError("INVALID_ARGUMENT", f"'{path}' is not an .npy file (no \\x93NUMPY magic)")
        if len(prefix) < 10:
            raise bad("truncated header")
        major = prefix[6]
        if major == 1:
            (hlen,) = struct.unpack_from("<H", prefix, 8)
        elif major in (2, 3):
            rest = f.read(2)
            if len(rest) < 2:
                raise bad("truncated header")
            (hlen,) = struct.unpack("<I", prefix[8:] + rest)
        else:
            raise bad(f"unsupported version {major}")
        if hlen > NPY_MAX_HEADER:
            raise bad(f"header of {hlen} bytes (at most {NPY_MAX_HEADER})")
        header = f.read(hlen)
        if len(header) < hlen:
            raise bad("truncated header")
        shape, element = _npy_header(header, bad)
        if parameter is not None and not fits(shape, element, parameter):
            return HostTensor(shape, element, None)
        n = math.prod(shape) * SIZES[element]
        size = _regular_file_size(f)
        data = f.read(n) if size is None or n <= size - f.tell() else b""
        if len(data) < n:
            raise bad("truncated data")
    return HostTensor(shape, element, bytearray(data))


NPY_MAX_HEADER = 1 << 16   # numpy itself reads at most 10000 bytes by default


def _npy_header(text, bad):
    """(shape, element) from an npy header dictionary's bytes."""
    try:
        import ast   # only for .npy headers
        header = ast.literal_eval(text.decode("latin1"))
        descr, fortran, shape = header["descr"], header["fortran_order"], tuple(header["shape"])
    except (ValueError, SyntaxError, KeyError, TypeError, MemoryError, RecursionError):
        raise bad("invalid header") from None
    if not all(type(d) is int and 0 <= d <= MAX_DIMENSION for d in shape):
        raise bad(f"invalid shape {_brief(header['shape'])}")
    if not isinstance(fortran, bool):
        raise bad(f"invalid fortran_order {_brief(fortran)}")
    if fortran:
        raise bad("Fortran-ordered arrays are not supported")
    if not isinstance(descr, str) or not descr:
        raise bad(f"invalid dtype {_brief(descr)}")
    element = NPY_ELEMENT.get(descr if descr[0] in "<|" else "<" + descr[1:] if descr[0] == "=" else descr)
    if element is None:
        raise bad(f"unsupported dtype {_brief(descr)}")
    return shape, element


def _brief(value):
    """repr of a header value, cut short: the error stays one short line."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def npy_bytes(value):
    descr, data = NPY_DESCR.get(value.element), value.data
    if small_io.is_small(value.element):
        descr, data = small_io.npy(value.element, value.shape, value.data) or (None, None)
    if descr is None:
        raise IoError("UNIMPLEMENTED", f"{value.element} has no .npy dtype")
    shape = "(" + "".join(f"{d}, " for d in value.shape).rstrip(" ")
    shape = shape[:-1] + ")" if len(value.shape) > 1 else shape + ")"
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}"
    header += " " * (-(len(header) + 11) % 64) + "\n"
    return NPY_MAGIC + b"\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + bytes(data)


def coerce(value, type_str):
    """Fit a parsed input to a parameter of MLIR type `type_str`."""
    if not type_str.startswith("tensor<"):
        if isinstance(value, HostTensor) and value.shape == () and value.element in (type_str, None):
            return HostScalar(type_str, value.values()[0])
        if not isinstance(value, HostScalar):
            raise IoError("INVALID_ARGUMENT", f"expected a {type_str} scalar but got a tensor "
                          f"{value.type_text()}")
        if value.element is None:
            return HostScalar(type_str, parse_element(str(value.value), type_str))
        if value.element != type_str:
            raise IoError("INVALID_ARGUMENT", f"expected a {type_str} scalar but got {value.element}")
        return value
    if isinstance(value, HostScalar):
        raise IoError("INVALID_ARGUMENT", f"expected a tensor {type_str} but got a scalar")
    return value


# -- printing -----------------------------------------------------------------

def format_element(value, element):
    if small_io.is_small(element):
        return small_io.format_unit(value, element)
    if element in FLOATS:
        text = "%G" % value
        if math.isnan(value) and math.copysign(1.0, value) < 0:
            return "-" + text
        return text
    if element == "i1":
        return "%02X" % (value & 0xFF)
    return str(value)


def format_value_text(value, max_elements=1024):
    """`2x3xf32=[1 2 3][4 5 6]`: the body of a printed tensor."""
    shape, element = value.shape, value.element
    values = value.values()
    budget = [max_elements]

    def row(start, n):
        printed = []
        for v in values[start:start + n]:
            if budget[0] <= 0:
                printed.append("...")
                break
            budget[0] -= 1
            printed.append(format_element(v, element))
        return " ".join(printed).replace(" ...", "...")

    def level(dims, start):
        if len(dims) == 1:
            text = row(start, dims[0])
            return text if len(shape) == 1 else f"[{text}]"
        inner = math.prod(dims[1:])
        parts = "".join(level(dims[1:], start + i * inner) for i in range(dims[0]))
        return parts if len(dims) == len(shape) else f"[{parts}]"

    if not shape:
        body = format_element(values[0], element)
    elif len(values) != math.prod(shape):   # a packed type's bytes: no rows
        body = row(0, len(values))
    else:
        body = level(shape, 0)
    return f"{value.type_text()}={body}"


# IREE's VM holds integer scalars in i32 or i64 registers, and prints them
# so; narrower (signless) integers are zero-extended into them.
_RESULT_SCALAR = {"i1": ("i32", 1), "i8": ("i32", 8), "i16": ("i32", 16), "index": ("i64", None)}


def format_scalar(value):
    element = value.element
    if element in FLOATS:
        return f"{element}={'%g' % value.value}"
    name, bits = _RESULT_SCALAR.get(element, (element, None))
    number = int(value.value)
    return f"{name}={number & ((1 << bits) - 1) if bits else number}"


def format_result(index, value, max_elements=1024):
    """The lines iree-run-module prints for result `index`."""
    if isinstance(value, HostScalar):
        return f"result[{index}]: {format_scalar(value)}\n"
    return f"result[{index}]: hal.buffer_view\n{format_value_text(value, max_elements)}\n"


def print_trace(key, tensors, file=None):
    """What IREE's tools print (on stderr) for a traced dispatch's tensors
    (--iree-flow-trace-dispatch-tensors): the key, each tensor in full."""
    file = file or sys.stderr
    file.write(f"=== {key} ===\n" + "".join(format_value_text(t, math.inf) + "\n" for t in tensors) + "\n")
    file.flush()


# -- checking -----------------------------------------------------------------

def _close(a, e, atol, rtol):
    """IREE's iree_math_fuzzy_compare_f64: equal values (and two NaNs) match
    whatever the tolerance."""
    if a == e or (math.isnan(a) and math.isnan(e)):
        return True
    return math.isfinite(e) and abs(a - e) <= atol + rtol * abs(e)


def compare(index, expected, actual, *, thresholds=None, rtol=1e-5, equality_mode="approximate"):
    """None if `actual` matches `expected`, else IREE's [FAILED] text."""
    if expected is IGNORED:
        return None
    tolerance = {"f16": 1e-3, "f32": 1e-4, "f64": 1e-4, "bf16": 1e-2}
    tolerance.update({k: v for k, v in (thresholds or {}).items() if v is not None})
    if isinstance(expected, HostScalar) or isinstance(actual, HostScalar):
        if not (isinstance(expected, HostScalar) and isinstance(actual, HostScalar)):
            have = format_scalar(actual) if isinstance(actual, HostScalar) else "hal.buffer_view"
            want = format_scalar(expected) if isinstance(expected, HostScalar) else "hal.buffer_view"
            return f"[FAILED] result[{index}]: variant types mismatch; expected {want} but got {have}\n"
        element = actual.element
        want = expected.value if expected.element is not None else parse_element(str(expected.value), element)
        if element in FLOATS and equality_mode == "approximate":
            ok = _close(actual.value, want, tolerance[element], rtol)
        else:
            ok = actual.value == want or (element in FLOATS and math.isnan(want) and math.isnan(actual.value))
        if ok:
            return None
        return (f"[FAILED] result[{index}]: value {format_scalar(actual)} does not match the expected "
                f"{format_scalar(HostScalar(element, want))}\n")
    view = expected.type_text()

    def detail():   # formatted only for a failure
        return f"\n  expected:\n{format_value_text(expected)}\n  actual:\n{format_value_text(actual)}\n"
    if expected.shape != actual.shape or expected.element != actual.element:
        return (f"[FAILED] result[{index}]: metadata is {actual.type_text()}; expected that the view matches "
                f"{view}; expected that the view is equal to contents of a view of {view}{detail()}")
    if small_io.is_small(actual.element):   # the same bytes (an f8 text was read rounded to one)
        mismatch = next((i for i, (a, e) in enumerate(zip(actual.data, expected.data)) if a != e), None)
    elif equality_mode == "exact":
        size = SIZES[actual.element]
        mismatch = next((i for i in range(actual.count)
                         if expected.data[i * size:(i + 1) * size] != actual.data[i * size:(i + 1) * size]), None)
    else:
        atol = tolerance.get(actual.element, 0.0)
        floats = actual.element in FLOATS
        if actual.data == expected.data:
            mismatch = None   # the same bytes are equal elements, close whatever the tolerance
        else:
            mismatch = next((i for i, (a, e) in enumerate(zip(actual.values(), expected.values()))
                             if not (_close(a, e, atol, rtol) if floats else a == e)), None)
    if mismatch is None:
        return None
    a, e = actual.values()[mismatch], expected.values()[mismatch]
    return (f"[FAILED] result[{index}]: element at index {mismatch} ({format_element(a, actual.element)}) does not "
            f"match the expected ({format_element(e, expected.element)}); expected that the view is equal to "
            f"contents of a view of {view}{detail()}")


# -- writing ------------------------------------------------------------------

def write_output(spec, value, max_elements=1024):
    """`--output=` handling: returns text to print for `-`, else writes a file."""
    if spec == "":
        return None
    if spec == "-":
        if isinstance(value, HostScalar):
            return format_scalar(value) + "\n"
        return f"hal.buffer_view\n{format_value_text(value, max_elements)}\n"
    mode, path = spec[0], spec[1:]
    if mode not in "@+" or not path:
        raise IoError("INVALID_ARGUMENT", f"unsupported output spec `{spec}`; expected `-`, `@file` or `+file`")
    if isinstance(value, HostScalar):
        value = HostTensor.from_values((), value.element, [value.value])
    data = npy_bytes(value) if path.endswith(".npy") else bytes(value.data)
    try:
        if mode == "+":
            with open(path, "ab") as f:
                f.write(data)
        else:
            write_atomically(path, data)
    except OSError as e:
        raise IoError("PERMISSION_DENIED", f"failed to write '{path}': {e.strerror}") from None
    return None


def _scalar_name(element):
    # IREE parses scalar i1 and index inputs as i32 and i64 values.
    return {"i1": "i32", "index": "i64"}.get(element, element)
