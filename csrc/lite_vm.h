/* Small C helpers for the VM that Cython cannot express directly. */
#ifndef LITE_VM_H
#define LITE_VM_H
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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

/* Allocator statistics (--print_statistics): process-wide, like malloc's own. */
static long long lite_alloc_count, lite_alloc_bytes, lite_live_bytes, lite_peak_bytes;
static inline void lite_note_alloc(long long bytes) {
    __atomic_add_fetch(&lite_alloc_count, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&lite_alloc_bytes, bytes, __ATOMIC_RELAXED);
    long long live = __atomic_add_fetch(&lite_live_bytes, bytes, __ATOMIC_RELAXED);
    long long peak = __atomic_load_n(&lite_peak_bytes, __ATOMIC_RELAXED);
    while (live > peak && !__atomic_compare_exchange_n(&lite_peak_bytes, &peak, live, 1,
                                                       __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
}
static inline void lite_note_free(long long bytes) { __atomic_sub_fetch(&lite_live_bytes, bytes, __ATOMIC_RELAXED); }

/* Free lists of the VM's objects (buffer headers, buffer storage, fences):
   a call reuses what the previous one released without asking malloc, and
   without page faults for storage it has touched before. Process-wide,
   like malloc's own caches; each keeps at most LITE_POOL_SLOTS blocks and
   LITE_POOL_BYTES bytes. A block is taken for a need of at most its size
   and more than half of it. Blocks are kept oldest first: a full storage
   pool frees its oldest to keep a new one, so blocks of sizes that are no
   longer asked for (an earlier model's) cannot fill it for good. */
#define LITE_POOL_SLOTS 64
#define LITE_POOL_BYTES (64LL << 20)
typedef struct {
    pthread_mutex_t lock;
    int count;
    long long bytes, hits, misses;
    void* block[LITE_POOL_SLOTS];
    size_t size[LITE_POOL_SLOTS];
} lite_pool;
static lite_pool lite_header_pool = {PTHREAD_MUTEX_INITIALIZER}, lite_storage_pool = {PTHREAD_MUTEX_INITIALIZER},
                 lite_fence_pool = {PTHREAD_MUTEX_INITIALIZER};

/* fork() holds every pool's lock across the fork, so a child never
   inherits one that another thread held mid-update. */
static pthread_once_t lite_pools_once = PTHREAD_ONCE_INIT;
static void lite_pools_lock(void) {
    pthread_mutex_lock(&lite_header_pool.lock);
    pthread_mutex_lock(&lite_storage_pool.lock);
    pthread_mutex_lock(&lite_fence_pool.lock);
}
static void lite_pools_unlock(void) {
    pthread_mutex_unlock(&lite_fence_pool.lock);
    pthread_mutex_unlock(&lite_storage_pool.lock);
    pthread_mutex_unlock(&lite_header_pool.lock);
}
static void lite_pools_init(void) { pthread_atfork(lite_pools_lock, lite_pools_unlock, lite_pools_unlock); }

/* Slot i's block, out of the pool (the lock held); the others keep their order, oldest first. */
static inline void* lite_pool_remove(lite_pool* p, int i) {
    void* block = p->block[i];
    p->bytes -= p->size[i];
    p->count--;
    memmove(&p->block[i], &p->block[i + 1], (p->count - i) * sizeof(void*));
    memmove(&p->size[i], &p->size[i + 1], (p->count - i) * sizeof(size_t));
    return block;
}

/* A block of `need` bytes or more (its size in *size), or NULL. */
static inline void* lite_pool_take(lite_pool* p, size_t need, size_t* size) {
    void* got = NULL;
    pthread_once(&lite_pools_once, lite_pools_init);
    pthread_mutex_lock(&p->lock);
    for (int i = p->count - 1; i >= 0; i--)
        if (p->size[i] >= need && p->size[i] / 2 < need + 1) {
            *size = p->size[i];
            got = lite_pool_remove(p, i);
            break;
        }
    if (got) p->hits++; else p->misses++;
    pthread_mutex_unlock(&p->lock);
    return got;
}

/* Keep a block of `size` bytes: 1, or 0 if the pool is full (free it). */
static inline int lite_pool_give(lite_pool* p, void* block, size_t size) {
    int kept = 0;
    pthread_mutex_lock(&p->lock);
    if (p->count < LITE_POOL_SLOTS && p->bytes + (long long)size <= LITE_POOL_BYTES) {
        p->block[p->count] = block;
        p->size[p->count++] = size;
        p->bytes += size;
        kept = 1;
    }
    pthread_mutex_unlock(&p->lock);
    return kept;
}

/* Keep a storage block of `size` bytes, freeing the oldest blocks kept
   while there is no room for it; free it instead if it alone is too big. */
static inline void lite_storage_give(void* block, size_t size) {
    lite_pool* p = &lite_storage_pool;
    void* evicted[LITE_POOL_SLOTS];
    int n = 0;
    if ((long long)size > LITE_POOL_BYTES) {
        free(block);
        return;
    }
    pthread_mutex_lock(&p->lock);
    while (p->count == LITE_POOL_SLOTS || p->bytes + (long long)size > LITE_POOL_BYTES)
        evicted[n++] = lite_pool_remove(p, 0);
    p->block[p->count] = block;
    p->size[p->count++] = size;
    p->bytes += size;
    pthread_mutex_unlock(&p->lock);
    while (n > 0)
        free(evicted[--n]);
}

/* Tracing (--trace): the OS thread id, cached per thread. The cache is
   cleared in a forked child, whose only thread has a new id. */
#include <unistd.h>
#include <sys/syscall.h>
static __thread int lite_tid_cache;
static pthread_once_t lite_tid_once = PTHREAD_ONCE_INIT;
static void lite_tid_forget(void) { lite_tid_cache = 0; }
static void lite_tid_init(void) { pthread_atfork(NULL, NULL, lite_tid_forget); }
static inline int lite_tid(void) {
    if (!lite_tid_cache) {
        pthread_once(&lite_tid_once, lite_tid_init);
        lite_tid_cache = (int)syscall(SYS_gettid);
    }
    return lite_tid_cache;
}
/* A trace event's kind is stored last, with release order: a reader that
   sees a non-zero kind sees the whole event. */
static inline void lite_store_release_int(int* p, int v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline int lite_load_acquire_int(int* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void* lite_load_acquire_ptr(void** p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
/* A spin-wait's pause between looks. */
static inline void lite_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* How long an idle worker watches its pool's FIFO before it sleeps: longer
   than a Python caller takes between two calls of a model (200-400 us
   measured for BERT's), so that the next call's first loop finds it awake
   (a sleeping one joined 60-120 us late). Tests set 0 (never watch) where a
   loop's inline-or-shared choice, which a watcher lowers, must not race. */
static long long lite_watch_ns_value = 1000000;
static inline void lite_set_watch_ns(long long ns) { __atomic_store_n(&lite_watch_ns_value, ns, __ATOMIC_RELAXED); }
static inline long long lite_watch_ns(void) { return __atomic_load_n(&lite_watch_ns_value, __ATOMIC_RELAXED); }

/* A per-thread buffer, `NAME(bytes)`: every thread that asks (workers and
   callers alike) gets its own at its first call, 64-byte aligned, freed
   when the thread exits; NULL when out of memory. Every caller of one
   NAME asks for the same size. */
#define LITE_THREAD_BUFFER(NAME, T)                                                           \
    static pthread_key_t NAME##_key;                                                          \
    static pthread_once_t NAME##_once = PTHREAD_ONCE_INIT;                                    \
    static void NAME##_make_key(void) { pthread_key_create(&NAME##_key, free); }              \
    static inline T* NAME(size_t bytes) {                                                     \
        pthread_once(&NAME##_once, NAME##_make_key);                                          \
        T* p = (T*)pthread_getspecific(NAME##_key);                                           \
        if (!p && (p = (T*)aligned_alloc(64, bytes)) != NULL) pthread_setspecific(NAME##_key, p); \
        return p;                                                                             \
    }

/* Tile scratch: concurrent calls never share registers. */
LITE_THREAD_BUFFER(lite_scratch, char)
/* f16 and bf16 <-> f32. f16 uses the compiler's IEEE half type (gcc >= 12
   on x86-64); bf16 is the upper half of an f32, rounded to nearest even. */
#include <stdint.h>
#include <string.h>
/* *acc += a * b: 1 if that overflows int64 (*acc is then unspecified). */
static inline int lite_mul_add_overflows(int64_t* acc, int64_t a, int64_t b) {
    int64_t p;
    return __builtin_mul_overflow(a, b, &p) || __builtin_add_overflow(*acc, p, acc);
}
static inline float lite_f16_to_f32(uint16_t h) { _Float16 x; memcpy(&x, &h, 2); return (float)x; }
static inline uint16_t lite_f32_to_f16(float f) { _Float16 x = (_Float16)f; uint16_t h; memcpy(&h, &x, 2); return h; }
static inline float lite_bf16_to_f32(uint16_t h) { uint32_t b = (uint32_t)h << 16; float f; memcpy(&f, &b, 4); return f; }
static inline uint16_t lite_f32_to_bf16(float f) {
    uint32_t b; memcpy(&b, &f, 4);
    if ((b & 0x7F800000u) == 0x7F800000u && (b & 0x7FFFFFu)) return (uint16_t)((b >> 16) | 0x40);  /* quiet NaN */
    return (uint16_t)((b + 0x7FFFu + ((b >> 16) & 1u)) >> 16);
}
#endif
