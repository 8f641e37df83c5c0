"""Write an MLIR file whose weights dominate its size, for measuring compile
cost per byte (issue #13: a 20 MB file, one 10 MB `dense<"0x...">` constant):

    python bench/large_constant.py OUT.mlir [--elements N] [--form hex|decimal|resource]

`hex` writes the constant as `dense<"0x...">`, `decimal` as a nested
`dense<[[...]]>` list, `resource` as a `dense_resource` blob in the file's
`{-# dialect_resources #-}` trailer. The function adds the constant to its
argument, so running it checks every element. Then measure, e.g.:

    /usr/bin/time -v iree-lite compile OUT.mlir -o out.vmfb
    /usr/bin/time -v iree-compile --iree-hal-target-backends=llvm-cpu OUT.mlir -o out.vmfb
"""
import argparse
import random
import struct

ROW = 1000   # elements per row of the 2-D constant


def values(n, seed=0):
    """n seeded f32-exact values in [-1, 1)."""
    rng = random.Random(seed)
    return [struct.unpack("<f", struct.pack("<f", rng.uniform(-1, 1)))[0] for _ in range(n)]


def write(path, n, form, seed=0):
    rows = n // ROW
    if rows * ROW != n:
        raise SystemExit(f"--elements must be a multiple of {ROW}")
    t = f"tensor<{rows}x{ROW}xf32>"
    xs = values(n, seed)
    data = struct.pack(f"<{n}f", *xs)
    with open(path, "w") as f:
        f.write(f"func.func @add_weights(%x: {t}) -> {t} {{\n")
        if form == "hex":
            f.write(f'  %w = arith.constant dense<"0x{data.hex().upper()}"> : {t}\n')
        elif form == "resource":
            f.write(f"  %w = arith.constant dense_resource<weights> : {t}\n")
        else:
            f.write("  %w = arith.constant dense<[")
            for r in range(rows):
                f.write(("[" if r == 0 else ", [") + ", ".join(map(repr, xs[r * ROW:(r + 1) * ROW])) + "]")
            f.write(f"]> : {t}\n")
        f.write(f"  %y = arith.addf %x, %w : {t}\n  return %y : {t}\n}}\n")
        if form == "resource":
            f.write('{-#\n  dialect_resources: {\n    builtin: {\n      weights: "0x04000000'
                    + data.hex().upper() + '"\n    }\n  }\n#-}\n')
    return xs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--elements", type=int, default=2_500_000)
    ap.add_argument("--form", choices=("hex", "decimal", "resource"), default="hex")
    args = ap.parse_args()
    write(args.out, args.elements, args.form)


if __name__ == "__main__":
    main()
