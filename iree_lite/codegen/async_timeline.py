"""The async timeline of a coarse-fences function.

Such a function keeps a *timeline* fence: the fence after which all work
queued so far is done. Each queued dispatch or async call waits on the
timeline and signals a fresh fence that becomes the new timeline; at return
the timeline is forwarded to the caller's signal fence. Nothing on this path
blocks the host. Sync functions, and the regions of scf ops in any function
(a loop-carried timeline fence is future work), run their work to
completion in order.
"""


class Timeline:
    def __init__(self, asm, new_register, is_async):
        self.asm = asm                 # the function's Assembler
        self.new_register = new_register
        self.is_async = is_async
        self.fence = None              # the timeline; None when nothing is queued
        self.signal = None             # the caller's signal fence (an argument)
        self.null = None               # a null fence: what the first queued work waits on
        self.regions = 0               # how deep inside scf regions lowering is

    def arguments(self):
        """The wait and signal fence arguments an async function takes last."""
        if not self.is_async:
            return []
        self.fence, self.signal = self.new_register("r"), self.new_register("r")
        return [self.fence, self.signal]

    @property
    def queues(self):
        """Whether work is queued here rather than run to completion."""
        return self.is_async and not self.regions

    def wait_fence(self):
        """The fence new work waits on."""
        if self.fence is not None:
            return self.fence
        if self.null is None:
            self.null = self.new_register("r")
            self.asm.prepend("ref.null", dst=self.null)
        return self.null

    def settle(self, loc):
        """Wait for what is queued: before an op reads or copies tensor
        contents on the host, enters a region, or leaves a block."""
        if self.is_async and self.fence is not None:
            self.asm.emit("fence.await", loc, fence=self.fence)
            self.fence = None

    def enter_block(self):
        """A block other than the entry: branches settled the timeline before leaving theirs."""
        self.fence = None

    def dispatch(self, kernel, bindings, push_f, push_i, loc):
        if self.queues:
            done = self.new_register("r")
            self.asm.emit("fence.create", loc, dst=done)
            self.asm.emit("dispatch.async", loc, wait=self.wait_fence(), signal=done, kernel=kernel,
                          bind_r=bindings, push_f=push_f, push_i=push_i)
            self.fence = done
        else:
            self.asm.emit("dispatch", loc, kernel=kernel, bind_r=bindings, push_f=push_f, push_i=push_i)

    def call_fences(self, callee_async, loc):
        """Before a call: for an async callee, the (wait, signal) fences it
        takes; a sync callee reads its arguments at once, so queued work is
        waited for first (returns None)."""
        if not callee_async:
            self.settle(loc)
            return None
        done = self.new_register("r")
        self.asm.emit("fence.create", loc, dst=done)
        return self.wait_fence(), done

    def called(self, done, loc):
        """After an async call signalling `done`: it is the new timeline, or
        it is waited for where work runs to completion."""
        if self.queues:
            self.fence = done
        else:
            self.asm.emit("fence.await", loc, fence=done)

    def forward(self, loc):
        """At return: signal the caller's fence when the queued work is done
        (by the last queued op itself, when it was queued only for that)."""
        if self.is_async and not self.asm.signal_directly(self.fence, self.signal):
            self.asm.emit("fence.forward", loc, src=self.wait_fence(), dst=self.signal)
