"""`iree-lite dump-module`: a module file's header, imports, exports and
disassembly, as text or JSON (like iree-dump-module)."""
import json
import re
import sys
import zlib

from .run_module import ToolError, read_module, report_errors


def describe(blob):
    """A JSON-able description of a module file (after full verification)."""
    from .. import isa
    from ..isa.module import HEADER
    from ..vm.disasm import disassemble
    from ..vm.format import ModuleFormatError, deserialize
    from ..vm.verifier import VerifyError, verify_module
    try:
        m = deserialize(blob)
        verify_module(m)
    except (ModuleFormatError, VerifyError) as e:
        raise ToolError(f"INVALID_ARGUMENT; {e}") from None
    _, version, crc, length = HEADER.unpack_from(blob)

    def code(fn):
        return [{"pc": pc, "text": text} for pc, text in disassemble(m, fn.code, fn.locs)]
    return {
        "name": m.name, "source": m.source, "format_version": version, "compiler_version": m.compiler_version,
        "checksum": f"{crc:08x}", "checksum_valid": zlib.crc32(blob[HEADER.size:]) == crc, "bytes": len(blob),
        "imports": [{"name": i.name, "signature": str(i.signature), "abi": i.signature.abi,
                     "requires_module": i.name.partition(".")[0]} for i in m.imports],
        "exports": [{"name": e.name, "function": e.function, "signature": str(m.functions[e.function].signature),
                     "abi": m.functions[e.function].signature.abi, "reflection": dict(e.reflection)}
                    for e in m.exports],
        "functions": [{"name": f.name, "signature": str(f.signature), "abi": f.signature.abi,
                       "registers": dict(zip(("i", "f", "r"), f.regs)), "code": code(f)} for f in m.functions],
        "kernels": [{"name": k.name, "tile_registers": k.regs, "push_constants": k.push,
                     "bindings": [{"element": e, "output": role == isa.BIND_OUTPUT, "gathered": role == isa.BIND_GATHERED}
                                  for e, role in k.bindings], "code": code(k)}
                    for k in m.kernels],
        "constants": len(m.constants),
    }


def select(d, output, function):
    """d with only what --output and --function ask for: `metadata` drops
    the code, `disassembly` keeps only the code; --function (a name, or an
    ordinal among the functions) keeps one function's code and no kernels'."""
    if function is not None:
        names = [f["name"] for f in d["functions"]]
        index = int(function) if function.isdigit() else names.index(function) if function in names else None
        if index is None or index >= len(names):
            raise ToolError(f"NOT_FOUND; no function '{function}' in the module (its functions: "
                            f"{', '.join(names)})")
        d = dict(d, functions=[d["functions"][index]], kernels=[])
    if output == "metadata":
        return {k: v for k, v in d.items() if k not in ("functions", "kernels")}
    if output == "disassembly":
        return {"functions": d["functions"], "kernels": d["kernels"]}
    return d


def text(d):
    lines = metadata_lines(d) + code_lines(d)
    return "\n".join(escape_controls(line) for line in lines[not lines[0]:]) + "\n"


def metadata_lines(d):
    if "name" not in d:
        return []
    out = [f"// module @{d['name']} (source {d['source'] or 'unknown'})",
           f"// format version {d['format_version']}, compiled by iree-lite {d['compiler_version']}",
           f"// {d['bytes']} bytes, checksum {d['checksum']} ({'valid' if d['checksum_valid'] else 'INVALID'})",
           "", "Imports:"]
    out += [f"  {i['name']}{i['signature']} [{i['abi']}] requires module '{i['requires_module']}'"
            for i in d["imports"]] or ["  (none)"]
    out += ["", "Exports:"]
    for e in d["exports"]:
        out.append(f"  {e['name']}{e['signature']} [{e['abi']}]")
        out += [f"    {k} = {v}" for k, v in e["reflection"].items()]
    return out


def code_lines(d):
    from ..isa import ELEMENT_NAMES
    out = []
    for f in d.get("functions", ()):
        regs = ", ".join(f"{k}={v}" for k, v in f["registers"].items())
        out += ["", f"func @{f['name']}{f['signature']} [{f['abi']}] registers({regs})"]
        out += [f"  {c['pc']:4d}: {c['text']}" for c in f["code"]]
    for k in d.get("kernels", ()):
        binds = ", ".join(("out " if b["output"] else "in ") + ELEMENT_NAMES[b["element"]] for b in k["bindings"])
        out += ["", f"kernel @{k['name']}({binds}) push={k['push_constants']} tile_registers={k['tile_registers']}"]
        out += [f"  {c['pc']:4d}: {c['text']}" for c in k["code"]]
    return out


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def escape_controls(line):
    """Control characters in a module's strings (names, paths, messages) as
    MLIR's `\\1B` escapes: printed raw they would drive the terminal or break
    the line structure. (JSON output escapes them itself.)"""
    return _CONTROL.sub(lambda m: f"\\{ord(m.group()):02X}", line)


@report_errors
def run(ns):
    d = select(describe(read_module(ns.module)), ns.output, ns.function)
    sys.stdout.write(json.dumps(d, indent=2) + "\n" if ns.format == "json" else text(d))
    return 0
