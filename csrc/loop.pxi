# The VM loop: runs verified host bytecode without checks and without the GIL.
#
# Operands are read by the generated accessors of csrc/isa_opcodes.pxi
# (`BUFFER_VIEW_layout(ip)`, from iree_lite/isa/encoding.py, the layout the
# verifier decodes with every bound checked). Only facts the verifier cannot
# know are checked here: what a reference register holds, buffer sizes handed
# in by callers, and fences. Each arm is a few lines; the buffer ops live in
# buffer_ops.pxi, the check ops in check_ops.pxi, dispatches and fences in
# dispatch.pxi. Calls push frames on
# an explicit stack of MAX_CALL_DEPTH + 1, not on the C stack.
# The reference interpreter's twin of this file: iree_lite/vm/interp.py.

cdef struct module_t

ctypedef struct import_t:
    module_t* module
    int function

ctypedef struct constant_t:
    int kind
    int element
    int rank
    int64_t shape[MAX_RANK]
    int64_t ival
    double fval
    buffer_t* buffer        # CONST_DATA: read-only view into the module's data

ctypedef struct function_t:
    const uint32_t* code
    int ncode
    int nregs[3]            # int, float, ref
    int nargs[3]            # arguments and results by bank, as the signature has them
    int nresults[3]

cdef struct module_t:
    function_t* functions
    kernel_t* kernels
    constant_t* constants
    import_t* imports
    int nconstants
    uint32_t* code
    tile_step_t* steps      # the kernels' code decoded, kernel after kernel
    # Globals, indexed by global ordinal (each uses the array of its bank).
    int64_t* gi
    double* gf
    ref_t* gr
    int nglobals

ctypedef struct ctx_t:
    pool_t* pool            # NULL for local-sync: all work runs on the caller
    int64_t inline_elements # dispatches this small run on the submitting thread
    long long dispatches    # statistics (atomic): dispatch and dispatch.async executed
    long long fence_waits   # statistics (atomic): blocking fence waits in the VM
    long long epilogues_in_cache   # statistics (atomic): epilogues run on output rows as they were done
    long long windows_packed_once  # statistics (atomic): convolutions whose filter chunks shared one packing
    trace_t* trace          # --trace: where calls, dispatches, tiles and waits are recorded; or NULL
    void* debug_sink        # debug.trace's Python callable (debug_trace), or NULL



ctypedef struct frame_t:
    module_t* m
    function_t* fn
    int fi                  # fn's ordinal in m (traces)
    int64_t t0              # when the call began (traces)
    int64_t* I              # registers by bank; one allocation, at I
    double* F
    ref_t* R
    const uint32_t* ip      # while a callee runs: where this frame resumes
    const uint32_t* dst     # while a callee runs: the call's dst_i list (dst_f, dst_r follow)


include "buffer_ops.pxi"
include "element_access.pxi"
include "check_ops.pxi"
include "dispatch.pxi"


# -- calls and returns ------------------------------------------------------

cdef lite_status* frame_enter(ctx_t* ctx, frame_t* fr, module_t* m, int fi) noexcept nogil:
    """fr = a new frame for function fi of m, its registers zeroed (null
    references), about to run its first instruction."""
    cdef function_t* fn = &m.functions[fi]
    cdef int64_t t0 = now_ns() if ctx.trace != NULL else 0
    cdef char* regs = <char*>calloc(1, fn.nregs[0] * 8 + fn.nregs[1] * 8 + fn.nregs[2] * sizeof(ref_t) + 8)
    if regs == NULL:
        return status_new(STATUS_RESOURCE_EXHAUSTED, b"out of memory for a call frame")
    fr.m = m
    fr.fn = fn
    fr.fi = fi
    fr.t0 = t0
    fr.I = <int64_t*>regs
    fr.F = <double*>(regs + fn.nregs[0] * 8)
    fr.R = <ref_t*>(regs + fn.nregs[0] * 8 + fn.nregs[1] * 8)
    fr.ip = fn.code
    return NULL


cdef void frame_leave(ctx_t* ctx, frame_t* fr) noexcept nogil:
    """Release fr's references and registers; traced, the call's span."""
    cdef int i
    for i in range(fr.fn.nregs[2]):
        ref_release(fr.R[i])
    free(fr.I)
    if ctx.trace != NULL:
        trace_record(ctx.trace, TRACE_CALL, fr.t0, now_ns(), <int64_t><size_t>fr.m, fr.fi, 0, 0)


cdef lite_status* push_call(ctx_t* ctx, frame_t* frames, int* depth, const uint32_t* ip) noexcept nogil:
    """call / call.import at ip: the callee's frame on top of the stack, the
    argument lists copied into its first registers of each bank."""
    cdef frame_t* caller = &frames[depth[0]]
    cdef module_t* m = caller.m
    cdef const uint32_t* args
    cdef int i, fi
    cdef char msg[64]
    cdef lite_status* st
    if opcode_of(ip[0]) == OP_CALL:
        fi = CALL_callee(ip)
        args = CALL_args_i(ip)
        caller.dst = CALL_dst_i(ip)
        caller.ip = CALL_next(ip)
    else:
        fi = m.imports[CALL_IMPORT_callee(ip)].function
        m = m.imports[CALL_IMPORT_callee(ip)].module
        args = CALL_IMPORT_args_i(ip)
        caller.dst = CALL_IMPORT_dst_i(ip)
        caller.ip = CALL_IMPORT_next(ip)
    if depth[0] == MAX_CALL_DEPTH:
        snprintf(msg, 64, b"call depth exceeds %d", <int>MAX_CALL_DEPTH)
        return status_new(STATUS_RESOURCE_EXHAUSTED, msg)
    st = frame_enter(ctx, &frames[depth[0] + 1], m, fi)
    if st != NULL:
        return st
    depth[0] += 1
    for i in range(<int>args[0]):
        frames[depth[0]].I[i] = caller.I[list_reg(args, i)]
    args = list_end(args)
    for i in range(<int>args[0]):
        frames[depth[0]].F[i] = caller.F[list_reg(args, i)]
    args = list_end(args)
    for i in range(<int>args[0]):
        ref_set(&frames[depth[0]].R[i], caller.R[list_reg(args, i)])
    return NULL


cdef void return_to_caller(const frame_t* callee, const uint32_t* ip, frame_t* caller) noexcept nogil:
    """ret at ip of a nested call: the result lists into the caller's dst
    lists, references retained."""
    cdef const uint32_t* res = RET_args_i(ip)
    cdef const uint32_t* dst = caller.dst
    cdef ref_t r
    cdef int i
    for i in range(<int>res[0]):
        caller.I[list_reg(dst, i)] = callee.I[list_reg(res, i)]
    res = list_end(res)
    dst = list_end(dst)
    for i in range(<int>res[0]):
        caller.F[list_reg(dst, i)] = callee.F[list_reg(res, i)]
    res = list_end(res)
    dst = list_end(dst)
    for i in range(<int>res[0]):
        r = callee.R[list_reg(res, i)]
        ref_retain(r)
        ref_move(&caller.R[list_reg(dst, i)], r.kind, r.ptr)


cdef void return_results(const frame_t* fr, const uint32_t* ip, int64_t* ires, double* fres,
                         ref_t* rres) noexcept nogil:
    """ret at ip of the outermost call: the result lists into ires, fres and
    rres, references retained."""
    cdef const uint32_t* res = RET_args_i(ip)
    cdef int i
    for i in range(<int>res[0]):
        ires[i] = fr.I[list_reg(res, i)]
    res = list_end(res)
    for i in range(<int>res[0]):
        fres[i] = fr.F[list_reg(res, i)]
    res = list_end(res)
    for i in range(<int>res[0]):
        rres[i] = fr.R[list_reg(res, i)]
        ref_retain(rres[i])


cdef inline lite_status* jump(const run_t* run, int* polls, const uint32_t** ip,
                              const uint32_t* target) noexcept nogil:
    """A taken branch; a backward one (every loop takes one) polls for a stop."""
    cdef lite_status* st = NULL
    if target <= ip[0]:
        st = run_poll(run, polls)
    ip[0] = target
    return st


cdef lite_status* vm_invoke(ctx_t* ctx, const run_t* run, module_t* m, int fi, const int64_t* iargs, int ni,
                            const double* fargs, int nf, const ref_t* rargs, int nr,
                            int64_t* ires, double* fres, ref_t* rres) noexcept nogil:
    """Call function fi of m. Arguments are borrowed; reference results are
    returned owned (retained) in rres."""
    cdef frame_t frames[MAX_CALL_DEPTH + 1]
    cdef int depth = 0
    cdef int i
    cdef lite_status* st = frame_enter(ctx, &frames[0], m, fi)
    if st != NULL:
        return st
    memcpy(frames[0].I, iargs, ni * 8)
    memcpy(frames[0].F, fargs, nf * 8)
    for i in range(nr):
        ref_set(&frames[0].R[i], rargs[i])
    st = vm_loop(ctx, run, frames, &depth, ires, fres, rres)
    while depth >= 0:   # the outermost frame; all those still open when the call failed
        frame_leave(ctx, &frames[depth])
        depth -= 1
    return st


cdef lite_status* vm_loop(ctx_t* ctx, const run_t* run, frame_t* frames, int* depth,
                          int64_t* ires, double* fres, ref_t* rres) noexcept nogil:
    """Run frames[depth] on until the outermost frame returns (NULL, its
    results in ires, fres and rres) or an instruction fails (its status).
    The frames open when it returns are left for the caller to release."""
    cdef frame_t* fr = &frames[depth[0]]
    cdef module_t* m = fr.m
    cdef const uint32_t* ip = fr.ip
    cdef lite_status* st = NULL
    cdef int op
    cdef int polls = 0      # backward branches since the clock was read
    while True:
        op = opcode_of(ip[0])
        if op == OP_RET:
            if depth[0] == 0:
                return_results(fr, ip, ires, fres, rres)
                return NULL
            return_to_caller(fr, ip, &frames[depth[0] - 1])
            frame_leave(ctx, fr)
            depth[0] -= 1
            fr = &frames[depth[0]]
            m = fr.m
            ip = fr.ip
        elif op == OP_CALL or op == OP_CALL_IMPORT:
            st = push_call(ctx, frames, depth, ip)
            fr = &frames[depth[0]]
            m = fr.m
            ip = fr.ip
        elif op == OP_CONST_I:
            fr.I[CONST_I_dst(ip)] = m.constants[CONST_I_value(ip)].ival
            ip = CONST_I_next(ip)
        elif op == OP_CONST_F:
            fr.F[CONST_F_dst(ip)] = m.constants[CONST_F_value(ip)].fval
            ip = CONST_F_next(ip)
        elif op == OP_GLOBAL_LOAD_I:
            fr.I[GLOBAL_LOAD_I_dst(ip)] = m.gi[GLOBAL_LOAD_I_global(ip)]
            ip = GLOBAL_LOAD_I_next(ip)
        elif op == OP_GLOBAL_LOAD_F:
            fr.F[GLOBAL_LOAD_F_dst(ip)] = m.gf[GLOBAL_LOAD_F_global(ip)]
            ip = GLOBAL_LOAD_F_next(ip)
        elif op == OP_GLOBAL_LOAD_R:
            ref_set(&fr.R[GLOBAL_LOAD_R_dst(ip)], m.gr[GLOBAL_LOAD_R_global(ip)])
            ip = GLOBAL_LOAD_R_next(ip)
        elif op == OP_GLOBAL_STORE_I:
            m.gi[GLOBAL_STORE_I_global(ip)] = fr.I[GLOBAL_STORE_I_src(ip)]
            ip = GLOBAL_STORE_I_next(ip)
        elif op == OP_GLOBAL_STORE_F:
            m.gf[GLOBAL_STORE_F_global(ip)] = fr.F[GLOBAL_STORE_F_src(ip)]
            ip = GLOBAL_STORE_F_next(ip)
        elif op == OP_GLOBAL_STORE_R:
            ref_set(&m.gr[GLOBAL_STORE_R_global(ip)], fr.R[GLOBAL_STORE_R_src(ip)])
            ip = GLOBAL_STORE_R_next(ip)
        elif op == OP_MOV_I:
            fr.I[MOV_I_dst(ip)] = fr.I[MOV_I_src(ip)]
            ip = MOV_I_next(ip)
        elif op == OP_MOV_F:
            fr.F[MOV_F_dst(ip)] = fr.F[MOV_F_src(ip)]
            ip = MOV_F_next(ip)
        elif op == OP_MOV_R:
            ref_set(&fr.R[MOV_R_dst(ip)], fr.R[MOV_R_src(ip)])
            ip = MOV_R_next(ip)
        elif op == OP_BR:
            st = jump(run, &polls, &ip, fr.fn.code + BR_target(ip))
        elif op == OP_BR_IF:
            if fr.I[BR_IF_cond(ip)] != 0:
                st = jump(run, &polls, &ip, fr.fn.code + BR_IF_target(ip))
            else:
                ip = BR_IF_next(ip)
        elif op == OP_REF_NULL:
            ref_move(&fr.R[REF_NULL_dst(ip)], REF_NULL, NULL)
            ip = REF_NULL_next(ip)
        elif op == OP_BUFFER_ALLOC:
            st = op_buffer_alloc(fr, ip)
            ip = BUFFER_ALLOC_next(ip)
        elif op == OP_BUFFER_ALLOC_DYN:
            st = op_buffer_alloc_dyn(fr, ip)
            ip = BUFFER_ALLOC_DYN_next(ip)
        elif op == OP_BUFFER_DIM:
            st = op_buffer_dim(fr, ip)
            ip = BUFFER_DIM_next(ip)
        elif op == OP_BUFFER_MATCH:
            st = op_buffer_match(fr, ip)
            ip = BUFFER_MATCH_next(ip)
        elif op == OP_BUFFER_CAST:
            st = op_buffer_cast(fr, ip)
            ip = BUFFER_CAST_next(ip)
        elif op == OP_BUFFER_CONST:
            op_buffer_const(fr, ip)
            ip = BUFFER_CONST_next(ip)
        elif op == OP_BUFFER_LOAD_I:
            st = element_access(fr, op, BUFFER_LOAD_I_dst(ip), BUFFER_LOAD_I_src(ip), BUFFER_LOAD_I_index_i(ip))
            ip = BUFFER_LOAD_I_next(ip)
        elif op == OP_BUFFER_LOAD_F:
            st = element_access(fr, op, BUFFER_LOAD_F_dst(ip), BUFFER_LOAD_F_src(ip), BUFFER_LOAD_F_index_i(ip))
            ip = BUFFER_LOAD_F_next(ip)
        elif op == OP_BUFFER_STORE_I:
            st = element_access(fr, op, BUFFER_STORE_I_value(ip), BUFFER_STORE_I_dst(ip), BUFFER_STORE_I_index_i(ip))
            ip = BUFFER_STORE_I_next(ip)
        elif op == OP_BUFFER_STORE_F:
            st = element_access(fr, op, BUFFER_STORE_F_value(ip), BUFFER_STORE_F_dst(ip), BUFFER_STORE_F_index_i(ip))
            ip = BUFFER_STORE_F_next(ip)
        elif op == OP_BUFFER_CLONE:
            st = op_buffer_clone(fr, ip)
            ip = BUFFER_CLONE_next(ip)
        elif op == OP_BUFFER_VIEW:
            st = op_buffer_view(fr, ip)
            ip = BUFFER_VIEW_next(ip)
        elif op == OP_BUFFER_REDUCE:
            st = run_reduce(ctx, run, fr.R[BUFFER_REDUCE_acc(ip)], fr.R[BUFFER_REDUCE_src(ip)],
                            <int>m.constants[BUFFER_REDUCE_combiner(ip)].ival)
            ip = BUFFER_REDUCE_next(ip)
        elif op == OP_BUFFER_MATMUL:
            st = run_matmul(ctx, run, fr.R[BUFFER_MATMUL_acc(ip)], fr.R[BUFFER_MATMUL_lhs(ip)],
                            fr.R[BUFFER_MATMUL_rhs(ip)], False, NULL)
            ip = BUFFER_MATMUL_next(ip)
        elif op == OP_BUFFER_MATMUL_FRESH:
            st = run_matmul(ctx, run, fr.R[BUFFER_MATMUL_FRESH_acc(ip)], fr.R[BUFFER_MATMUL_FRESH_lhs(ip)],
                            fr.R[BUFFER_MATMUL_FRESH_rhs(ip)], True, NULL)
            ip = BUFFER_MATMUL_FRESH_next(ip)
        elif op == OP_BUFFER_MATMUL_FRESH_DISPATCH:
            st = run_with_epilogue(ctx, run, fr, EPILOGUE_OF_MATMUL, fr.R[BUFFER_MATMUL_FRESH_DISPATCH_acc(ip)],
                                   fr.R[BUFFER_MATMUL_FRESH_DISPATCH_lhs(ip)], fr.R[BUFFER_MATMUL_FRESH_DISPATCH_rhs(ip)],
                                   NULL, &fr.m.kernels[BUFFER_MATMUL_FRESH_DISPATCH_kernel(ip)],
                                   BUFFER_MATMUL_FRESH_DISPATCH_bind_r(ip))
            ip = BUFFER_MATMUL_FRESH_DISPATCH_next(ip)
        elif op == OP_BUFFER_MATMUL_STRIDED:
            st = run_matmul_strided(ctx, run, fr.R[BUFFER_MATMUL_STRIDED_acc(ip)], fr.R[BUFFER_MATMUL_STRIDED_lhs(ip)],
                                    fr.R[BUFFER_MATMUL_STRIDED_rhs(ip)],
                                    <const int64_t*>m.constants[BUFFER_MATMUL_STRIDED_layout(ip)].buffer.data, NULL)
            ip = BUFFER_MATMUL_STRIDED_next(ip)
        elif op == OP_BUFFER_MATMUL_STRIDED_DISPATCH:
            st = run_with_epilogue(ctx, run, fr, EPILOGUE_OF_STRIDED_MATMUL,
                                   fr.R[BUFFER_MATMUL_STRIDED_DISPATCH_acc(ip)],
                                   fr.R[BUFFER_MATMUL_STRIDED_DISPATCH_lhs(ip)],
                                   fr.R[BUFFER_MATMUL_STRIDED_DISPATCH_rhs(ip)],
                                   <const int64_t*>m.constants[BUFFER_MATMUL_STRIDED_DISPATCH_layout(ip)].buffer.data,
                                   &fr.m.kernels[BUFFER_MATMUL_STRIDED_DISPATCH_kernel(ip)],
                                   BUFFER_MATMUL_STRIDED_DISPATCH_bind_r(ip))
            ip = BUFFER_MATMUL_STRIDED_DISPATCH_next(ip)
        elif op == OP_BUFFER_SOFTMAX:
            st = run_rows(ctx, run, fr.R[BUFFER_SOFTMAX_src(ip)], &fr.R[BUFFER_SOFTMAX_dst(ip)], &ROW_SOFTMAX, 0)
            ip = BUFFER_SOFTMAX_next(ip)
        elif op == OP_BUFFER_LAYERNORM:
            st = run_rows(ctx, run, fr.R[BUFFER_LAYERNORM_src(ip)], &fr.R[BUFFER_LAYERNORM_dst(ip)], &ROW_LAYERNORM,
                          <float>fr.F[BUFFER_LAYERNORM_eps(ip)])
            ip = BUFFER_LAYERNORM_next(ip)
        elif op == OP_BUFFER_CONV2D:
            st = run_conv2d(ctx, run, fr.R[BUFFER_CONV2D_acc(ip)], fr.R[BUFFER_CONV2D_input(ip)],
                            fr.R[BUFFER_CONV2D_filter(ip)],
                            <const int64_t*>m.constants[BUFFER_CONV2D_window(ip)].buffer.data, NULL)
            ip = BUFFER_CONV2D_next(ip)
        elif op == OP_BUFFER_POOL2D:
            st = run_pool2d(ctx, run, fr.R[BUFFER_POOL2D_acc(ip)], fr.R[BUFFER_POOL2D_input(ip)],
                            <const int64_t*>m.constants[BUFFER_POOL2D_window(ip)].buffer.data,
                            <int>m.constants[BUFFER_POOL2D_combiner(ip)].ival)
            ip = BUFFER_POOL2D_next(ip)
        elif op == OP_BUFFER_PART:
            st = op_buffer_part(fr, ip)
            ip = BUFFER_PART_next(ip)
        elif op == OP_BUFFER_CONV2D_DISPATCH:
            st = op_conv2d_dispatch(ctx, run, fr, ip)
            ip = BUFFER_CONV2D_DISPATCH_next(ip)
        elif op == OP_BUFFER_EXPAND:
            st = op_buffer_expand(fr, ip)
            ip = BUFFER_EXPAND_next(ip)
        elif op == OP_BUFFER_SLICE:
            st = op_buffer_slice(fr, ip)
            ip = BUFFER_SLICE_next(ip)
        elif op == OP_BUFFER_INSERT:
            st = op_buffer_insert(fr, ip)
            ip = BUFFER_INSERT_next(ip)
        elif op == OP_BUFFER_SCATTER:
            st = scatter(fr.R[BUFFER_SCATTER_acc(ip)], fr.R[BUFFER_SCATTER_src(ip)],
                         &m.constants[BUFFER_SCATTER_strides(ip)])
            ip = BUFFER_SCATTER_next(ip)
        elif op == OP_BUFFER_CHECK:
            st = check_layout(fr.R[BUFFER_CHECK_src(ip)], &m.constants[BUFFER_CHECK_layout(ip)])
            ip = BUFFER_CHECK_next(ip)
        elif op == OP_DISPATCH:
            st = op_dispatch(ctx, run, fr, ip)
            ip = DISPATCH_next(ip)
        elif op == OP_DISPATCH_ASYNC:
            st = op_dispatch_async(ctx, run, fr, ip)
            ip = DISPATCH_ASYNC_next(ip)
        elif op == OP_EVAL:
            st = run_eval(&m.kernels[EVAL_kernel(ip)], EVAL_push_f(ip), fr.F, fr.I)
            ip = EVAL_next(ip)
        elif op == OP_FENCE_CREATE:
            st = op_fence_create(fr, ip)
            ip = FENCE_CREATE_next(ip)
        elif op == OP_FENCE_AWAIT:
            st = op_fence_await(ctx, run, fr, ip)
            ip = FENCE_AWAIT_next(ip)
        elif op == OP_FENCE_FORWARD:
            st = op_fence_forward(ctx, fr, ip)
            ip = FENCE_FORWARD_next(ip)
        elif op == OP_CHECK_TRUE:
            st = check_truth(fr.I[CHECK_TRUE_cond(ip)], True, &m.constants[CHECK_TRUE_where(ip)])
            ip = CHECK_TRUE_next(ip)
        elif op == OP_CHECK_FALSE:
            st = check_truth(fr.I[CHECK_FALSE_cond(ip)], False, &m.constants[CHECK_FALSE_where(ip)])
            ip = CHECK_FALSE_next(ip)
        elif op == OP_CF_ASSERT:
            if fr.I[CF_ASSERT_cond(ip)] == 0:
                st = assert_failed(&m.constants[CF_ASSERT_where(ip)], &m.constants[CF_ASSERT_message(ip)])
            ip = CF_ASSERT_next(ip)
        elif op == OP_DEBUG_TRACE:
            st = debug_trace(ctx, &m.constants[DEBUG_TRACE_key(ip)], DEBUG_TRACE_view_r(ip), fr.R)
            ip = DEBUG_TRACE_next(ip)
        elif op == OP_CHECK_EQ:
            st = check_values(fr.R[CHECK_EQ_actual(ip)], fr.R[CHECK_EQ_expected(ip)], 0, 0, 0,
                              &m.constants[CHECK_EQ_where(ip)])
            ip = CHECK_EQ_next(ip)
        elif op == OP_CHECK_ALMOST_EQ:
            st = check_values(fr.R[CHECK_ALMOST_EQ_actual(ip)], fr.R[CHECK_ALMOST_EQ_expected(ip)], 1,
                              m.constants[CHECK_ALMOST_EQ_atol(ip)].fval, m.constants[CHECK_ALMOST_EQ_rtol(ip)].fval,
                              &m.constants[CHECK_ALMOST_EQ_where(ip)])
            ip = CHECK_ALMOST_EQ_next(ip)
        else:
            return status_new(STATUS_INTERNAL, b"unverified bytecode reached the VM loop")
        if st != NULL:
            return st
