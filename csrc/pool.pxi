# The worker pool: native threads that never touch Python.
#
# Tasks are a FIFO under one mutex and condition variable. A worker that
# has just finished a task watches the queue for a while before it sleeps
# (at most one fewer than the CPUs at a time, so a loop's caller keeps one):
# a model's next loop usually comes sooner than a sleeping thread wakes,
# and waking one costs the submitter a system call. Parallel loops split
# a range's chunks into one contiguous slice per participant (queued
# workers, and the caller for blocking loops), each handed out from an
# atomic counter: a participant takes the chunks of its own slice, then
# those left in the others', until none are left, so no participant waits
# on another to make progress. The loop's state lives in a heap job freed
# by its last participant.
#
# fork() copies only the forking thread: a pool in the child has no
# workers, and its lock and queue may be mid-update. The child resets every
# pool (pthread_atfork), and a pool starts its workers in the process that
# first uses it, so a context keeps working in a forked child.

from libc.stdint cimport int64_t

cdef extern from "<pthread.h>" nogil:
    ctypedef unsigned long pthread_t
    int pthread_create(pthread_t*, const void*, void* (*)(void*) noexcept nogil, void*)
    int pthread_join(pthread_t, void**)

cdef extern from "<unistd.h>" nogil:
    long sysconf(int)
    int _SC_NPROCESSORS_ONLN
    int pthread_atfork(void (*)() noexcept nogil, void (*)() noexcept nogil, void (*)() noexcept nogil)

cdef extern from "<sched.h>" nogil:
    int sched_yield()

cdef extern from "lite_vm.h" nogil:
    void lite_pause()
    long long lite_watch_ns()
    void lite_set_watch_ns(long long ns)


cdef enum:
    # A watching thread's look at its condition comes after POOL_RELAX_PAUSES
    # pauses (about 110 ns on the Zen 5 EPYC, a pause there ~27 ns), and
    # every POOL_YIELD_LOOKS-th look gives its CPU away, about every 2 us.
    # 64 pauses per look (1.7 us) saw each loop's start and end ~1 us late:
    # a small 2-worker loop took 18.2 us against 16.2 us.
    POOL_RELAX_PAUSES = 4
    POOL_YIELD_LOOKS = 16


cdef inline void pool_relax(int* looks) noexcept nogil:
    """A moment of a thread watching for work (`looks`: its count of them):
    a few pauses, and now and then its CPU to any thread waiting for one (a
    busy machine's other processes, or this loop's own workers), which a
    plain spin would hold back."""
    cdef int i
    for i in range(POOL_RELAX_PAUSES):
        lite_pause()
    looks[0] += 1
    if looks[0] % POOL_YIELD_LOOKS == 0:
        sched_yield()


ctypedef void (*task_fn)(void* arg, int worker) noexcept nogil
ctypedef void (*range_fn)(void* arg, int64_t begin, int64_t end, int worker) noexcept nogil


cdef struct task_t:
    # Owned by its submitter (a loop's job, a pool's barrier nodes), so that
    # queueing a task allocates nothing and cannot fail.
    task_fn fn
    void* arg
    task_t* next


cdef struct pool_t:
    pthread_mutex_t mu
    pthread_cond_t cv
    task_t* head
    task_t* tail
    int stopping
    int queued           # tasks in the FIFO
    int spinning         # workers watching the FIFO, not asleep (each takes a task without a signal)
    int busy             # atomic: workers running a task
    int most_spinning    # at most this many watch at once: one fewer than the workers
    int cpus             # online CPUs: watchers and busy workers leave one of them to the host
    int nthreads
    int started          # workers running in this process (0 in a forked child until first use)
    pthread_t* threads
    int* tids            # each worker's OS thread id, once it has started (for --trace)
    pool_t* next_pool    # every live pool is on one list, for fork (all_pools)
    pthread_mutex_t quiesce_mu   # one pool_quiesce at a time: two barriers' tasks, interleaved, deadlock
    task_t* quiesce_tasks        # pool_quiesce's barrier task per worker


ctypedef struct worker_arg_t:
    pool_t* pool
    int index


cdef inline bint pool_may_watch(pool_t* pool, int others) noexcept nogil:
    """Whether a worker may watch beside `others` watchers: fewer than
    most_spinning watch, and watchers and busy workers leave a CPU to the
    host thread, which takes part in every blocking loop (a watcher on its
    CPU would take turns with it and slow the loop's slowest part)."""
    return others < pool.most_spinning and others + lite_load_acquire_int(&pool.busy) < pool.cpus - 1


cdef inline bint pool_watched(pool_t* pool) noexcept nogil:
    """Whether a worker watches the FIFO now (a hint: read without the lock)."""
    return lite_load_acquire_int(&pool.spinning) > 0


cdef task_t* pool_next_task(pool_t* pool) noexcept nogil:
    """The next task, or NULL once the pool stops and its FIFO is drained:
    watched for (lite_watch_ns(), while pool_may_watch holds), then waited
    for. A watcher counts in `spinning` until it has the lock again, so a
    submitter that saw it there need not signal: the watcher looks at the
    FIFO under the lock before it sleeps. The task's worker counts in
    `busy` until it has run it (worker_main)."""
    cdef task_t* t
    cdef int64_t until
    cdef int looks
    cdef int64_t watch = lite_watch_ns()
    pthread_mutex_lock(&pool.mu)
    if watch > 0 and pool.head == NULL and not pool.stopping and pool_may_watch(pool, pool.spinning):
        pool.spinning += 1
        pthread_mutex_unlock(&pool.mu)
        until = now_ns() + watch
        looks = 0
        # `spinning` is read without the lock here: at worst a stale count
        # ends a watch early or late, and the FIFO is looked at under the lock.
        while lite_load_acquire_ptr(<void**>&pool.head) == NULL and not lite_load_acquire_int(&pool.stopping) \
                and now_ns() < until and pool_may_watch(pool, lite_load_acquire_int(&pool.spinning) - 1):
            pool_relax(&looks)
        pthread_mutex_lock(&pool.mu)
        pool.spinning -= 1
    while pool.head == NULL and not pool.stopping:
        pthread_cond_wait(&pool.cv, &pool.mu)
    t = pool.head
    if t != NULL:
        pool.head = t.next
        if pool.head == NULL:
            pool.tail = NULL
        pool.queued -= 1
        atomic_inc(&pool.busy)
    pthread_mutex_unlock(&pool.mu)
    return t


cdef void* worker_main(void* p) noexcept nogil:
    cdef worker_arg_t* wa = <worker_arg_t*>p
    cdef pool_t* pool = wa.pool
    cdef int index = wa.index
    cdef task_t* t
    cdef task_fn fn
    cdef void* arg
    free(wa)
    lite_store_release_int(&pool.tids[index], lite_tid())
    while True:
        t = pool_next_task(pool)
        if t == NULL:   # stopping and drained
            return NULL
        fn, arg = t.fn, t.arg   # the node may be gone once fn returns (a loop's job, freed by its last participant)
        fn(arg, index)
        atomic_dec(&pool.busy)


# Every live pool, for the fork handlers.
cdef pool_t* all_pools = NULL
cdef pthread_mutex_t all_pools_mu


cdef void pools_before_fork() noexcept nogil:
    pthread_mutex_lock(&all_pools_mu)


cdef void pools_after_fork_parent() noexcept nogil:
    pthread_mutex_unlock(&all_pools_mu)


cdef void pools_after_fork_child() noexcept nogil:
    """The only thread of a forked child: no pool has workers here, and a
    lock a parent's worker held stays held; every pool starts afresh, and
    what the parent had queued is the parent's business."""
    cdef pool_t* pool = all_pools
    pthread_mutex_init(&all_pools_mu, NULL)
    while pool != NULL:
        pthread_mutex_init(&pool.mu, NULL)
        pthread_mutex_init(&pool.quiesce_mu, NULL)
        pthread_cond_init(&pool.cv, NULL)
        pool.head = NULL
        pool.tail = NULL
        pool.stopping = 0
        pool.queued = 0
        pool.spinning = 0
        pool.busy = 0
        pool.started = 0
        memset(pool.tids, 0, pool.nthreads * sizeof(int))
        pool = pool.next_pool


pthread_mutex_init(&all_pools_mu, NULL)
pthread_atfork(pools_before_fork, pools_after_fork_parent, pools_after_fork_child)


cdef int pool_start_workers(pool_t* pool) noexcept nogil:
    """Start the workers this process lacks (all of them, in a forked
    child's first use); the number running."""
    cdef worker_arg_t* wa
    cdef int started
    pthread_mutex_lock(&pool.mu)
    while pool.started < pool.nthreads:
        wa = <worker_arg_t*>malloc(sizeof(worker_arg_t))
        if wa == NULL:
            break
        wa.pool = pool
        wa.index = pool.started
        if pthread_create(&pool.threads[pool.started], NULL, worker_main, wa) != 0:
            free(wa)
            break
        pool.started += 1
    started = pool.started
    pthread_mutex_unlock(&pool.mu)
    return started


cdef inline int pool_ready(pool_t* pool) noexcept nogil:
    """Workers are running in this process (started, if need be): 0 if
    none could start."""
    return lite_load_acquire_int(&pool.started) > 0 or pool_start_workers(pool) > 0


cdef pool_t* pool_create(int workers) noexcept nogil:
    global all_pools
    cdef pool_t* pool = <pool_t*>calloc(1, sizeof(pool_t))
    if pool == NULL or workers < 1:
        free(pool)
        return NULL
    pthread_mutex_init(&pool.mu, NULL)
    pthread_cond_init(&pool.cv, NULL)
    pthread_mutex_init(&pool.quiesce_mu, NULL)
    pool.nthreads = workers
    pool.most_spinning = workers - 1
    pool.cpus = default_worker_count_c()
    pool.threads = <pthread_t*>calloc(workers, sizeof(pthread_t))
    pool.tids = <int*>calloc(workers, sizeof(int))
    pool.quiesce_tasks = <task_t*>calloc(workers, sizeof(task_t))
    pthread_mutex_lock(&all_pools_mu)
    pool.next_pool = all_pools
    all_pools = pool
    pthread_mutex_unlock(&all_pools_mu)
    if pool.threads == NULL or pool.tids == NULL or pool.quiesce_tasks == NULL or pool_start_workers(pool) < workers:
        pool_destroy(pool)
        return NULL
    return pool


cdef void pool_destroy(pool_t* pool) noexcept nogil:
    """Run what is queued, then join the workers (those of this process:
    none in a forked child that never used the pool)."""
    cdef pool_t** link
    cdef int i
    if pool == NULL:
        return
    pthread_mutex_lock(&all_pools_mu)
    link = &all_pools
    while link[0] != pool:
        link = &link[0].next_pool
    link[0] = pool.next_pool
    pthread_mutex_unlock(&all_pools_mu)
    pthread_mutex_lock(&pool.mu)
    pool.stopping = 1
    pthread_cond_broadcast(&pool.cv)
    pthread_mutex_unlock(&pool.mu)
    for i in range(pool.started):
        pthread_join(pool.threads[i], NULL)
    free(pool.threads)
    free(pool.tids)
    free(pool.quiesce_tasks)
    pthread_mutex_destroy(&pool.mu)
    pthread_cond_destroy(&pool.cv)
    pthread_mutex_destroy(&pool.quiesce_mu)
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
    time, and a worker runs its tasks one after another. One caller at a
    time (quiesce_mu): of two barriers queued at once, each could hold some
    of the workers waiting for the rest."""
    cdef barrier_t b
    cdef int i, n
    if pool == NULL:
        return
    pthread_mutex_lock(&pool.quiesce_mu)
    n = lite_load_acquire_int(&pool.started)
    if n == 0:   # no workers in this process (a forked child): nothing runs
        pthread_mutex_unlock(&pool.quiesce_mu)
        return
    pthread_mutex_init(&b.mu, NULL)
    pthread_cond_init(&b.cv, NULL)
    b.arriving = n
    b.inside = n
    for i in range(n):
        pool.quiesce_tasks[i].fn = barrier_task
        pool.quiesce_tasks[i].arg = &b
        pool_submit(pool, &pool.quiesce_tasks[i])
    pthread_mutex_lock(&b.mu)
    while b.inside > 0:   # b lives on this stack until every worker left it
        pthread_cond_wait(&b.cv, &b.mu)
    pthread_mutex_unlock(&b.mu)
    pthread_mutex_destroy(&b.mu)
    pthread_cond_destroy(&b.cv)
    pthread_mutex_unlock(&pool.quiesce_mu)


cdef int pool_size(pool_t* pool) noexcept nogil:
    return pool.nthreads


cdef void pool_submit(pool_t* pool, task_t* t) noexcept nogil:
    """Queue t (its fn and arg set): the submitter keeps it alive until a
    worker has taken it."""
    t.next = NULL
    pthread_mutex_lock(&pool.mu)
    if pool.tail != NULL:
        pool.tail.next = t
    else:
        pool.head = t
    pool.tail = t
    pool.queued += 1
    if pool.queued > pool.spinning:   # more than the watchers will take
        pthread_cond_signal(&pool.cv)
    pthread_mutex_unlock(&pool.mu)


ctypedef struct pfor_slice_t:
    long long next           # atomic: its next chunk to hand out
    int64_t end              # its chunks end here
    char pad[48]             # one cache line each: participants take from their own


ctypedef struct pfor_t:
    long long chunks_done    # atomic
    long long joined         # atomic: participants that have started (each takes the slice of its number)
    int64_t chunks
    int64_t count
    int64_t grain
    int slices               # one contiguous run of chunks per participant
    pfor_slice_t* slice
    task_t* tasks            # a participant's task each, in the job's allocation
    range_fn fn
    void* arg
    task_fn done             # NULL: a blocking loop, whose caller waits for `finished`
    void* done_arg
    int refs                 # atomic: participants still holding the job
    int finished             # a blocking loop's chunks are all done (set under mu, read without it too)
    pthread_mutex_t mu       # blocking loops only: the caller sleeps on cv for `finished`
    pthread_cond_t cv


cdef void pfor_take_chunks(pfor_t* job, int worker) noexcept nogil:
    """Run the chunks of this participant's slice in order, then those left
    in the others'; whoever ends the last chunk finishes the loop (runs
    `done`, or wakes a blocking loop's caller). Contiguous slices keep each
    thread on its own part of the data: consecutive loops over the same
    layout find their part in the same core's cache, and neighbouring
    chunks (whose edges may share cache lines) mostly run on one thread."""
    cdef long long c
    cdef int64_t begin
    cdef int first = <int>(atomic_fetch_add64(&job.joined, 1) % job.slices), i
    cdef pfor_slice_t* slice
    for i in range(job.slices):
        slice = &job.slice[(first + i) % job.slices]
        while True:
            c = atomic_fetch_add64(&slice.next, 1)
            if c >= slice.end:
                break
            begin = c * job.grain
            job.fn(job.arg, begin, min(job.count, begin + job.grain), worker)
            if atomic_add_fetch64(&job.chunks_done, 1) == job.chunks:
                if job.done != NULL:
                    job.done(job.done_arg, worker)
                else:   # the caller holds its reference until it has seen this
                    pthread_mutex_lock(&job.mu)
                    lite_store_release_int(&job.finished, 1)
                    pthread_cond_signal(&job.cv)
                    pthread_mutex_unlock(&job.mu)


cdef void pfor_release(pfor_t* job) noexcept nogil:
    if atomic_dec(&job.refs) == 0:
        if job.done == NULL:
            pthread_mutex_destroy(&job.mu)
            pthread_cond_destroy(&job.cv)
        free(job)


cdef void pfor_participate(void* p, int worker) noexcept nogil:
    pfor_take_chunks(<pfor_t*>p, worker)
    pfor_release(<pfor_t*>p)


cdef pfor_t* pfor_new(int64_t chunks, int64_t count, int64_t grain, range_fn fn, void* arg, task_fn done,
                      void* done_arg, int participants) noexcept nogil:
    cdef pfor_t* job = <pfor_t*>calloc(1, sizeof(pfor_t) + participants * (sizeof(pfor_slice_t) + sizeof(task_t)))
    cdef int s
    if job == NULL:
        return NULL
    job.slices = participants
    job.slice = <pfor_slice_t*>(job + 1)
    job.tasks = <task_t*>(job.slice + participants)
    for s in range(participants):   # slice s: chunks // participants, and one more for the first chunks % participants
        job.slice[s].next = chunks // participants * s + min(<int64_t>s, chunks % participants)
        job.slice[s].end = job.slice[s].next + chunks // participants + (1 if s < chunks % participants else 0)
    job.chunks = chunks
    job.count = count
    job.grain = grain
    job.fn = fn
    job.arg = arg
    job.done = done
    job.done_arg = done_arg
    job.refs = participants
    if done == NULL:
        pthread_mutex_init(&job.mu, NULL)
        pthread_cond_init(&job.cv, NULL)
    return job


cdef void pfor_submit(pool_t* pool, pfor_t* job, int callers) noexcept nogil:
    """Queue the job's participants but `callers` (that run it themselves)."""
    cdef int i
    for i in range(job.refs - callers):
        job.tasks[i].fn = pfor_participate
        job.tasks[i].arg = job
        pool_submit(pool, &job.tasks[i])


cdef void pool_parallel_async(pool_t* pool, int64_t count, int64_t grain, range_fn fn, void* arg,
                              task_fn done, void* done_arg) noexcept nogil:
    """Run fn over [0, count) in chunks of `grain` on the workers; `done`
    runs once, on the thread that finishes the last chunk. Never blocks."""
    cdef int64_t chunks = (count + grain - 1) // grain
    if chunks == 0:
        done(done_arg, pool.nthreads)
        return
    cdef pfor_t* job = NULL
    if pool_ready(pool):
        job = pfor_new(chunks, count, grain, fn, arg, done, done_arg, <int>min(<int64_t>pool.started, chunks))
    if job == NULL:
        # No worker could start (a forked child out of threads), or no
        # memory for the job: the caller does the work, so the loop still ends.
        fn(arg, 0, count, 0)
        done(done_arg, 0)
        return
    pfor_submit(pool, job, 0)



cdef enum:
    # How long the caller of a blocking loop, its own chunks done, watches
    # for the workers' last ones before it sleeps: a chunk usually ends
    # sooner than a sleeping thread wakes (tens of microseconds, more on a
    # virtual CPU).
    CALLER_WATCH_NS = 100000


cdef void pool_parallel_for(pool_t* pool, int64_t count, int64_t grain, range_fn fn, void* arg) noexcept nogil:
    """Blocking parallel loop: the caller takes chunks beside nthreads - 1
    workers, so the pool's size is the number of threads computing, one of
    them at work from the start (no wake-up to wait for) and there to see
    the end (no wake-up after it). Alone (one worker, one chunk) it runs the
    chunks in order itself, allocating nothing. Its worker index is
    nthreads. Callers must not be workers of the same pool (the VM calls
    this from host threads)."""
    cdef int64_t chunks = (count + grain - 1) // grain, c, until
    cdef int participants, looks = 0
    cdef pfor_t* job = NULL
    if pool.nthreads > 1 and chunks > 1 and pool_ready(pool):
        participants = <int>min(<int64_t>min(pool.started + 1, pool.nthreads), chunks)
        job = pfor_new(chunks, count, grain, fn, arg, NULL, NULL, participants)
    if job == NULL:   # alone, or no memory for the job
        for c in range(chunks):
            fn(arg, c * grain, min(count, (c + 1) * grain), pool.nthreads)
        return
    pfor_submit(pool, job, 1)
    pfor_take_chunks(job, pool.nthreads)
    until = now_ns() + CALLER_WATCH_NS
    while not lite_load_acquire_int(&job.finished) and now_ns() < until:
        pool_relax(&looks)
    if not lite_load_acquire_int(&job.finished):
        pthread_mutex_lock(&job.mu)
        while not job.finished:
            pthread_cond_wait(&job.cv, &job.mu)
        pthread_mutex_unlock(&job.mu)
    pfor_release(job)


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
