"""Call deadlines, as both VMs and the runtime word them.

The native VM takes a deadline in time.monotonic_ns() and checks it on
backward branches, per tile and in waits (csrc/interrupt.pxi); the reference
interpreter checks a Deadline at the same places.
"""
import time

from .errors import VMError


class Deadline:
    """`seconds` from now, by the monotonic clock."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.at_ns = time.monotonic_ns() + int(seconds * 1e9)

    def error(self):
        """The error of a call stopped at this deadline."""
        return VMError("DEADLINE_EXCEEDED", f"the call did not finish within its timeout of {self.seconds:g} s")

    def left(self):
        """Seconds until the deadline (0 past it)."""
        return max(0, self.at_ns - time.monotonic_ns()) / 1e9

    def check(self):
        if time.monotonic_ns() >= self.at_ns:
            raise self.error()

    def wait(self, fence):
        """fence.wait() (interp.Fence) until the deadline at most."""
        try:
            fence.wait(self.left())
        except VMError as e:
            if fence.reached or fence.error is not None:
                raise
            raise self.error() from None
