"""The instruction set, on the ground floor: every other package may import
it, and it imports nothing else of iree_lite.

table: opcodes, operand fields, per-op properties, the VM's fixed capacities.
module: the in-memory compiled module and its .vmfb writer.
"""
from .table import *  # noqa: F401,F403  (`from iree_lite import isa; isa.BY_NAME`)
