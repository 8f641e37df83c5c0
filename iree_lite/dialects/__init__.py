"""The op registry. Dialect modules load on first use of their prefix, so
compiling a program imports only the dialects it uses."""
import importlib

_DIALECTS = {"arith": "arith", "math": "math", "func": "func", "tensor": "tensor", "check": "check",
             "util": "util", "scf": "scf", "linalg": "linalg", "affine": "affine", "cf": "cf", "flow": "flow",
             "iree_linalg_ext": "iree_linalg_ext",
             "iree_lite": "iree_lite"}
# Other spellings of the func ops: MLIR's short forms, and util's functions
# (which iree-lite compiles exactly as func's).
_ALIASES = {"call": "func.call", "return": "func.return", "func": "func.func",
            "util.func": "func.func", "util.call": "func.call", "util.return": "func.return"}


# Input dialects of ML frameworks, which IREE lowers to linalg before its own pipeline.
_FRONTENDS = {"stablehlo": "StableHLO", "chlo": "StableHLO", "mhlo": "MHLO", "tosa": "TOSA", "torch": "Torch",
              "torch_c": "Torch", "onnx": "ONNX"}


def unsupported_input(name):
    """The error for an op or type (`!torch.vtensor`) name of a front-end
    dialect, or None for any other name."""
    frontend = _FRONTENDS.get(name.lstrip("!\"").split(".", 1)[0])
    if frontend is None:
        return None
    return (f"{frontend} input is not supported by iree-lite; lower it to linalg "
            f"(for example with iree-compile --compile-to=input)")


def canonical_name(name):
    return _ALIASES.get(name, name)


def lookup(name):
    """The OpDef for an op name, or None if no dialect defines it."""
    name = canonical_name(name)
    module = _DIALECTS.get(name.split(".", 1)[0])
    if module is None:
        return None
    return importlib.import_module(f"{__name__}.{module}").OPS.get(name)
