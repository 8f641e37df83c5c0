"""The instruction set, on the ground floor: every other package may import
it, and it imports nothing else of iree_lite.

table: opcodes, operand fields, per-op properties, the VM's fixed capacities,
  error codes and texts.
encoding: the encoder and the one decoder (encoding.fields: where each operand lives).
types: the element type classes tile ops accept.
banks: the host register bank of a type, and results reordered by bank.
module: the in-memory compiled module and its .vmfb writer.
smallfloat: the small float formats (the `format` operands of t.fdecode/t.fencode).
gen_native: the build script writing the native VM's view (setup.py; not imported at run time).
"""
from .banks import register_bank, signature_order  # noqa: F401
from .encoding import DecodeError, decode, encode, fields, opcode_of  # noqa: F401
from .table import *  # noqa: F401,F403  (`from iree_lite import isa; isa.BY_NAME`)
from .types import KERNEL_TYPES, TYPE_CLASSES, reduce_elements  # noqa: F401
