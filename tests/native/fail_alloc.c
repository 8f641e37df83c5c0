/* An LD_PRELOAD library for tests/test_alloc_failures.py: it fails one
   chosen allocation made by the native VM's own code (_vm*.so), so that a
   test can fail each allocation of a call in turn. Allocations by Python,
   numpy or libc itself go through untouched.

   lite_fail_alloc_at(k): the k-th allocation by the VM from now fails (0
   disarms); lite_fail_alloc_fired(): whether it has. A process started
   with LITE_FAIL_ALLOC_AT=k is armed from its start (a tool's run). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void* __libc_memalign(size_t, size_t);

static long countdown;   /* allocations by the VM until the one that fails; 0: none */
static int fired;
static __thread int looking;   /* dladdr may allocate: its allocations are not the VM's */

void lite_fail_alloc_at(long k) {
    __atomic_store_n(&fired, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&countdown, k, __ATOMIC_SEQ_CST);
}

__attribute__((constructor)) static void armed_from_the_start(void) {
    const char* k = getenv("LITE_FAIL_ALLOC_AT");
    if (k != NULL)
        lite_fail_alloc_at(atol(k));
}

int lite_fail_alloc_fired(void) { return __atomic_load_n(&fired, __ATOMIC_SEQ_CST); }

static int by_the_vm(const void* caller) {
    Dl_info info;
    int vm;
    looking = 1;
    vm = dladdr(caller, &info) && info.dli_fname != NULL && strstr(info.dli_fname, "/_vm.") != NULL;
    looking = 0;
    return vm;
}

static int fails(const void* caller) {
    if (looking || __atomic_load_n(&countdown, __ATOMIC_SEQ_CST) <= 0 || !by_the_vm(caller))
        return 0;
    if (__atomic_sub_fetch(&countdown, 1, __ATOMIC_SEQ_CST) != 0)
        return 0;
    __atomic_store_n(&fired, 1, __ATOMIC_SEQ_CST);
    return 1;
}

void* malloc(size_t n) { return fails(__builtin_return_address(0)) ? NULL : __libc_malloc(n); }

void* calloc(size_t count, size_t n) { return fails(__builtin_return_address(0)) ? NULL : __libc_calloc(count, n); }

void* realloc(void* p, size_t n) { return fails(__builtin_return_address(0)) ? NULL : __libc_realloc(p, n); }

void* aligned_alloc(size_t alignment, size_t n) {
    return fails(__builtin_return_address(0)) ? NULL : __libc_memalign(alignment, n);
}

int posix_memalign(void** out, size_t alignment, size_t n) {
    void* p;
    if (fails(__builtin_return_address(0)))
        return ENOMEM;
    p = __libc_memalign(alignment, n);
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}
