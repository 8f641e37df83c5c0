/* Small C helpers for the VM that Cython cannot express directly. */
#ifndef LITE_VM_H
#define LITE_VM_H
#include <pthread.h>
#include <stdlib.h>

static inline int atomic_inc(int* p) { return __atomic_add_fetch(p, 1, __ATOMIC_ACQ_REL); }
static inline int atomic_dec(int* p) { return __atomic_sub_fetch(p, 1, __ATOMIC_ACQ_REL); }
static inline int atomic_cas_int(int* p, int expected, int desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
static inline int lite_cas_ptr(void** p, void* expected, void* desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
static inline long long atomic_fetch_add64(long long* p, long long v) {
    return __atomic_fetch_add(p, v, __ATOMIC_ACQ_REL);
}
static inline long long atomic_add_fetch64(long long* p, long long v) {
    return __atomic_add_fetch(p, v, __ATOMIC_ACQ_REL);
}

/* Per-thread tile scratch: every thread that runs tiles (workers and callers
   alike) gets its own, so concurrent calls never share registers. Freed when
   the thread exits. Every caller asks for the same size. */
static pthread_key_t lite_scratch_key;
static pthread_once_t lite_scratch_once = PTHREAD_ONCE_INIT;
static void lite_scratch_make_key(void) { pthread_key_create(&lite_scratch_key, free); }

static inline char* lite_scratch(size_t bytes) {
    pthread_once(&lite_scratch_once, lite_scratch_make_key);
    char* p = (char*)pthread_getspecific(lite_scratch_key);
    if (!p) {
        p = (char*)aligned_alloc(64, bytes);
        pthread_setspecific(lite_scratch_key, p);
    }
    return p;
}
#endif
