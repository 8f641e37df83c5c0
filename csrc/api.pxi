# Python-facing objects: buffer views, loaded modules and native contexts.
# Everything here runs with the GIL; calls drop it around the VM loop.

from cpython.buffer cimport PyBUF_C_CONTIGUOUS, PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.bytes cimport PyBytes_FromStringAndSize

import operator

from iree_lite.ir.elements import shape_str, size_error

# struct-module format of each element type's storage, by element code.
_FORMATS = ("B", "b", "h", "i", "q", "q", "e", "H", "f", "d")


cdef class BufferView:
    """A VM buffer view. Supports the buffer protocol (read-only for module
    constants), so numpy.asarray(view) shares its memory."""
    cdef buffer_t* ptr
    cdef Py_ssize_t _shape[MAX_RANK]
    cdef Py_ssize_t _strides[MAX_RANK]

    def __dealloc__(self):
        buffer_release(self.ptr)

    @staticmethod
    def from_bytes(int element, shape, data):
        """A new buffer view holding a copy of `data` (row-major bytes). The
        shape is checked as the VM checks sizes (iree_lite.ir.elements.size_error)
        before anything is allocated or read."""
        cdef int64_t dims[MAX_RANK]
        cdef const unsigned char[::1] src = memoryview(data).cast("B")
        if not 0 <= element <= 9:
            raise ValueError(f"BufferView.from_bytes: unknown element type code {element}")
        try:
            shape = tuple(operator.index(d) for d in shape)
        except TypeError:
            raise ValueError(f"BufferView.from_bytes: shape {shape!r} is not a sequence of integers") from None
        if len(shape) > MAX_RANK:
            raise ValueError(f"BufferView.from_bytes: rank {len(shape)} is more than {MAX_RANK}")
        error = size_error(ELEMENT_NAME[element].decode(), shape)
        if error is not None:
            raise ValueError(f"BufferView.from_bytes: {error[1]}")
        for i, d in enumerate(shape):
            dims[i] = d
        cdef int64_t nbytes = checked_count(element, len(shape), dims) * ELEMENT_SIZE[element]
        if src.shape[0] != nbytes:
            raise ValueError(f"BufferView.from_bytes: data is {src.shape[0]} bytes, "
                             f"{shape_str(ELEMENT_NAME[element].decode(), shape)} needs {nbytes}")
        return copied_view(element, len(shape), dims, &src[0] if nbytes else NULL)

    @staticmethod
    def from_array(int element, array):
        """from_bytes of a C-contiguous array (a numpy array, or any exporter
        of the buffer protocol) of items of `element`'s size, in its shape:
        one copy and no Python objects on the way, as a call's inputs take
        (Python code run between two calls of a model finds its objects out
        of cache, at tens of microseconds a step)."""
        cdef Py_buffer view
        cdef int64_t dims[MAX_RANK]
        cdef int i
        if not 0 <= element <= 9:
            raise ValueError(f"BufferView.from_array: unknown element type code {element}")
        PyObject_GetBuffer(array, &view, PyBUF_C_CONTIGUOUS)   # no format asked: ml_dtypes' have none
        try:
            if view.itemsize != ELEMENT_SIZE[element]:
                raise ValueError(f"BufferView.from_array: items of {view.itemsize} bytes are not "
                                 f"{ELEMENT_NAME[element].decode()} elements")
            if view.ndim > MAX_RANK:
                raise ValueError(f"BufferView.from_array: rank {view.ndim} is more than {MAX_RANK}")
            for i in range(view.ndim):
                dims[i] = view.shape[i]
            if checked_count(element, view.ndim, dims) < 0:
                shape = tuple(dims[i] for i in range(view.ndim))
                raise ValueError(f"BufferView.from_array: {size_error(ELEMENT_NAME[element].decode(), shape)[1]}")
            return copied_view(element, view.ndim, dims, view.buf)
        finally:
            PyBuffer_Release(&view)

    @property
    def element(self):
        return ELEMENT_NAME[self.ptr.element].decode()

    @property
    def element_code(self):
        return self.ptr.element

    @property
    def shape(self):
        return tuple(self.ptr.shape[i] for i in range(self.ptr.rank))

    @property
    def nbytes(self):
        return self.ptr.nbytes

    def tobytes(self):
        return PyBytes_FromStringAndSize(self.ptr.data, self.ptr.nbytes)

    def __getbuffer__(self, Py_buffer* view, int flags):
        cdef int i
        if flags & PyBUF_WRITABLE and self.ptr.readonly:
            raise BufferError("buffer view is read-only")
        cdef Py_ssize_t size = ELEMENT_SIZE[self.ptr.element]
        for i in range(self.ptr.rank - 1, -1, -1):
            self._shape[i] = self.ptr.shape[i]
            self._strides[i] = size
            size *= self.ptr.shape[i]
        view.buf = self.ptr.data
        view.obj = self
        view.len = self.ptr.nbytes
        view.readonly = self.ptr.readonly
        view.itemsize = ELEMENT_SIZE[self.ptr.element]
        view.format = _FORMAT_PTRS[self.ptr.element]
        view.ndim = self.ptr.rank
        view.shape = self._shape
        view.strides = self._strides
        view.suboffsets = NULL
        view.internal = NULL

    def __releasebuffer__(self, Py_buffer* view):
        pass

    def __repr__(self):
        return f"<BufferView {self.element} {self.shape}>"


cdef char* _FORMAT_PTRS[10]
_FORMAT_BYTES = [f.encode() for f in _FORMATS]
for _i in range(10):
    _FORMAT_PTRS[_i] = _FORMAT_BYTES[_i]


cdef BufferView copied_view(int element, int rank, const int64_t* dims, const void* data):
    """A new view of a new buffer of a checked shape, holding a copy of its
    bytes at `data`."""
    cdef buffer_t* b = buffer_new(element, rank, dims, NULL, NULL)
    if b == NULL:
        raise MemoryError("out of memory allocating a buffer")
    if b.nbytes:
        memcpy(b.data, data, b.nbytes)
    return wrap_buffer(b)


cdef BufferView wrap_buffer(buffer_t* b):
    """Wrap an owned reference."""
    cdef BufferView v = BufferView.__new__(BufferView)
    v.ptr = b
    return v


cdef object ref_to_python(ref_t r):
    """Python object for an owned reference (consumed)."""
    if r.kind == REF_BUFFER:
        return wrap_buffer(<buffer_t*>r.ptr)
    if r.kind == REF_FENCE:
        obj = fence_wrap(<fence_t*>r.ptr)
        fence_release(<fence_t*>r.ptr)
        return obj
    return None


cdef ref_t ref_from_python(obj) except *:
    """A borrowed reference to a BufferView, Fence or None."""
    cdef ref_t r
    if obj is None:
        r.kind = REF_NULL
        r.ptr = NULL
    elif isinstance(obj, BufferView):
        r.kind = REF_BUFFER
        r.ptr = (<BufferView>obj).ptr
    elif isinstance(obj, Fence):
        r.kind = REF_FENCE
        r.ptr = (<Fence>obj).ptr
    else:
        raise TypeError(f"expected a buffer view or fence, got {type(obj).__name__}")
    return r


cdef class LoadedModule:
    """A verified module's C structures, with its imports resolved."""
    cdef module_t m
    cdef object keep     # Python objects owning memory the C structures point into
    cdef int nkernels, nfunctions
    cdef readonly object module

    @property
    def address(self):
        """Where its C structures are: trace events name modules by it."""
        return <size_t>&self.m

    def __dealloc__(self):
        cdef int i
        if self.m.gr != NULL:
            for i in range(self.m.nglobals):
                ref_release(self.m.gr[i])
        free(self.m.gi)
        free(self.m.gf)
        free(self.m.gr)
        if self.m.constants != NULL:
            for i in range(self.m.nconstants):
                buffer_release(self.m.constants[i].buffer)
        free(self.m.functions)
        free(self.m.kernels)
        free(self.m.constants)
        free(self.m.imports)
        free(self.m.code)
        free(self.m.steps)


def load_module(verified, links, list loaded):
    """C structures for the module of `verified`, what
    iree_lite.vm.verifier.verify_module issued for it (nothing else: the loop
    runs only verified bytecode), whose imports resolve to `links`
    [(index into loaded, function ordinal)]."""
    from iree_lite.vm.verifier import VerifiedModule, register_banks
    if type(verified) is not VerifiedModule:
        raise TypeError(f"load_module takes what verify_module returns, not {type(verified).__name__}; "
                        "the VM runs only verified modules")
    module = verified.module
    if len(links) != len(module.imports) or any(
            not 0 <= mi < len(loaded) or not 0 <= fi < (<LoadedModule?>loaded[mi]).nfunctions for mi, fi in links):
        raise ValueError("import links do not match the module's imports")
    cdef LoadedModule lm = LoadedModule.__new__(LoadedModule)
    cdef int i, j
    cdef int64_t dims[MAX_RANK]
    cdef buffer_t* data
    cdef Py_ssize_t nsteps = sum(len(k.code) for k in module.kernels)
    cdef Py_ssize_t ncode = sum(len(f.code) for f in module.functions) + nsteps
    cdef Py_ssize_t offset = 0, steps = 0
    lm.module = module
    lm.nfunctions = len(module.functions)
    lm.m.functions = <function_t*>calloc(len(module.functions) + 1, sizeof(function_t))
    lm.m.kernels = <kernel_t*>calloc(len(module.kernels) + 1, sizeof(kernel_t))
    lm.m.constants = <constant_t*>calloc(len(module.constants) + 1, sizeof(constant_t))
    lm.m.imports = <import_t*>calloc(len(module.imports) + 1, sizeof(import_t))
    lm.m.code = <uint32_t*>malloc((ncode + 1) * 4)
    lm.m.steps = <tile_step_t*>malloc((nsteps + 1) * sizeof(tile_step_t))
    lm.m.nconstants = 0
    if (lm.m.functions == NULL or lm.m.kernels == NULL or lm.m.constants == NULL
            or lm.m.imports == NULL or lm.m.code == NULL or lm.m.steps == NULL):
        raise MemoryError("out of memory loading a module")
    for i, f in enumerate(module.functions):
        lm.m.functions[i].code = lm.m.code + offset
        lm.m.functions[i].ncode = len(f.code)
        args, results = register_banks(f.signature)
        for j, bank in enumerate("ifr"):
            lm.m.functions[i].nregs[j] = f.regs[j]
            lm.m.functions[i].nargs[j] = args[bank]
            lm.m.functions[i].nresults[j] = results[bank]
        for j, w in enumerate(f.code):
            lm.m.code[offset + j] = w
        offset += len(f.code)
    for i, k in enumerate(module.kernels):
        lm.m.kernels[i].code = lm.m.code + offset
        lm.m.kernels[i].ncode = len(k.code)
        lm.m.kernels[i].regs = k.regs
        lm.m.kernels[i].nbind = len(k.bindings)
        lm.m.kernels[i].npush = k.push
        lm.m.kernels[i].first_output = next(b for b, (_, role) in enumerate(k.bindings) if role == BIND_OUTPUT)
        for j, (element, role) in enumerate(k.bindings):
            lm.m.kernels[i].bind_element[j] = element
            lm.m.kernels[i].bind_role[j] = role
        for j, w in enumerate(k.code):
            lm.m.code[offset + j] = w
            lm.m.kernels[i].cost += TILE_COST[opcode_of(w) - FIRST_TILE_OP]
        lm.m.kernels[i].steps = lm.m.steps + steps
        decode_steps(lm.m.code + offset, len(k.code), lm.m.steps + steps)
        offset += len(k.code)
        steps += len(k.code)
    for i, c in enumerate(module.constants):
        lm.m.constants[i].kind = c.kind
        lm.m.constants[i].element = c.element
        lm.m.constants[i].rank = len(c.shape)
        for j, d in enumerate(c.shape):
            lm.m.constants[i].shape[j] = d
        if c.kind == CONST_INT:
            lm.m.constants[i].ival = c.value
        elif c.kind == CONST_FLOAT:
            lm.m.constants[i].fval = c.value
        elif c.kind == CONST_DATA:
            view = BufferView.from_bytes(c.element, c.shape, c.data)
            data = (<BufferView>view).ptr
            data.readonly = 1
            atomic_inc(&data.refcount)
            lm.m.constants[i].buffer = data
        lm.m.nconstants = i + 1
    n = len(module.globals)
    lm.m.gi = <int64_t*>calloc(n + 1, sizeof(int64_t))
    lm.m.gf = <double*>calloc(n + 1, sizeof(double))
    lm.m.gr = <ref_t*>calloc(n + 1, sizeof(ref_t))
    if lm.m.gi == NULL or lm.m.gf == NULL or lm.m.gr == NULL:
        raise MemoryError("out of memory loading a module")
    lm.m.nglobals = n
    for i, g in enumerate(module.globals):
        if g.initial < 0:
            continue
        if g.bank == "i":
            lm.m.gi[i] = lm.m.constants[g.initial].ival
        elif g.bank == "f":
            lm.m.gf[i] = lm.m.constants[g.initial].fval
        else:
            lm.m.gr[i].kind = REF_BUFFER
            lm.m.gr[i].ptr = lm.m.constants[g.initial].buffer
            atomic_inc(&lm.m.constants[g.initial].buffer.refcount)
    for i, (mi, fi) in enumerate(links):
        lm.m.imports[i].module = &(<LoadedModule>loaded[mi]).m
        lm.m.imports[i].function = fi
    lm.keep = list(loaded)   # imported modules must outlive this one
    return lm


cdef lite_status* debug_trace(ctx_t* ctx, const constant_t* key, const uint32_t* view_r,
                              const ref_t* R) noexcept nogil:
    """debug.trace: the context's debug sink called with the key and the
    buffer views of the register list view_r."""
    cdef int i, n = <int>view_r[0]
    for i in range(n):
        if R[list_reg(view_r, i)].kind != REF_BUFFER:
            return status_new(STATUS_INVALID_ARGUMENT, b"traced value is not a buffer")
    if ctx.debug_sink == NULL:
        return NULL
    with gil:
        views = []
        for i in range(n):
            ref_retain(R[list_reg(view_r, i)])
            views.append(wrap_buffer(<buffer_t*>R[list_reg(view_r, i)].ptr))
        try:
            (<object>ctx.debug_sink)((<const char*>key.buffer.data)[:key.buffer.nbytes].decode(), views)
        except Exception as e:
            message = f"debug sink failed: {type(e).__name__}: {e}".encode()
            return status_new(STATUS_INTERNAL, message)
    return NULL


cdef class NativeContext:
    """Device state for calls: a worker pool for local-task, none for local-sync."""
    cdef ctx_t ctx
    cdef object pool
    cdef object debug_sink

    # Dispatches of up to this many elements run on the submitting thread:
    # measured on 2 cores (bench/RESULTS.md), waking the workers costs ~40 us
    # and only pays off above ~190K f32 elements of a 4-op chain.
    def __cinit__(self, int workers, int64_t inline_elements=196608):
        self.ctx.pool = NULL
        self.ctx.inline_elements = inline_elements
        self.ctx.dispatches = 0
        self.ctx.fence_waits = 0
        self.ctx.epilogues_in_cache = 0
        self.ctx.windows_packed_once = 0
        self.ctx.trace = NULL
        self.ctx.debug_sink = NULL
        if workers > 0:
            self.pool = WorkerPool(workers)
            self.ctx.pool = (<WorkerPool>self.pool).ptr

    def __dealloc__(self):
        # Workers may still be finishing events (a signal's span ends after
        # the waiter woke): let them, then free the buffer. The pool itself
        # is released after this, with the other attributes.
        if self.ctx.trace != NULL:
            with nogil:
                pool_quiesce(self.ctx.pool)
            trace_destroy(self.ctx.trace)

    def set_debug_sink(self, sink):
        """sink(key, [BufferView]) is called by debug.trace (None: nothing is).
        Set it before calls start: running code reads it without synchronisation."""
        self.debug_sink = sink
        self.ctx.debug_sink = NULL if sink is None else <void*>sink

    def enable_trace(self, long long capacity):
        """Record a timeline of calls, dispatches, tile batches, signals and
        waits into a buffer of `capacity` events (further ones are dropped
        and counted). Enable before the first call: running code reads the
        trace pointer without synchronisation."""
        if self.ctx.trace != NULL:
            raise RuntimeError("tracing is already enabled")
        if capacity < 1:
            raise ValueError(f"trace capacity must be positive, got {capacity}")
        self.ctx.trace = trace_create(capacity)
        if self.ctx.trace == NULL:
            raise MemoryError("cannot allocate the trace buffer")

    @property
    def tracing(self):
        return self.ctx.trace != NULL

    def read_trace(self):
        """None when not tracing; otherwise, once the workers are idle, a dict:
        events [(kind, thread, t_begin, t_end, a0, a1, a2, id)] in ns of
        CLOCK_MONOTONIC, origin (when tracing began), capacity, dropped, and
        workers (the OS thread id of each worker that started, by index)."""
        cdef trace_t* t = self.ctx.trace
        cdef trace_event_t* e
        cdef long long i, n
        cdef int kind
        if t == NULL:
            return None
        with nogil:
            pool_quiesce(self.ctx.pool)
        n = min(atomic_fetch_add64(&t.next, 0), t.capacity)
        events = []
        for i in range(n):
            e = &t.events[i]
            kind = lite_load_acquire_int(&e.kind)
            if kind != 0:   # a slot still being written by a non-worker thread
                events.append((kind, e.thread, e.t_begin, e.t_end, e.a0, e.a1, e.a2, e.id))
        workers = []
        if self.ctx.pool != NULL:
            workers = [lite_load_acquire_int(&self.ctx.pool.tids[i]) for i in range(self.ctx.pool.nthreads)]
        return {"events": events, "origin": t.origin, "capacity": t.capacity, "dropped": trace_dropped(t),
                "workers": workers}

    def wait(self, Fence fence, timeout=None):
        """Fence.wait, recorded (with flows from the signals that released
        it) when tracing."""
        cdef int64_t t0 = now_ns()
        cdef int r = wait_interruptibly(NULL, fence.ptr, 0, timeout)
        if r == WAIT_REACHED and self.ctx.trace != NULL:
            with nogil:
                trace_wait_done(self.ctx.trace, fence.ptr, t0)
        return r == WAIT_REACHED

    @property
    def workers(self):
        return 0 if self.pool is None else self.pool.size

    @property
    def watched(self):
        """Whether a worker watches for work now, which lowers the inline
        threshold (inline_limit)."""
        return self.ctx.pool != NULL and pool_watched(self.ctx.pool)

    def statistics(self):
        """Dispatches run, blocking fence waits, epilogues (of convolutions, matmuls) run on
        output rows as they were done, and convolutions whose workers packed the window
        matrix once for all their filter chunks, in this context's VM."""
        return {"dispatches": self.ctx.dispatches, "fence_waits": self.ctx.fence_waits,
                "epilogues_in_cache": self.ctx.epilogues_in_cache, "windows_packed_once": self.ctx.windows_packed_once}


    def call(self, LoadedModule lm, int function, list iargs, list fargs, list rargs, tuple nres,
             int64_t deadline_ns=-1):
        """Run a function; returns (int results, float results, ref results)
        by bank, as its `ret` lists them; `nres` is the count in each bank.
        The counts must be the function's own (its signature's). It stops at
        Ctrl-C, raising KeyboardInterrupt (VMError CANCELLED where a Python
        SIGINT handler did not raise, or on other threads), and at
        `deadline_ns` (time.monotonic_ns(); -1: none), raising VMError
        DEADLINE_EXCEEDED."""
        cdef int64_t ia[MAX_CALL_VALUES]
        cdef double fa[MAX_CALL_VALUES]
        cdef ref_t ra[MAX_CALL_VALUES]
        cdef int64_t io[MAX_CALL_VALUES]
        cdef double fo[MAX_CALL_VALUES]
        cdef ref_t ro[MAX_CALL_VALUES]
        cdef int i
        cdef int ni = len(iargs), nf = len(fargs), nr = len(rargs)
        cdef lite_status* st
        cdef run_t run
        if not 0 <= function < lm.nfunctions:
            raise ValueError(f"no function {function} in the module")
        cdef function_t* fn = &lm.m.functions[function]
        if (ni, nf, nr) != tuple(fn.nargs) or tuple(nres) != tuple(fn.nresults):
            raise ValueError(f"function {function} takes {tuple(fn.nargs)} arguments and returns {tuple(fn.nresults)} "
                             f"results by bank, not {(ni, nf, nr)} and {tuple(nres)}")
        for i in range(ni):
            ia[i] = iargs[i]
        for i in range(nf):
            fa[i] = fargs[i]
        for i in range(nr):
            ra[i] = ref_from_python(rargs[i])
        memset(ro, 0, sizeof(ro))
        lite_sigint_arm()
        with nogil:
            run_begin(&run, deadline_ns)
            st = vm_invoke(&self.ctx, &run, &lm.m, function, ia, ni, fa, nf, ra, nr, io, fo, ro)
        if st != NULL:
            if st.code == STATUS_CANCELLED and run_stop_code(&run) == STATUS_CANCELLED:
                status_free(st)
                PyErr_CheckSignals()   # runs Python's SIGINT handler: KeyboardInterrupt
                raise VMError("CANCELLED", "interrupted")
            raise_status(st)
        return ([io[i] for i in range(nres[0])], [fo[i] for i in range(nres[1])],
                [ref_to_python(ro[i]) for i in range(nres[2])])


def buffer_statistics():
    """Process-wide buffer allocations: count, total bytes, live and peak live bytes."""
    return {"buffers": lite_alloc_count, "bytes": lite_alloc_bytes, "live_bytes": lite_live_bytes,
            "peak_bytes": lite_peak_bytes}


def pool_statistics():
    """The object pools (csrc/lite_vm.h), process-wide: per pool, blocks
    kept now, and takes it served (hits) or left to malloc (misses)."""
    def stats(lite_pool p):
        return {"kept": p.count, "hits": p.hits, "misses": p.misses}
    return {"headers": stats(lite_header_pool), "storage": stats(lite_storage_pool),
            "fences": stats(lite_fence_pool)}


# NativeContext.read_trace's event kinds, by name (csrc/trace.pxi).
TRACE_KINDS = {"call": TRACE_CALL, "dispatch": TRACE_DISPATCH, "tiles": TRACE_TILES, "signal": TRACE_SIGNAL,
               "wait": TRACE_WAIT, "flow": TRACE_FLOW, "op": TRACE_OP, "rows": TRACE_ROWS}


def kernel_isa(limit=None):
    """The instruction set the C kernels (csrc/lite_tile.h: f32 exp, the
    matmul tiles) and the tile kernels (csrc/tile_isa.pxi) run on:
    "avx512", "avx2" or "sse2" (KERNEL_ISAS, generated into isa_kernels.pxi),
    the widest the CPU has up to a limit. With `limit` (one of those), the
    limit from now on: tests use it to run each variant; "avx512" is the
    default."""
    if limit is not None:
        lite_set_isa_limit(KERNEL_ISAS[limit])
    return next(name for name, isa in KERNEL_ISAS.items() if isa == lite_isa())


def worker_watch_ns(long long ns=-1):
    """How long an idle worker watches for work before it sleeps
    (csrc/lite_vm.h). With `ns` (>= 0), the time from now on: tests use 0
    so that no watcher lowers a loop's inline threshold (inline_limit)."""
    if ns >= 0:
        lite_set_watch_ns(ns)
    return lite_watch_ns()
