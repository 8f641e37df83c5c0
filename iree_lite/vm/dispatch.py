"""The reference interpreter's dispatches and fences: the op_dispatch*,
op_eval and op_fence_* methods of its Context. The native VM's twin:
csrc/dispatch.pxi."""
from .. import isa
from .errors import VMError
from .tiles import run_kernel
from .values import Buffer, Fence, when_settled


class DispatchOps:
    """The dispatch and fence ops of Context (interp.py)."""

    def _dispatch_args(self, fr, m, v):
        k = m.kernels[v["kernel"]]
        bindings = [fr.r[r] for r in v["bind_r"]]
        first_out = next(i for i, (_, role) in enumerate(k.bindings) if role == isa.BIND_OUTPUT)
        for b, (element, role) in zip(bindings, k.bindings):
            if not isinstance(b, Buffer):
                raise VMError("INVALID_ARGUMENT", f"kernel '{k.name}' binding is not a buffer")
        count = bindings[first_out].count
        for b, (element, role) in zip(bindings, k.bindings):
            if b.count != count and role != isa.BIND_GATHERED:
                raise VMError("INVALID_ARGUMENT", f"kernel '{k.name}': binding of {b.count} elements, expected {count}")
            if role == isa.BIND_OUTPUT and b.readonly:
                raise VMError("PERMISSION_DENIED", f"kernel '{k.name}' writes a read-only constant buffer")
        push = [fr.f[r] for r in v["push_f"]] + [fr.i[r] for r in v["push_i"]]
        return k, bindings, push, count

    def op_dispatch(self, fr, m, v):
        run_kernel(*self._dispatch_args(fr, m, v))

    def op_dispatch_async(self, fr, m, v):
        args = self._dispatch_args(fr, m, v)
        signal = fr.r[v["signal"]]

        def run(error):
            if error is not None:
                signal.fail(error)
                return
            try:
                run_kernel(*args)
            except VMError as e:
                signal.fail(e)
                return
            signal.signal()
        when_settled(fr.r[v["wait"]], run)

    def op_eval(self, fr, m, v):
        k = m.kernels[v["kernel"]]
        outs = [Buffer(isa.ELEMENT_NAMES[e], ()) for e, _ in k.bindings]
        run_kernel(k, outs, [fr.f[r] for r in v["push_f"]] + [fr.i[r] for r in v["push_i"]], 1)
        values = [b.values()[0] for b in outs]   # floats first, as the dst lists
        nf = len(v["dst_f"])
        for r, x in zip(v["dst_f"], values[:nf]):
            fr.f[r] = x
        for r, x in zip(v["dst_i"], values[nf:]):
            fr.i[r] = x

    def op_fence_create(self, fr, m, v):
        fr.r[v["dst"]] = Fence()

    def op_fence_await(self, fr, m, v):
        f = fr.r[v["fence"]]
        if f is not None:
            self._wait(f)

    def op_fence_forward(self, fr, m, v):
        dst = fr.r[v["dst"]]
        when_settled(fr.r[v["src"]], lambda error: dst.signal() if error is None else dst.fail(error))
