# The worker pool: native threads that never touch Python.
#
# Tasks are a FIFO under one mutex and condition variable. Parallel loops
# hand out chunks of a range from an atomic counter: every participant
# (queued workers, and the caller for blocking loops) takes chunks until none
# are left, so no participant waits on another to make progress. The loop's
# state lives in a heap job freed by its last participant.

from libc.stdint cimport int64_t

cdef extern from "<pthread.h>" nogil:
    ctypedef unsigned long pthread_t
    int pthread_create(pthread_t*, const void*, void* (*)(void*) noexcept nogil, void*)
    int pthread_join(pthread_t, void**)

cdef extern from "<unistd.h>" nogil:
    long sysconf(int)
    int _SC_NPROCESSORS_ONLN
    int getpid()

ctypedef void (*task_fn)(void* arg, int worker) noexcept nogil
ctypedef void (*range_fn)(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil


cdef struct task_t:
    task_fn fn
    void* arg
    task_t* next


cdef struct pool_t:
    pthread_mutex_t mu
    pthread_cond_t cv
    task_t* head
    task_t* tail
    int stopping
    int nthreads
    int started
    int pid              # the process that owns the threads (see pool_destroy)
    pthread_t* threads
    int* tids            # each worker's OS thread id, once it has started (for --trace)


ctypedef struct worker_arg_t:
    pool_t* pool
    int index


cdef void* worker_main(void* p) noexcept nogil:
    cdef worker_arg_t* wa = <worker_arg_t*>p
    cdef pool_t* pool = wa.pool
    cdef int index = wa.index
    cdef task_t* t
    free(wa)
    lite_store_release_int(&pool.tids[index], lite_tid())
    while True:
        pthread_mutex_lock(&pool.mu)
        while pool.head == NULL and not pool.stopping:
            pthread_cond_wait(&pool.cv, &pool.mu)
        t = pool.head
        if t == NULL:   # stopping and drained
            pthread_mutex_unlock(&pool.mu)
            return NULL
        pool.head = t.next
        if pool.head == NULL:
            pool.tail = NULL
        pthread_mutex_unlock(&pool.mu)
        t.fn(t.arg, index)
        free(t)


cdef pool_t* pool_create(int workers) noexcept nogil:
    cdef pool_t* pool = <pool_t*>calloc(1, sizeof(pool_t))
    cdef worker_arg_t* wa
    cdef int i
    if pool == NULL or workers < 1:
        free(pool)
        return NULL
    pthread_mutex_init(&pool.mu, NULL)
    pthread_cond_init(&pool.cv, NULL)
    pool.pid = getpid()
    pool.nthreads = workers
    pool.threads = <pthread_t*>calloc(workers, sizeof(pthread_t))
    pool.tids = <int*>calloc(workers, sizeof(int))
    if pool.threads == NULL or pool.tids == NULL:
        pool_destroy(pool)
        return NULL
    for i in range(workers):
        wa = <worker_arg_t*>malloc(sizeof(worker_arg_t))
        wa.pool = pool
        wa.index = i
        if pthread_create(&pool.threads[i], NULL, worker_main, wa) != 0:
            free(wa)
            pool_destroy(pool)
            return NULL
        pool.started += 1
    return pool


cdef void pool_destroy(pool_t* pool) noexcept nogil:
    """Run what is queued, then join the workers. In a forked child the
    workers do not exist (only the forking thread survives fork), so the
    pool is abandoned rather than joined."""
    cdef int i
    if pool == NULL:
        return
    if pool.pid != getpid():
        return
    pthread_mutex_lock(&pool.mu)
    pool.stopping = 1
    pthread_cond_broadcast(&pool.cv)
    pthread_mutex_unlock(&pool.mu)
    for i in range(pool.started):
        pthread_join(pool.threads[i], NULL)
    free(pool.threads)
    free(pool.tids)
    pthread_mutex_destroy(&pool.mu)
    pthread_cond_destroy(&pool.cv)
    free(pool)


ctypedef struct barrier_t:
    pthread_mutex_t mu
    pthread_cond_t cv
    int arriving         # workers yet to reach the barrier
    int inside           # workers yet to leave it


cdef void barrier_task(void* p, int worker) noexcept nogil:
    cdef barrier_t* b = <barrier_t*>p
    pthread_mutex_lock(&b.mu)
    b.arriving -= 1
    pthread_cond_broadcast(&b.cv)
    while b.arriving > 0:
        pthread_cond_wait(&b.cv, &b.mu)
    b.inside -= 1
    pthread_cond_broadcast(&b.cv)
    pthread_mutex_unlock(&b.mu)


cdef void pool_quiesce(pool_t* pool) noexcept nogil:
    """Return once every worker has finished what it was running and what
    was queued before: each worker must hold one barrier task at the same
    time, and a worker runs its tasks one after another."""
    cdef barrier_t b
    cdef int i
    if pool == NULL or pool.pid != getpid():
        return   # in a forked child the workers do not exist
    pthread_mutex_init(&b.mu, NULL)
    pthread_cond_init(&b.cv, NULL)
    b.arriving = pool.nthreads
    b.inside = pool.nthreads
    for i in range(pool.nthreads):
        pool_submit(pool, barrier_task, &b)
    pthread_mutex_lock(&b.mu)
    while b.inside > 0:   # b lives on this stack until every worker left it
        pthread_cond_wait(&b.cv, &b.mu)
    pthread_mutex_unlock(&b.mu)
    pthread_mutex_destroy(&b.mu)
    pthread_cond_destroy(&b.cv)


cdef int pool_size(pool_t* pool) noexcept nogil:
    return pool.nthreads


cdef void pool_submit(pool_t* pool, task_fn fn, void* arg) noexcept nogil:
    cdef task_t* t = <task_t*>malloc(sizeof(task_t))
    t.fn = fn
    t.arg = arg
    t.next = NULL
    pthread_mutex_lock(&pool.mu)
    if pool.tail != NULL:
        pool.tail.next = t
    else:
        pool.head = t
    pool.tail = t
    pthread_cond_signal(&pool.cv)
    pthread_mutex_unlock(&pool.mu)


ctypedef struct pfor_t:
    long long next_chunk     # atomic: next chunk to hand out
    long long chunks_done    # atomic
    int64_t chunks
    int64_t count
    int64_t grain
    range_fn fn
    void* arg
    task_fn done
    void* done_arg
    int refs                 # atomic: participants still holding the job


cdef void pfor_participate(void* p, int worker) noexcept nogil:
    cdef pfor_t* job = <pfor_t*>p
    cdef long long c
    cdef int64_t begin
    while True:
        c = atomic_fetch_add64(&job.next_chunk, 1)
        if c >= job.chunks:
            break
        begin = c * job.grain
        job.fn(job.arg, begin, min(job.count, begin + job.grain), worker)
        if atomic_add_fetch64(&job.chunks_done, 1) == job.chunks:
            job.done(job.done_arg, worker)
    if atomic_dec(&job.refs) == 0:
        free(job)


cdef void pool_parallel_async(pool_t* pool, int64_t count, int64_t grain, range_fn fn, void* arg,
                              task_fn done, void* done_arg) noexcept nogil:
    """Run fn over [0, count) in chunks of `grain` on the workers; `done`
    runs once, on the thread that finishes the last chunk. Never blocks."""
    cdef int64_t chunks = (count + grain - 1) // grain
    cdef int participants, i
    cdef pfor_t* job
    if chunks == 0:
        done(done_arg, pool.nthreads)
        return
    participants = <int>min(<int64_t>pool.nthreads, chunks)
    job = <pfor_t*>calloc(1, sizeof(pfor_t))
    job.chunks = chunks
    job.count = count
    job.grain = grain
    job.fn = fn
    job.arg = arg
    job.done = done
    job.done_arg = done_arg
    job.refs = participants
    for i in range(participants):
        pool_submit(pool, pfor_participate, job)


ctypedef struct blocking_t:
    semaphore_t* finished


cdef void blocking_done(void* p, int worker) noexcept nogil:
    status_free(semaphore_signal((<blocking_t*>p).finished, 1, NULL))


cdef void pool_parallel_for(pool_t* pool, int64_t count, int64_t grain, range_fn fn, void* arg) noexcept nogil:
    """Blocking parallel loop on the workers; the caller only waits, so the
    pool's size is exactly the number of threads computing. Callers must
    not be workers of the same pool (the VM calls this from host threads)."""
    cdef blocking_t b
    cdef lite_status* st = NULL
    b.finished = semaphore_create(0)
    pool_parallel_async(pool, count, grain, fn, arg, blocking_done, &b)
    semaphore_wait(b.finished, 1, -1, &st)
    semaphore_release(b.finished)


cdef int default_worker_count_c() noexcept nogil:
    cdef long n = sysconf(_SC_NPROCESSORS_ONLN)
    return <int>n if n > 0 else 1


def default_worker_count():
    """One worker per online CPU."""
    return default_worker_count_c()


cdef class WorkerPool:
    cdef pool_t* ptr

    def __cinit__(self, workers=None):
        cdef int n = default_worker_count_c() if workers is None else workers
        if n < 1:
            raise ValueError(f"a worker pool needs at least one worker, got {n}")
        with nogil:
            self.ptr = pool_create(n)
        if self.ptr == NULL:
            raise MemoryError("cannot start worker threads")

    def __dealloc__(self):
        with nogil:
            pool_destroy(self.ptr)

    @property
    def size(self):
        return self.ptr.nthreads

    def _parallel_sum(self, int64_t n, int64_t grain):
        """Test hook: the sum of 0..n-1 computed in parallel chunks, and the
        number of distinct threads that took part."""
        cdef psum_t s
        memset(&s, 0, sizeof(s))
        if getpid() != self.ptr.pid:
            raise RuntimeError("worker pool belongs to another process")
        with nogil:
            pool_parallel_for(self.ptr, n, grain, psum_range, &s)
        return s.total, sum(1 for i in range(65) if s.seen[i])


ctypedef struct psum_t:
    long long total
    int seen[65]


cdef void psum_range(void* p, int64_t begin, int64_t end, int worker) noexcept nogil:
    cdef psum_t* s = <psum_t*>p
    cdef long long part = 0
    cdef int64_t i
    for i in range(begin, end):
        part += i
    atomic_fetch_add64(&s.total, part)
    s.seen[min(worker, 64)] = 1
