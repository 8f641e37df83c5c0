"""The reference interpreter's tile interpreter: a kernel run over a range
of elements, instruction by instruction. The native VM's twin:
csrc/kernels.pxi (run_tile)."""
from .. import isa
from ..ir.elements import INT_BITS, SIZES, pack, unpack
from ..isa.smallfloat import tile_convert
from .elementwise import CLASSIFY, ELEMENTWISE, INT_ELEMENTWISE, compare, convert, round_to
from .errors import VMError


def run_kernel(kernel, bindings, push, count):
    """Run a tile kernel over `count` elements, tile by tile. `bindings` are
    Buffers (or, for eval, 1-element output Buffers); `push` are numbers."""
    code = kernel.code
    for start in range(0, count, isa.TILE):
        n = min(isa.TILE, count - start)
        regs = [None] * kernel.regs
        bound = {}   # tile register -> output binding its next write goes to
        for pc in range(len(code)):
            op, v, type_code, _ = isa.decode(code, pc)
            element = isa.ELEMENT_NAMES[type_code]
            size = SIZES[element]
            if op.name == "t.load":
                buf = bindings[v["b"]]
                regs[v["d"]] = unpack(element, bytes(buf.data[start * size:(start + n) * size]))
            elif op.name == "t.store":
                bindings[v["b"]].data[start * size:(start + n) * size] = pack(element, regs[v["d"]])
            elif op.name == "t.bind":
                bound[v["d"]] = bindings[v["b"]]
            else:   # these write d: a t.bind of d sends the write to its output
                if op.name == "t.splat":
                    regs[v["d"]] = round_to(element, [push[v["p"]]]) * n
                elif op.name == "t.lindex":
                    regs[v["d"]] = coordinates(op.name, start, n, push[v["a"]], push[v["b"]])
                elif op.name == "t.gather":
                    regs[v["d"]] = gather(bindings[v["b"]], regs[v["a"]])
                elif op.name == "t.spread":
                    indices = coordinates(op.name, start, n, push[v["a"]], push[v["c"]])
                    if push[v["c"]] > bindings[v["b"]].count:
                        raise VMError(*isa.tile_error("GATHER_OUT_OF_RANGE", "t.spread"))
                    regs[v["d"]] = gather(bindings[v["b"]], indices)
                else:
                    element, regs[v["d"]] = compute(op, v, element, regs)
                out = bound.pop(v["d"], None)
                if out is not None:
                    size = SIZES[element]
                    out.data[start * size:(start + n) * size] = pack(element, regs[v["d"]])


def coordinates(name, start, n, stride, size):
    """Lanes' coordinates along a dimension of row-major `stride` and `size`
    (t.lindex, t.spread): ((start + lane) / stride) % size."""
    if stride <= 0 or size <= 0:
        raise VMError(*isa.tile_error("BAD_COORDINATE", name))
    return [((start + i) // stride) % size for i in range(n)]


def gather(buf, indices):
    """t.gather: buf's elements at `indices`, each checked against its size."""
    if any(not 0 <= i < buf.count for i in indices):
        raise VMError(*isa.tile_error("GATHER_OUT_OF_RANGE", "t.gather"))
    values = buf.values()
    return [values[i] for i in indices]


def compute(op, v, element, regs):
    """(result element type, result lanes) of one arithmetic tile op whose
    `type` field is `element`."""
    args = [regs[v[k]] for k in ("a", "b", "c") if k in v]
    name = op.name
    if name[2:] in isa.SUPERINSTRUCTIONS:   # the pair, each rounding: g(f(a, ...), ...)
        first, second = isa.SUPERINSTRUCTIONS[name[2:]]
        k = isa.ARITY[first]
        inner = round_to(element, [ELEMENTWISE[f"t.{first}"](*xs) for xs in zip(*args[:k])])
        return element, round_to(element, [ELEMENTWISE[f"t.{second}"](*xs) for xs in zip(inner, *args[k:])])
    if name in ELEMENTWISE:
        return element, round_to(element, [ELEMENTWISE[name](*xs) for xs in zip(*args)])
    if name in INT_ELEMENTWISE:
        bits = INT_BITS[element]
        return element, round_to(element, [INT_ELEMENTWISE[name](bits, *xs) for xs in zip(*args)])
    if name in CLASSIFY:
        return "i1", [int(CLASSIFY[name](x)) for x in args[0]]
    if name in ("t.cmpf", "t.cmpi"):
        bits = INT_BITS.get(element, 64)
        return "i1", [int(compare(name, v["pred"], a, b, bits)) for a, b in zip(*args)]
    if name == "t.select":
        cond, x, y = args
        return element, [a if c & 1 else b for c, a, b in zip(cond, x, y)]
    if name in ("t.fdecode", "t.fencode"):
        return element, tile_convert(name, v["fmt"], args[0])
    src = isa.ELEMENT_NAMES[v["src"]]
    return element, round_to(element, [convert(name, src, element, x) for x in args[0]])
