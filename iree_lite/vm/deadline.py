"""Call deadlines, as both VMs and the runtime word them.

The native VM takes a deadline in time.monotonic_ns() and checks it on
backward branches, per tile and in waits (csrc/interrupt.pxi); the reference
interpreter checks a Deadline at the same places.
"""
import time

from .errors import VMError


def timed_out(seconds):
    """The message of a call stopped at the deadline `seconds` gave it."""
    return f"the call did not finish within its timeout of {seconds:g} s"


class Deadline:
    """`seconds` from now, by the monotonic clock."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.at_ns = time.monotonic_ns() + int(seconds * 1e9)

    def error(self):
        return VMError("DEADLINE_EXCEEDED", timed_out(self.seconds))

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
