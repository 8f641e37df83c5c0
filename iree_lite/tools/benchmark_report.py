"""Google Benchmark's reports, as iree-benchmark-module writes them: the
context (machine, caches, load), the console table, JSON (its field order and
number formatting, so that its tools/compare.py reads ours) and CSV."""
import os
import socket
import statistics
import sys
import time

TIME_UNITS = {"ns": 1e9, "us": 1e6, "ms": 1e3, "s": 1.0}
AGGREGATES = (("mean", statistics.mean, "time"), ("median", statistics.median, "time"),
              ("stddev", statistics.stdev, "time"),
              ("cv", lambda xs: statistics.stdev(xs) / statistics.mean(xs) if statistics.mean(xs) else 0.0,
               "percentage"))


def human(value):
    """Google Benchmark's 6-significant-digit numbers with k/M/G suffixes."""
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.6g}{suffix}"
    return f"{value:.6g}"


# -- the machine ---------------------------------------------------------------

def _read(path, default=""):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


def caches():
    """The CPU's caches from sysfs, as Google Benchmark lists them."""
    out, base = [], "/sys/devices/system/cpu/cpu0/cache"
    for index in sorted(os.listdir(base)) if os.path.isdir(base) else ():
        if not index.startswith("index"):
            continue
        d = os.path.join(base, index)
        size = _read(os.path.join(d, "size"))
        if not size:
            continue
        scale = {"K": 1024, "M": 1024 * 1024}.get(size[-1], 1)
        shared = _read(os.path.join(d, "shared_cpu_map")).replace(",", "")
        out.append({"type": _read(os.path.join(d, "type")), "level": int(_read(os.path.join(d, "level"), "0")),
                    "size": int(size.rstrip("KM")) * scale,
                    "num_sharing": bin(int(shared, 16)).count("1") if shared else 1})
    return out


def mhz_per_cpu():
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("cpu MHz"):
            return int(float(line.partition(":")[2]))
    return 0


def context(device, workers):
    """Google Benchmark's context block, with iree-lite's device and workers."""
    return {"date": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()), "host_name": socket.gethostname(),
            "executable": sys.argv[0], "num_cpus": os.cpu_count(), "mhz_per_cpu": mhz_per_cpu(),
            "cpu_scaling_enabled": False, "aslr_enabled": _read("/proc/sys/kernel/randomize_va_space", "0") != "0",
            "caches": caches(), "load_avg": list(os.getloadavg()), "library_version": "iree-lite",
            "library_build_type": "release", "json_schema_version": 1, "device": device, "workers": workers}


def context_text(ctx):
    """The context as the console reporter prints it (on stderr)."""
    lines = [ctx["date"], f"Running {ctx['executable']}", f"Run on ({ctx['num_cpus']} X {ctx['mhz_per_cpu']} MHz CPU s)"]
    if ctx["caches"]:
        lines.append("CPU Caches:")
        for c in ctx["caches"]:
            size = f"{c['size'] // 1024} KiB" if c["size"] < 1 << 30 else f"{c['size'] // (1 << 30)} GiB"
            count = max(1, ctx["num_cpus"] // max(1, c["num_sharing"]))
            lines.append(f"  L{c['level']} {c['type']} {size} (x{count})")
    lines.append("Load Average: " + ", ".join(f"{x:.2f}" for x in ctx["load_avg"]))
    if ctx["aslr_enabled"]:
        lines.append("***WARNING*** ASLR is enabled, the results may have unreproducible noise in them.")
    return "\n".join(lines) + "\n"


# -- rows ----------------------------------------------------------------------

def rows_of(name, family, runs, unit):
    """Report rows for one benchmark: one per repetition (iterations, real
    seconds, cpu seconds), then the aggregates when there are several."""
    scale = TIME_UNITS[unit]
    rows = [{"name": name, "family_index": family, "per_family_instance_index": 0, "run_name": name,
             "run_type": "iteration", "repetitions": len(runs), "repetition_index": i, "threads": 1,
             "iterations": iterations, "real_time": real / iterations * scale, "cpu_time": cpu / iterations * scale,
             "time_unit": unit, "items_per_second": iterations / real if real else 0.0}
            for i, (iterations, real, cpu) in enumerate(runs)]
    if len(runs) > 1:
        for aggregate, fn, aggregate_unit in AGGREGATES:
            row = {"name": f"{name}_{aggregate}", "family_index": family, "per_family_instance_index": 0,
                   "run_name": name, "run_type": "aggregate", "repetitions": len(runs), "threads": 1,
                   "aggregate_name": aggregate, "aggregate_unit": aggregate_unit, "iterations": len(runs)}
            for key in ("real_time", "cpu_time"):
                row[key] = fn([r[key] for r in rows[:len(runs)]])
            row["time_unit"] = unit
            row["items_per_second"] = fn([r["items_per_second"] for r in rows[:len(runs)]])
            rows.append(row)
    return rows


def aggregates_only(rows):
    """The aggregate rows, or the single iteration row of a benchmark that
    ran once (which has none)."""
    single = {r["run_name"] for r in rows if r["repetitions"] == 1}
    return [r for r in rows if r["run_type"] == "aggregate" or r["run_name"] in single]


# -- formats -------------------------------------------------------------------

def console(rows):
    width = max([len("Benchmark")] + [len(r["name"]) for r in rows])
    header = f"{'Benchmark':<{width}} {'Time':>13} {'CPU':>15} {'Iterations':>12} UserCounters..."
    lines = ["-" * len(header), header, "-" * len(header)]
    for r in rows:
        if r.get("aggregate_unit") == "percentage":
            lines.append(f"{r['name']:<{width}} {r['real_time'] * 100:10.2f} %    {r['cpu_time'] * 100:10.2f} %    "
                         f"{r['iterations']:10d} items_per_second={r['items_per_second'] * 100:.2f}%")
        else:
            unit = r["time_unit"]
            lines.append(f"{r['name']:<{width}} {r['real_time']:10.3f} {unit:<2}   {r['cpu_time']:10.3f} {unit:<2}   "
                         f"{r['iterations']:10d} items_per_second={human(r['items_per_second'])}/s")
    return "\n".join(lines) + "\n"


def _json_value(value, indent):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.16e}"
    if isinstance(value, str):
        import json
        return json.dumps(value)
    if isinstance(value, list) and all(isinstance(x, float) for x in value):
        return "[" + ",".join(f"{x:g}" for x in value) + "]"
    if isinstance(value, list):
        pad = " " * (indent + 2)
        return "[\n" + ",\n".join(pad + _json_value(x, indent + 2) for x in value) + "\n" + " " * indent + "]"
    if isinstance(value, dict):
        pad = " " * (indent + 2)
        return "{\n" + ",\n".join(f"{pad}\"{k}\": {_json_value(v, indent + 2)}" for k, v in value.items()) + \
            "\n" + " " * indent + "}"
    return str(value)


def json_text(ctx, rows):
    """Google Benchmark's JSON: its field order, floats as %.16e."""
    return _json_value({"context": ctx, "benchmarks": rows}, 0) + "\n"


def csv_text(rows):
    lines = ["name,iterations,real_time,cpu_time,time_unit,bytes_per_second,items_per_second,label,"
             "error_occurred,error_message"]
    for r in rows:
        unit = "" if r.get("aggregate_unit") == "percentage" else r["time_unit"]
        lines.append(f"\"{r['name']}\",{r['iterations']},{r['real_time']:g},{r['cpu_time']:g},{unit},,"
                     f"{r['items_per_second']:g},,,")
    return "\n".join(lines) + "\n"


def render(fmt, ctx, rows):
    """(the report in fmt, the context text the console format prints on
    stderr, or '' for the others, whose context is inside)."""
    if fmt == "json":
        return json_text(ctx, rows), ""
    if fmt == "csv":
        return csv_text(rows), context_text(ctx)
    return console(rows), context_text(ctx)
