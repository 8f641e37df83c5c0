"""The IR printer: a module at any stage of the pipeline as MLIR text that
iree-lite's parser reads back into the same module.

Ops print in MLIR's generic form, `%0 = "arith.addf"(%arg0, %arg1) : (f32,
f32) -> f32`, but for a few in their custom form (returns, constants and
same-typed arith and math ops, `%0 = arith.addf %arg0, %arg1 : f32`, unless
they carry notes), their attributes spelled as MLIR's generic form spells them
(`static_offsets = array<i64: ...>`, `operandSegmentSizes`), which is what
parse/generic_ops.py reads back into the op iree-lite's custom syntax makes
(spellings.py). The module, its globals and functions print in their custom
form (`func.func @f(%arg0: f32) -> f32 {`), or generic too when `generic`
(`--mlir-print-op-generic`). `notes(op)`: attributes to show on an op beyond
its own (what a pass decided that the IR does not hold).
"""
from .attributes import (AffineMapAttr, ArrayAttr, BoolAttr, DenseElementsAttr, FloatAttr, IntegerAttr,
                         StringAttr, SymbolRefAttr, TypeAttr, UnitAttr)
from .core import INITIALIZER
from .elements import pack
from .spellings import Raw, YieldRegion, spelled
from .types import FunctionType, ScalarType

INDENT = "  "
# Dense data past this many elements prints as a hex string of its bytes, as MLIR's printer does.
HEX_ELEMENTS = 16


def print_module(module, generic=False, notes=None, debuginfo=False):
    """The module as MLIR text (ends in a newline); `debuginfo`: each op's
    source location after it, `loc("file":line:col)`."""
    return ModulePrinter(generic, notes or (lambda op: {}), debuginfo).module(module)


def escape(text):
    out = []
    for c in text:
        if c in '"\\' or not " " <= c <= "~":
            out.extend(f"\\{b:02X}" for b in c.encode("utf-8"))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def float_text(value, t):
    if value != value or value in (float("inf"), float("-inf")):   # MLIR spells these by their bits
        return hex(int.from_bytes(pack(t.name, [value]), "little"))
    mantissa, e, exponent = repr(float(value)).partition("e")
    return (mantissa if "." in mantissa else mantissa + ".0") + e + exponent


def attr_text(a):
    """An attribute, or one of the Python values iree-lite's ops keep, as MLIR text."""
    if isinstance(a, Raw):
        return a.text
    if isinstance(a, bool):
        return "true" if a else "false"
    if isinstance(a, int):
        return f"{a} : i64"
    if isinstance(a, str):   # a name (an iree_lite.reduce's combiner)
        return escape(a)
    if isinstance(a, tuple):
        if all(isinstance(v, int) and not isinstance(v, bool) for v in a):
            return f"array<i64{': ' if a else ''}{', '.join(map(str, a))}>"
        return "[" + ", ".join(attr_text(v) for v in a) + "]"
    if isinstance(a, dict):
        return "{" + ", ".join(entry(k, v) for k, v in sorted(a.items())) + "}"
    if isinstance(a, IntegerAttr):
        if a.type == ScalarType("i1"):
            return "true" if a.value else "false"
        return f"{a.value} : {a.type}"
    if isinstance(a, FloatAttr):
        return f"{float_text(a.value, a.type)} : {a.type}"
    if isinstance(a, BoolAttr):
        return "true" if a.value else "false"
    if isinstance(a, StringAttr):
        # Opaque dialect attributes (`#arith.fastmath<fast>`) keep their text; print it back bare.
        return a.value if a.value.startswith("#") and a.value.endswith(">") else escape(a.value)
    if isinstance(a, UnitAttr):
        return "unit"
    if isinstance(a, TypeAttr):
        return str(a.value)
    if isinstance(a, SymbolRefAttr):
        return "@" + a.name
    if isinstance(a, ArrayAttr):
        if a.values and all(isinstance(v, (IntegerAttr, FloatAttr)) and v.type == a.values[0].type
                            for v in a.values) and a.values[0].type != ScalarType("i1"):
            t = a.values[0].type
            values = [str(v.value) if isinstance(v, IntegerAttr) else float_text(v.value, t) for v in a.values]
            return f"array<{t}: {', '.join(values)}>"
        return "[" + ", ".join(attr_text(v) for v in a.values) + "]"
    if isinstance(a, DenseElementsAttr):
        return dense_text(a)
    if isinstance(a, AffineMapAttr):
        return str(a)
    raise TypeError(f"no MLIR spelling for attribute {a!r}")


def dense_text(a):
    e = a.type.element
    values = a.values
    if len(values) > HEX_ELEMENTS:
        return f'dense<"0x{pack(e.name, values).hex().upper()}"> : {a.type}'
    if e == ScalarType("i1"):
        texts = ["true" if v else "false" for v in values]
    elif e.is_float:
        texts = [float_text(v, e) for v in values]
    else:
        texts = [str(v) for v in values]
    if a.splat:
        return f"dense<{texts[0]}> : {a.type}"
    return f"dense<{nested(texts, a.type.shape)}> : {a.type}"


def nested(texts, shape):
    if not shape:
        return texts[0]
    if len(shape) == 1:
        return "[" + ", ".join(texts) + "]"
    step = len(texts) // shape[0] if shape[0] else 0
    return "[" + ", ".join(nested(texts[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])) + "]"


def entry(key, value):
    name = key if key.replace("_", "a").replace(".", "a").isalnum() and not key[0].isdigit() else escape(key)
    return name if isinstance(value, UnitAttr) else f"{name} = {attr_text(value)}"


def attr_dict(attrs):
    return "{" + ", ".join(entry(k, v) for k, v in sorted(attrs.items())) + "}"


def same_typed(op):
    """An arith or math op of one result and no attributes whose operands
    all have its result's type: its custom form is `name %a, %b : T`."""
    return (op.name.split(".")[0] in ("arith", "math") and op.operands and len(op.results) == 1
            and not op.attributes and not op.regions and all(v.type == op.results[0].type for v in op.operands))


def discardable(key):
    """Dialect-prefixed attributes (`iree.abi.model`) are an op's discardable
    ones, printed after its properties."""
    return "." in key


class ModulePrinter:
    def __init__(self, generic, notes, debuginfo):
        self.generic, self.notes, self.debuginfo = generic, notes, debuginfo
        self.names = {}    # Value -> its name in the function being printed
        self.blocks = {}   # id(Block) -> its label
        self.yield_args = {}   # id(op) -> the argument names of its spelled YieldRegion

    def module(self, m):
        lines = []
        for g in m.globals:
            lines.append(self.global_text(g))
        for f in m.functions:
            lines.extend(self.function(f))
        body = [INDENT + line for line in lines]
        if self.generic:
            attrs = f" {attr_dict(m.attributes)}" if m.attributes else ""
            return "\n".join([f'"builtin.module"() <{{sym_name = {escape(m.name)}}}> ({{', *body,
                              f"}}){attrs} : () -> ()"]) + "\n"
        attrs = f" attributes {attr_dict(m.attributes)}" if m.attributes else ""
        return "\n".join([f"module @{m.name}{attrs} {{", *body, "}"]) + "\n"

    def global_text(self, g):
        props = {"sym_name": StringAttr(g.name), "type": TypeAttr(g.type)}
        if g.mutable:
            props["is_mutable"] = UnitAttr()
        if g.initial is not None:
            props["initial_value"] = g.initial
        return f'"util.global"() <{attr_dict(props)[1:-1].join("{}")}> : () -> ()'

    # -- functions ----------------------------------------------------------

    def function(self, f):
        self.names, self.blocks, self.yield_args = {}, {}, {}
        self.number(f)
        if INITIALIZER in f.attributes:
            head, close = ('"util.initializer"() ({', "}) : () -> ()") if self.generic else ("util.initializer {", "}")
            return [head, *self.blocks_text(f.blocks, entry_label=self.generic), close]
        attrs = {k: v for k, v in f.attributes.items()}
        if self.generic:
            props = {"function_type": TypeAttr(f.type), "sym_name": StringAttr(f.name)}
            if f.visibility != "public":
                props["sym_visibility"] = StringAttr(f.visibility)
            if any(a.attributes for a in f.arguments):
                props["arg_attrs"] = tuple(a.attributes for a in f.arguments)
            if any(f.result_attributes):
                props["res_attrs"] = tuple(f.result_attributes)
            tail = f" {attr_dict(attrs)}" if attrs else ""
            if f.is_declaration:
                return [f'"func.func"() <{attr_dict(props)[1:-1].join("{}")}> ({{}}){tail} : () -> ()']
            return [f'"func.func"() <{attr_dict(props)[1:-1].join("{}")}> ({{',
                    *self.blocks_text(f.blocks, entry_label=True), f"}}){tail} : () -> ()"]
        visibility = "" if f.visibility == "public" else f"{f.visibility} "
        if f.is_declaration:
            args = ", ".join(str(a.type) + (f" {attr_dict(a.attributes)}" if a.attributes else "")
                             for a in f.arguments)
        else:
            args = ", ".join(f"{self.names[v]}: {a.type}" + (f" {attr_dict(a.attributes)}" if a.attributes else "")
                             for v, a in zip(f.body.arguments, f.arguments))
        results = [str(t) + (f" {attr_dict(r)}" if r else "") for t, r in zip(f.type.results, f.result_attributes)]
        if not results:
            outs = ""
        elif len(results) == 1 and not f.result_attributes[0] and not isinstance(f.type.results[0], FunctionType):
            outs = f" -> {results[0]}"
        else:
            outs = f" -> ({', '.join(results)})"
        tail = f" attributes {attr_dict(attrs)}" if attrs else ""
        head = f"func.func {visibility}@{f.name}({args}){outs}{tail}"
        if f.is_declaration:
            return [head]
        return [head + " {", *self.blocks_text(f.blocks, entry_label=False), "}"]

    def number(self, f):
        """Name every value and block of `f` in print order, as MLIR does:
        %argN for block arguments, %N for results, ^bbN per region."""
        counts = {"arg": 0, "value": 0}

        def region(blocks):
            for i, b in enumerate(blocks):
                self.blocks[id(b)] = f"^bb{i}"
            for b in blocks:
                for v in b.arguments:
                    self.names[v] = f"%arg{counts['arg']}"
                    counts["arg"] += 1
                for op in b.operations:
                    if op.results:
                        base = f"%{counts['value']}"
                        counts["value"] += 1
                        for v in op.results:
                            self.names[v] = base if len(op.results) == 1 else f"{base}#{v.index}"
                    for r in spelled(op)[2]:
                        if isinstance(r, YieldRegion):
                            self.yield_args[id(op)] = [f"%arg{counts['arg'] + k}" for k in range(r.rank)]
                            counts["arg"] += r.rank
                        else:
                            region(r.blocks)
        region(f.blocks)

    def blocks_text(self, blocks, entry_label):
        lines = []
        for i, b in enumerate(blocks):
            if i or entry_label:
                args = ", ".join(f"{self.names[v]}: {v.type}" for v in b.arguments)
                lines.append(f"{self.blocks[id(b)]}({args}):" if args else f"{self.blocks[id(b)]}:")
            lines.extend(INDENT + line for op in b.operations for line in self.op_lines(op))
        return lines

    # -- operations ---------------------------------------------------------

    def value(self, v):
        return self.names[v]

    def custom_text(self, op):
        """The op in its custom form, for returns, constants and same_typed ops, else None."""
        uses = ", ".join(map(self.value, op.operands))
        if op.name == "func.return":
            types = ", ".join(str(v.type) for v in op.operands)
            return f"return {uses} : {types}" if op.operands else "return"
        if same_typed(op):
            return f"{self.names[op.results[0]]} = {op.name} {uses} : {op.results[0].type}"
        if op.name == "arith.constant" and list(op.attributes) == ["value"]:
            return f"{self.names[op.results[0]]} = arith.constant {attr_text(op.attributes['value'])}"
        return None

    def op_lines(self, op):
        text = None if self.generic or self.notes(op) else self.custom_text(op)
        lines = [text] if text is not None else self.generic_lines(op)
        if self.debuginfo:
            lines[-1] += f" loc({escape(op.loc.file)}:{op.loc.line}:{op.loc.col})" if op.loc else " loc(unknown)"
        return lines

    def generic_lines(self, op):
        operands, attrs, regions = spelled(op)
        attrs = {**attrs, **self.notes(op)}
        head = ""
        if op.results:
            base = self.names[op.results[0]].split("#")[0]
            head = f"{base}:{len(op.results)} = " if len(op.results) > 1 else f"{base} = "
        text = f'{head}"{op.name}"({", ".join(map(self.value, operands))})'
        if op.successors:
            text += "[" + ", ".join(self.blocks[id(b)] for b in op.successors) + "]"
        props = {k: v for k, v in attrs.items() if not discardable(k)}
        if props:
            text += f" <{attr_dict(props)[1:-1].join('{}')}>"
        lines = [text]
        if regions:
            lines[-1] += " ({"
            for i, r in enumerate(regions):
                lines.extend(self.region_lines(op, r))
                lines.append("}, {" if i + 1 < len(regions) else "})")
        others = {k: v for k, v in attrs.items() if discardable(k)}
        types = FunctionType(tuple(v.type for v in operands), tuple(v.type for v in op.results))
        lines[-1] += (f" {attr_dict(others)}" if others else "") + f" : {types}"
        return lines

    def region_lines(self, op, region):
        if isinstance(region, YieldRegion):
            args = ", ".join(f"{name}: index" for name in self.yield_args[id(op)])
            t = region.value.type
            return [f"^bb0({args}):" if args else "^bb0:",
                    f'{INDENT}"tensor.yield"({self.value(region.value)}) : ({t}) -> ()']
        return self.blocks_text(region.blocks, entry_label=True)

