"""MLIR's trailing resource section, `{-# dialect_resources: { builtin: {
NAME: "0x<alignment u32><bytes>" } } #-}`: the blobs `dense_resource<NAME>`
attributes name (how IREE's importers keep weights compact and exact)."""
import re

ENTRY = re.compile(r'([A-Za-z_][\w$.\-]*|"(?:[^"\\\n]|\\.)*")\s*:\s*"([^"]*)"')


def split_resources(text):
    """(text with the section blanked, offsets kept; {name: bytes}; problems
    as (message, offset)). A blob's first four bytes (its alignment) are dropped."""
    start = text.find("{-#")
    if start < 0:
        return text, {}, []
    end = text.find("#-}", start)
    if end < 0:
        return text, {}, [("unterminated resource section: expected '#-}'", start)]
    blobs, problems = {}, []
    for m in ENTRY.finditer(text, start, end):
        name, payload = m.group(1).strip('"'), m.group(2)
        try:
            if not payload.startswith("0x") or len(payload) < 10:
                raise ValueError
            blobs[name] = bytes.fromhex(payload[10:])
        except ValueError:
            problems.append((f"resource '{name}' is not a hex blob with a 4-byte alignment prefix", m.start(2)))
    blank = re.sub(r"[^\n]", " ", text[start:end + 3])
    return text[:start] + blank + text[end + 3:], blobs, problems
