"""`iree-lite batch --executor=dask`: a manifest's runs on a Dask cluster
(dask.distributed; `pip install 'iree-lite[dask]'`).

Each distinct module file is read once here and broadcast once to every
worker; a worker keeps the contexts of the last device and module lists it
ran (batch_worker's cache, per worker process), so runs of one list reuse
its context. Results stream back, in completion order, into the same
progress display and reports as local runs. A run's timeout is the VM's
own deadline (nothing here can kill a remote process mid-call). A run whose
worker dies is run once more; a second death is reported as its error.
Without --scheduler a LocalCluster of --jobs worker processes is started.
"""
import time
import warnings
from collections import OrderedDict

from .batch import Outcome, Result, Stats, judge

# Worker state: (device, module list) -> context, least recently used first.
_CONTEXTS = OrderedDict()


def _run_on_worker(run, module_bytes, options, topology, timeout):
    """On a Dask worker: (status, seconds, message, loaded a context)."""
    from .batch_worker import execute, group_of, load_context, use
    group = group_of(run)
    loaded = use(_CONTEXTS, group, lambda: load_context(run, topology, module_bytes))
    return (*execute(run, _CONTEXTS[group], options, timeout), loaded)


def _client(ns):
    """(client, cluster or None): the scheduler's, or a LocalCluster's of
    --jobs single-threaded worker processes."""
    import dask
    from distributed import Client, LocalCluster
    if ns.scheduler:
        # Connecting gives up after dask's distributed.comm.timeouts.connect
        # (30 s unless configured, e.g. DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT).
        return Client(ns.scheduler), None
    # One retry for a run whose worker died: the scheduler gives up on a
    # task after this many worker deaths.
    dask.config.set({"distributed.scheduler.allowed-failures": 1})
    # The cluster is ours, not the user's: its start-up warnings (such as
    # "Creating scratch directories is taking a surprisingly long time" on a
    # busy machine) would only interleave with the runs' lines on stderr.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = LocalCluster(n_workers=ns.jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=50)
        return Client(cluster), cluster


def _module_bytes(client, runs):
    """{path: future of its bytes, on every worker} for the runs' module
    files, and {path: error message} for those that cannot be read."""
    from .run_module import ToolError, read_module
    futures, errors = {}, {}
    for path in dict.fromkeys(p for r in runs for p in r.modules):
        try:
            futures[path] = client.scatter(read_module(path), broadcast=True, hash=False)
        except ToolError as e:
            errors[path] = str(e)
    return futures, errors


def run_on_dask(runs, ns, progress):
    try:
        import distributed
    except ImportError:
        return Outcome([], list(runs), Stats(),
                       "--executor=dask needs dask.distributed: pip install 'iree-lite[dask]'")
    from .run_module import comparison_options
    try:
        client, cluster = _client(ns)
    except (OSError, TimeoutError) as e:
        return Outcome([], list(runs), Stats(), f"cannot reach the Dask scheduler '{ns.scheduler}': {e}")
    options = comparison_options(ns)
    topology = {"task_topology_group_count": ns.task_topology_group_count,
                "task_topology_max_group_count": ns.task_topology_max_group_count}
    stats = Stats(len(client.scheduler_info()["workers"]))
    results, futures = {}, {}
    try:
        blobs, unreadable = _module_bytes(client, runs)
        for run in runs:
            unread = [unreadable[p] for p in run.modules if p in unreadable]
            if unread:   # as a local worker reports it: the run's error
                status, message = judge(run, unread[0])
                results[run.index] = Result(run, status, 0.0, message)
                progress(results[run.index])
                continue
            timeout = run.timeout if run.timeout is not None else ns.timeout
            future = client.submit(_run_on_worker, run, {p: blobs[p] for p in run.modules}, options, topology,
                                   timeout, key=f"iree-lite-run-{run.index}-{time.monotonic_ns()}", pure=False)
            futures[future] = run
        for future in distributed.as_completed(list(futures)):
            run = futures[future]
            try:
                status, seconds, message, loaded = future.result()
                stats.contexts_loaded += loaded
            except distributed.KilledWorker:
                status, seconds, message = "error", 0.0, "crashed: its Dask worker died, twice"
            except Exception as e:   # a task the cluster lost or refused: the run's error, not the batch's
                status, seconds, message = "error", 0.0, f"{type(e).__name__}: {e}"
            results[run.index] = Result(run, status, seconds, message)
            progress(results[run.index])
        stopped = None
    except KeyboardInterrupt:
        client.cancel(list(futures))
        stopped = "interrupted"
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return Outcome([results[r.index] for r in runs if r.index in results],
                   [r for r in runs if r.index not in results], stats, stopped)

