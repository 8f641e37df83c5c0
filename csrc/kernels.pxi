# Tile kernels and the tile interpreter.
#
# Each kernel is a `cdef inline ... noexcept nogil` loop over one tile of
# contiguous elements with no per-element branches (selects instead), so
# gcc -O3 vectorises it; the loops are generated from the ISA table into
# isa_kernels.pxi. Each tile instruction is decoded once, when its module
# loads (decode_steps, through the accessors generated into isa_opcodes.pxi),
# into the step the interpreter runs for every run of elements.


cdef enum:
    # Tile registers hold TILE lanes of up to 8 bytes.
    SCRATCH_BYTES = TILE_REGS * TILE * 8
    # A worker runs a tile's elements through the whole kernel this many at
    # a time: the parts of the registers a kernel touches (4-8 KiB each) stay
    # in L1 from the instruction that writes them to the ones that read them.
    RUN_ELEMENTS = 1024

ctypedef fused real:
    float
    double


cdef extern from "lite_tile.h" nogil:
    double lite_default_nan()
    void lite_fill32(uint32_t* d, uint32_t v, int64_t n)
    void lite_fill64(uint64_t* d, uint64_t v, int64_t n)


cdef inline real default_nan_if_new(real r, bint operands_not_nan) noexcept nogil:
    # A NaN made from operands none of which is NaN is the machine's default
    # NaN, whatever sign the libm function gave it (isa/gen_native.py).
    return <real>lite_default_nan() if (r != r) and operands_not_nan else r


cdef inline real maximumf(real a, real b) noexcept nogil:
    # IEEE 754-2019 maximum, as selects so gcc vectorises it: a NaN operand
    # is the result (a's first, as LLVM lowers it); for two zeros a + b
    # gives +0 unless both are -0.
    cdef real r = a if a > b else b
    r = a + b if (a == <real>0) & (b == <real>0) else r
    r = b if b != b else r
    return a if a != a else r


cdef inline real minimumf(real a, real b) noexcept nogil:
    # As maximumf; for two zeros -(-a + -b) gives -0 unless both are +0.
    cdef real r = a if a < b else b
    r = -((-a) + (-b)) if (a == <real>0) & (b == <real>0) else r
    r = b if b != b else r
    return a if a != a else r


cdef inline int64_t ipowi(int64_t a, int64_t b) noexcept nogil:
    """a ** b by squaring in wrapping 64-bit arithmetic (exact modulo any
    narrower width); negative powers of |a| > 1 truncate to 0."""
    cdef uint64_t result = 1, base = <uint64_t>a
    if b < 0:
        return 1 if a == 1 else ((1 if b % 2 == 0 else -1) if a == -1 else 0)
    while b:
        if b & 1:
            result *= base
        base *= base
        b >>= 1
    return <int64_t>result


cdef extern from *:
    int __builtin_clzll(unsigned long long) nogil
    int __builtin_ctzll(unsigned long long) nogil
    int __builtin_popcountll(unsigned long long) nogil


# Bit counts of an integer's unsigned view (zero-extended to 64 bits); the
# builtins are undefined for 0, whose count is the width.
cdef inline int leading_zeros(uint64_t a, int bits) noexcept nogil:
    return bits if a == 0 else __builtin_clzll(a) - (64 - bits)


cdef inline int trailing_zeros(uint64_t a, int bits) noexcept nogil:
    return bits if a == 0 else __builtin_ctzll(a)


cdef inline int set_bits(uint64_t a) noexcept nogil:
    return __builtin_popcountll(a)


cdef inline void copy_run(char* d, int64_t dstride, const char* s, int64_t sstride, int64_t n,
                          int size) noexcept nogil:
    """n elements, each side contiguous (stride 1) or strided; one of the
    two strides is 1. A source stride of 0 is a broadcast fill."""
    cdef int64_t j
    if dstride == 1 and sstride == 1:
        memcpy(d, s, n * size)
    elif dstride == 1 and sstride == 0 and size == 4:
        lite_fill32(<uint32_t*>d, (<const uint32_t*>s)[0], n)
    elif dstride == 1 and sstride == 0 and size == 8:
        lite_fill64(<uint64_t*>d, (<const uint64_t*>s)[0], n)
    elif size == 4:
        for j in range(n):
            (<uint32_t*>d)[j * dstride] = (<const uint32_t*>s)[j * sstride]
    elif size == 8:
        for j in range(n):
            (<uint64_t*>d)[j * dstride] = (<const uint64_t*>s)[j * sstride]
    else:
        for j in range(n):
            memcpy(d + j * dstride * size, s + j * sstride * size, size)


cdef inline bint coordinates_at(int64_t stride, int64_t size, int64_t start, int64_t* q, int64_t* r) noexcept nogil:
    """Where element `start` lies along a dimension of row-major `stride` and
    `size`: coordinate q, r elements into its run. False for a non-positive
    stride or size."""
    if stride <= 0 or size <= 0:
        return False
    q[0] = (start // stride) % size
    r[0] = start % stride
    return True


cdef inline Py_ssize_t coordinate_run(int64_t stride, int64_t size, int64_t* q, int64_t* r,
                                      Py_ssize_t left) noexcept nogil:
    """The length (at most `left`) of the run of elements from (q, r) whose
    coordinates are one q repeated (stride > 1) or q, q + 1, ... (stride 1);
    q and r move past it."""
    cdef Py_ssize_t run
    if stride == 1:
        run = min(size - q[0], left)
        q[0] = (q[0] + run) % size
    else:
        run = min(stride - r[0], left)
        r[0] += run
        if r[0] == stride:
            r[0] = 0
            q[0] = q[0] + 1 if q[0] + 1 < size else 0
    return run


cdef inline int k_spread(int size, char* d, const char* src, int64_t count, int64_t stride, int64_t length,
                         int64_t start, Py_ssize_t n) noexcept nogil:
    """t.spread: d[i] = src[((start + i) / stride) % length], by runs: copies
    of consecutive elements, or fills of one. TILE_BAD_COORDINATE for a
    non-positive stride or length, TILE_GATHER_OUT_OF_RANGE for a length
    past src's count."""
    cdef Py_ssize_t i = 0, run
    cdef int64_t q, r, at
    if not coordinates_at(stride, length, start, &q, &r):
        return TILE_BAD_COORDINATE
    if length > count:
        return TILE_GATHER_OUT_OF_RANGE
    while i < n:
        at = q
        run = coordinate_run(stride, length, &q, &r, n - i)
        copy_run(d + i * size, 1, src + at * size, 1 if stride == 1 else 0, run, size)
        i += run
    return 0


cdef inline int k_gather(int size, char* d, const char* src, int64_t count, const int64_t* idx,
                         Py_ssize_t n) noexcept nogil:
    """t.gather: d[i] = src[idx[i]] for elements of `size` bytes; -1 if an
    index is outside the `count` elements of src."""
    cdef Py_ssize_t i
    cdef int64_t outside = 0, last = count - 1
    for i in range(n):   # the sign bit: idx < 0 or idx > last; no branch, so it vectorizes (SSE2 too)
        outside |= idx[i] | (last - idx[i])
    if outside < 0:
        return -1
    if size == 4:
        for i in range(n):
            (<uint32_t*>d)[i] = (<const uint32_t*>src)[idx[i]]
    elif size == 8:
        for i in range(n):
            (<uint64_t*>d)[i] = (<const uint64_t*>src)[idx[i]]
    elif size == 2:
        for i in range(n):
            (<uint16_t*>d)[i] = (<const uint16_t*>src)[idx[i]]
    else:
        for i in range(n):
            d[i] = src[idx[i]]
    return 0


cdef inline int k_lindex(int64_t* d, int64_t stride, int64_t size, int64_t start, Py_ssize_t n) noexcept nogil:
    """t.lindex, by runs of coordinates (fills, or for stride 1 consecutive
    values: loops gcc vectorizes) instead of dividing per lane."""
    cdef Py_ssize_t i = 0, j, run
    cdef int64_t q, r, at
    if not coordinates_at(stride, size, start, &q, &r):
        return -1
    while i < n:
        at = q
        run = coordinate_run(stride, size, &q, &r, n - i)
        if stride == 1:
            for j in range(run):
                d[i + j] = at + j
        else:
            for j in range(run):
                d[i + j] = at
        i += run
    return 0


cdef extern from "lite_vm.h" nogil:
    float lite_f16_to_f32(uint16_t)
    uint16_t lite_f32_to_f16(float)
    float lite_bf16_to_f32(uint16_t)
    uint16_t lite_f32_to_bf16(float)


cdef inline bint is_half(int t) noexcept nogil:
    return t == ET_F16 or t == ET_BF16


cdef inline float half_load(int t, const uint16_t* p, int64_t i) noexcept nogil:
    """Element i of f16 or bf16 (t) data, as f32."""
    return lite_f16_to_f32(p[i]) if t == ET_F16 else lite_bf16_to_f32(p[i])


cdef inline uint16_t half_bits(int t, float x) noexcept nogil:
    """x rounded to f16 or bf16 (t): its bits."""
    return lite_f32_to_f16(x) if t == ET_F16 else lite_f32_to_bf16(x)


cdef inline void half_to_f32(int t, float* d, const char* a, Py_ssize_t n) noexcept nogil:
    cdef const uint16_t* h = <const uint16_t*>a
    cdef Py_ssize_t i
    if t == ET_F16:
        for i in range(n):
            d[i] = lite_f16_to_f32(h[i])
    else:
        for i in range(n):
            d[i] = lite_bf16_to_f32(h[i])


cdef inline void f32_to_half(int t, char* d, const float* a, Py_ssize_t n) noexcept nogil:
    cdef uint16_t* h = <uint16_t*>d
    cdef Py_ssize_t i
    if t == ET_F16:
        for i in range(n):
            h[i] = lite_f32_to_f16(a[i])
    else:
        for i in range(n):
            h[i] = lite_f32_to_bf16(a[i])


cdef inline void splat(int t, char* d, double fv, int64_t iv, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    cdef uint16_t h
    cdef float f
    if is_half(t):
        h = half_bits(t, <float>fv)
        for i in range(n):
            (<uint16_t*>d)[i] = h
    elif t == ET_F32:
        f = <float>fv
        lite_fill32(<uint32_t*>d, (<uint32_t*>&f)[0], n)
    elif t == ET_F64:
        lite_fill64(<uint64_t*>d, (<uint64_t*>&fv)[0], n)
    elif t == ET_I64 or t == ET_INDEX:
        lite_fill64(<uint64_t*>d, <uint64_t>iv, n)
    elif t == ET_I32:
        lite_fill32(<uint32_t*>d, <uint32_t><int32_t>iv, n)
    elif t == ET_I16:
        for i in range(n):
            (<int16_t*>d)[i] = <int16_t>iv
    elif t == ET_I8:
        memset(d, <int8_t>iv, n)
    elif t == ET_I1:
        memset(d, iv & 1, n)


# The per-op loops, their copies per instruction set and the table of those
# are generated from the ISA table.
include "isa_kernels.pxi"
include "tile_isa.pxi"
include "smallfloat.pxi"


cdef enum:
    # How run_tile runs a step: its operands are decoded (a load, a store, a
    # bind, an arithmetic op with a kernel in its element type), or read
    # from the word (every other op, and ops on f16/bf16).
    STEP_LOAD
    STEP_STORE
    STEP_BIND
    STEP_KERNEL
    STEP_WORD
    # rd's slot for a source an op does not read: it stays NULL.
    NO_REG = TILE_REGS


ctypedef struct tile_step_t:
    uint32_t w          # the instruction
    int slot            # STEP_KERNEL: its kernel's slot in lite_tile_kernels
    int extra           # STEP_KERNEL: a compare's predicate
    uint8_t kind
    uint8_t d           # the register it writes (t.store: stores)
    uint8_t src[3]      # an arithmetic op: the registers it reads, NO_REG past its sources
    uint8_t b           # load, store, bind: the binding
    uint8_t size        # load, store, bind: the element's size in bytes


ctypedef struct kernel_t:
    const uint32_t* code
    const tile_step_t* steps    # code, decoded (decode_steps)
    int ncode
    int regs
    int nbind
    int first_output
    uint8_t bind_element[MAX_BINDINGS]
    uint8_t bind_role[MAX_BINDINGS]     # BIND_INPUT, BIND_OUTPUT or BIND_GATHERED
    int npush
    int64_t cost         # per element, in simple tile ops (TILE_COST): runs_inline's choice


ctypedef struct job_t:
    # Per-dispatch state: everything a worker needs to run any tile of it.
    const kernel_t* kernel
    int64_t count
    char* bind[MAX_BINDINGS]
    double push_f[MAX_PUSH]     # push slot p as a double (float slots)
    int64_t push_i[MAX_PUSH]    # push slot p as an int64 (int slots)
    lite_status* error    # first failure, set once by compare-and-swap
    # For dispatch.async: buffers kept alive until done, and the fence to settle.
    buffer_t* held[MAX_BINDINGS]
    int nheld
    fence_t* signal
    # --trace: the context's trace (NULL when not tracing) and this dispatch's id in it.
    trace_t* trace
    int64_t trace_id
    # The call's SIGINT count and deadline: its tiles stop when it must.
    run_t run


cdef extern from "lite_vm.h" nogil:
    int lite_cas_ptr(void** p, void* expected, void* desired)


cdef void job_fail(job_t* job, int code, const char* message) noexcept nogil:
    cdef lite_status* st = status_new(code, message)
    if not lite_cas_ptr(<void**>&job.error, NULL, st):
        status_free(st)


cdef enum:
    # The scratch of the last TILE_TEMPS tile registers holds f32 copies of
    # f16/bf16 operands; kernels never name those registers (verifier).
    HALF_TEMPS = TILE_REGS - TILE_TEMPS


cdef inline int half_arith(int op, int t, char* dst, const char* a, const char* b, const char* c, uint32_t w,
                           Py_ssize_t n, char* scratch) noexcept nogil:
    """tile_arith, with f16/bf16 computed in f32 and rounded once per op:
    operands widen into scratch, the f32 kernel runs, the result narrows."""
    cdef int src, err, i
    cdef int nsrc = TILE_SOURCES[op - FIRST_TILE_OP]
    cdef const char* ops[3]
    cdef float* tmp
    ops[0], ops[1], ops[2] = a, b, c
    if op == OP_T_CONVS or op == OP_T_CONVU:
        src = T_CONVS_src(w) if op == OP_T_CONVS else T_CONVU_src(w)
        if is_half(src):   # widen the source, then convert from f32
            tmp = <float*>(scratch + HALF_TEMPS * (TILE * 8))
            half_to_f32(src, tmp, ops[0], n)
            w = T_CONVS_with_src(w, ET_F32) if op == OP_T_CONVS else T_CONVU_with_src(w, ET_F32)
            ops[0] = <char*>tmp
            src = ET_F32
        if not is_half(t):
            return tile_arith(op, t, dst, ops[0], ops[1], ops[2], w, n)
        tmp = <float*>(scratch + (HALF_TEMPS + 1) * (TILE * 8))
        err = tile_arith(op, ET_F32, <char*>tmp, ops[0], ops[1], ops[2], w, n)
        if err == 0:
            f32_to_half(t, dst, tmp, n)
        return err
    if not is_half(t):
        return tile_arith(op, t, dst, ops[0], ops[1], ops[2], w, n)
    if op == OP_T_SELECT:   # a bit copy: as 16-bit integers
        return tile_arith(op, ET_I16, dst, ops[0], ops[1], ops[2], w, n)
    for i in range(nsrc):
        tmp = <float*>(scratch + (HALF_TEMPS + i) * (TILE * 8))
        half_to_f32(t, tmp, ops[i], n)
        ops[i] = <char*>tmp
    if TILE_RESULT_I1[op - FIRST_TILE_OP]:   # nothing to narrow
        return tile_arith(op, ET_F32, dst, ops[0], ops[1], ops[2], w, n)
    # The result goes to the third temp (fma: over its first operand's copy).
    tmp = <float*>(scratch + (HALF_TEMPS if op == OP_T_FMA else HALF_TEMPS + 2) * (TILE * 8))
    err = tile_arith(op, ET_F32, <char*>tmp, ops[0], ops[1], ops[2], w, n)
    if err == 0:
        f32_to_half(t, dst, tmp, n)
    return err


cdef void tile_fail(job_t* job, int op, int err) noexcept nogil:
    """Fail a job for tile op `op`'s error code (isa.TILE_ERRORS)."""
    cdef char msg[160]
    if err == -1:
        snprintf(msg, 160, b"'%s' has no kernel for this element type in this VM",
                 TILE_OP_NAMES[op - FIRST_TILE_OP])
        job_fail(job, STATUS_UNIMPLEMENTED, msg)
    else:
        snprintf(msg, 160, b"'%s.%s': %s", TILE_ERROR_DIALECT[-err], TILE_OP_NAMES[op - FIRST_TILE_OP],
                 TILE_ERROR_TEXT[-err])
        job_fail(job, TILE_ERROR_STATUS[-err], msg)


cdef void decode_steps(const uint32_t* code, int ncode, tile_step_t* steps) noexcept nogil:
    """Decode a kernel's verified tile words into the steps run_tile runs."""
    cdef int pc, i, op, t, nsrc, src
    cdef uint32_t w
    cdef tile_step_t* s
    for pc in range(ncode):
        w = code[pc]
        s = &steps[pc]
        op = opcode_of(w)
        t = tile_type(w)
        s.w = w
        s.d = tile_d(w)
        s.slot = tile_kernel_slot(op, t, w)
        s.extra = tile_kernel_extra(op, w)
        nsrc = TILE_SOURCES[op - FIRST_TILE_OP] if s.slot >= 0 else 0   # an arithmetic op's are its fields after d
        for i in range(3):
            s.src[i] = tile_source(w, i) if i < nsrc else NO_REG
        if op == OP_T_LOAD or op == OP_T_STORE or op == OP_T_BIND:
            s.kind = STEP_LOAD if op == OP_T_LOAD else STEP_STORE if op == OP_T_STORE else STEP_BIND
            s.b = T_LOAD_b(w) if op == OP_T_LOAD else T_STORE_b(w) if op == OP_T_STORE else T_BIND_b(w)
            s.size = ELEMENT_SIZE[t]
            continue
        # The type it reads: f16/bf16 computes in f32 (half_arith).
        src = T_CONVS_src(w) if op == OP_T_CONVS else T_CONVU_src(w) if op == OP_T_CONVU else t
        # A kernel is in every instruction set's row or in none (_kernel_table).
        if (op == OP_T_BITCAST or is_half(t) or is_half(src) or s.slot < 0
                or lite_tile_kernels[LITE_ISA_SSE2][s.slot] == NULL):
            s.kind = STEP_WORD
            continue
        s.kind = STEP_KERNEL


cdef int run_word(job_t* job, const tile_step_t* s, char* dst, const char** rd, int64_t start, Py_ssize_t n,
                  char* scratch) noexcept nogil:
    """Run a STEP_WORD instruction into dst: 0, or its error code (tile_fail)."""
    cdef uint32_t w = s.w
    cdef int op = opcode_of(w)
    cdef int t = tile_type(w)
    cdef int b
    if op == OP_T_SPLAT:
        splat(t, dst, job.push_f[T_SPLAT_p(w)], job.push_i[T_SPLAT_p(w)], n)
    elif op == OP_T_BITCAST:
        memcpy(dst, rd[s.src[0]], n * ELEMENT_SIZE[t])
    elif op == OP_T_LINDEX:
        if k_lindex(<int64_t*>dst, job.push_i[T_LINDEX_a(w)], job.push_i[T_LINDEX_b(w)], start, n):
            return TILE_BAD_COORDINATE
    elif op == OP_T_SPREAD:
        b = T_SPREAD_b(w)
        return k_spread(ELEMENT_SIZE[t], dst, job.bind[b], job.held[b].count, job.push_i[T_SPREAD_a(w)],
                        job.push_i[T_SPREAD_c(w)], start, n)
    elif op == OP_T_FDECODE:
        small_decode(T_FDECODE_fmt(w), <float*>dst, <const uint8_t*>rd[T_FDECODE_a(w)], n)
    elif op == OP_T_FENCODE:
        small_encode(T_FENCODE_fmt(w), <uint8_t*>dst, <const float*>rd[T_FENCODE_a(w)], n)
    elif op == OP_T_GATHER:
        b = T_GATHER_b(w)
        if k_gather(ELEMENT_SIZE[t], dst, job.bind[b], job.held[b].count, <const int64_t*>rd[T_GATHER_a(w)], n):
            return TILE_GATHER_OUT_OF_RANGE
    else:
        return half_arith(op, t, dst, rd[s.src[0]], rd[s.src[1]], rd[s.src[2]], w, n, scratch)
    return 0


cdef void run_tile(job_t* job, int64_t start, Py_ssize_t n, char* scratch) noexcept nogil:
    """Run the whole kernel over elements [start, start + n), n <= TILE."""
    cdef const kernel_t* k = job.kernel
    cdef const tile_step_t* s
    cdef const tile_kernel_fn* kernels = lite_tile_kernels[lite_isa()]
    cdef const char* rd[TILE_REGS + 1]
    cdef char* bound = NULL      # where the next write of register `bound_reg` goes
    cdef int bound_reg = -1
    cdef int pc, err
    cdef char* dst
    rd[NO_REG] = NULL
    for pc in range(k.ncode):
        s = &k.steps[pc]
        if s.kind == STEP_LOAD:
            rd[s.d] = job.bind[s.b] + start * s.size
        elif s.kind == STEP_STORE:
            memcpy(job.bind[s.b] + start * s.size, rd[s.d], n * s.size)
        elif s.kind == STEP_BIND:
            bound = job.bind[s.b] + start * s.size
            bound_reg = s.d
        else:
            if s.d == bound_reg:
                dst = bound
                bound_reg = -1
            else:
                dst = scratch + s.d * (TILE * 8)
            if s.kind == STEP_KERNEL:
                err = kernels[s.slot](dst, rd[s.src[0]], rd[s.src[1]], rd[s.src[2]], s.extra, n)
            else:
                err = run_word(job, s, dst, rd, start, n, scratch)
            if err != 0:
                tile_fail(job, opcode_of(s.w), err)
                return
            rd[s.d] = dst


cdef char* job_scratch(job_t* job) noexcept nogil:
    """This thread's tile scratch for running the job's tiles, or NULL with
    the job failed."""
    cdef char* scratch = lite_scratch(SCRATCH_BYTES)
    if scratch == NULL:
        job_fail(job, STATUS_RESOURCE_EXHAUSTED, b"out of memory for tile scratch")
    return scratch


cdef void run_tiles(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil:
    """range_fn for the pool: tiles [begin, end) of a job."""
    cdef job_t* job = <job_t*>arg
    cdef char* scratch = job_scratch(job)
    cdef int64_t tile, start, tile_end
    cdef int64_t t0 = now_ns() if job.trace != NULL else 0
    if scratch == NULL:
        return
    cdef int stop
    for tile in range(begin, end):
        if job.error != NULL:
            break
        stop = run_stop_code(&job.run)
        if stop != 0:
            job_fail(job, stop, stop_message(stop))
            break
        start = tile * TILE
        tile_end = min(start + TILE, job.count)
        while start < tile_end:
            run_tile(job, start, min(RUN_ELEMENTS, tile_end - start), scratch)
            start += RUN_ELEMENTS
    if job.trace != NULL:
        trace_record(job.trace, TRACE_TILES, t0, now_ns(), begin * TILE, min(job.count, end * TILE), 0,
                     job.trace_id)
