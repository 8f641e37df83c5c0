"""benchmark-module takes Google Benchmark's flags as iree-benchmark-module
does, and writes its reports (context, console, JSON, CSV) in Google
Benchmark's shapes."""
import json
import os
import re
import subprocess
import sys

import pytest

from test_cli import cli

SOURCE = """func.func @one() -> f32 {
  %c = arith.constant 1.0 : f32
  return %c : f32
}
func.func @two() -> f32 {
  %c = arith.constant 2.0 : f32
  return %c : f32
}
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = math.absf %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
"""
NAMES = ["BM_one/process_time/real_time", "BM_two/process_time/real_time"]
AGGREGATES = ["mean", "median", "stddev", "cv"]
ROW_KEYS = ["name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
            "repetition_index", "threads", "iterations", "real_time", "cpu_time", "time_unit", "items_per_second"]
AGGREGATE_KEYS = ["name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
                  "threads", "aggregate_name", "aggregate_unit", "iterations", "real_time", "cpu_time", "time_unit",
                  "items_per_second"]


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    d = tmp_path_factory.mktemp("bench")
    (d / "m.mlir").write_text(SOURCE)
    assert cli("compile", str(d / "m.mlir"), "-o", str(d / "m.vmfb"))[0] == 0
    return d / "m.vmfb"


def bench(module, *flags):
    return cli("benchmark-module", f"--module={module}", "--benchmark_min_time=3x", *flags)


def names(console_out):
    return [line.split()[0] for line in console_out.splitlines()[3:]]


def test_list_tests_names_each_benchmark_and_times_nothing(module):
    assert bench(module, "--benchmark_list_tests") == (0, "\n".join(NAMES) + "\n", "")
    assert bench(module, "--benchmark_list_tests=true", "--benchmark_filter=two") == (0, NAMES[1] + "\n", "")


def test_filter_selects_by_regex(module):
    rc, out, _ = bench(module, "--benchmark_filter=BM_t.o")
    assert rc == 0 and names(out) == [NAMES[1]]


def test_a_filter_that_matches_nothing_says_so(module):
    assert bench(module, "--benchmark_filter=zzz") == (0, "", "Failed to match any benchmarks against regex: zzz\n")


def test_a_bad_filter_is_an_error(module):
    rc, out, err = bench(module, "--benchmark_filter=(")
    assert (rc, out) == (1, "")
    assert err == "INVALID_ARGUMENT; invalid --benchmark_filter `(`: missing ), unterminated subpattern at position 0\n"


def test_console_context_goes_to_stderr(module):
    rc, out, err = bench(module)
    lines = err.splitlines()
    assert rc == 0 and names(out) == NAMES
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", lines[0])
    assert lines[1].startswith("Running ") and re.fullmatch(r"Run on \(\d+ X \d+ MHz CPU s\)", lines[2])
    assert re.fullmatch(r"Load Average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d", next(x for x in lines if x.startswith("Load")))


def test_json_has_google_benchmarks_fields_and_number_format(module):
    rc, out, err = bench(module, "--benchmark_format=json", "--benchmark_repetitions=2", "--function=f",
                         "--input=4xf32=1")
    assert (rc, err) == (0, "")
    doc = json.loads(out)
    for key in ("caches", "load_avg", "json_schema_version", "num_cpus", "mhz_per_cpu", "host_name"):
        assert key in doc["context"]
    assert doc["context"]["json_schema_version"] == 1
    rows = doc["benchmarks"]
    assert [list(r) for r in rows] == [ROW_KEYS] * 2 + [AGGREGATE_KEYS] * 4
    assert [r.get("aggregate_unit") for r in rows] == [None, None, "time", "time", "time", "percentage"]
    assert {(r["family_index"], r["per_family_instance_index"]) for r in rows} == {(0, 0)}
    for key in ("real_time", "cpu_time", "items_per_second"):
        assert re.search(rf'"{key}": -?\d\.\d{{16}}e[+-]\d\d,?\n', out)


def test_one_iteration_count_across_repetitions(module):
    rc, out, _ = cli("benchmark-module", f"--module={module}", "--function=f", "--input=4xf32=1",
                     "--benchmark_min_time=0.02s", "--benchmark_repetitions=3", "--benchmark_format=json")
    rows = json.loads(out)["benchmarks"]
    assert rc == 0 and len({r["iterations"] for r in rows if r["run_type"] == "iteration"}) == 1


def test_time_unit(module):
    rc, out, _ = bench(module, "--benchmark_time_unit=us", "--benchmark_filter=one")
    assert rc == 0 and re.fullmatch(r"BM_one/process_time/real_time +\d+\.\d{3} us +\d+\.\d{3} us +3 .*",
                                    out.splitlines()[3])
    rc, out, _ = bench(module, "--benchmark_time_unit=ns", "--benchmark_format=json")
    assert {r["time_unit"] for r in json.loads(out)["benchmarks"]} == {"ns"}


def test_display_aggregates_only_keeps_every_row_in_the_file(module, tmp_path):
    report = tmp_path / "r.json"
    rc, out, _ = bench(module, "--benchmark_repetitions=2", "--benchmark_display_aggregates_only",
                       f"--benchmark_out={report}")
    assert rc == 0 and names(out) == [f"{n}_{a}" for n in NAMES for a in AGGREGATES]
    assert [r["name"] for r in json.loads(report.read_text())["benchmarks"]] == \
        [name for n in NAMES for name in [n, n] + [f"{n}_{a}" for a in AGGREGATES]]


def test_report_aggregates_only_everywhere(module, tmp_path):
    report = tmp_path / "r.json"
    rc, out, _ = bench(module, "--benchmark_repetitions=2", "--benchmark_report_aggregates_only=true",
                       f"--benchmark_out={report}")
    assert rc == 0 and names(out) == [f"{n}_{a}" for n in NAMES for a in AGGREGATES]
    assert [r["name"] for r in json.loads(report.read_text())["benchmarks"]] == names(out)
    # A benchmark that ran once has no aggregates: its row is its report.
    rc, out, _ = bench(module, "--benchmark_report_aggregates_only")
    assert names(out) == NAMES


def test_out_formats(module, tmp_path):
    report = tmp_path / "r.csv"
    rc, _, _ = bench(module, "--benchmark_out_format=csv", f"--benchmark_out={report}")
    lines = report.read_text().splitlines()
    header = lines.index("name,iterations,real_time,cpu_time,time_unit,bytes_per_second,items_per_second,label,"
                         "error_occurred,error_message")
    assert rc == 0 and lines[1].startswith("Running ") and header > 2   # the context comes first
    assert [re.match(r'"([^"]+)",3,[\d.e+-]+,[\d.e+-]+,ms,,[\d.e+-]+,,,$', x).group(1) for x in lines[header + 1:]] == NAMES
    report = tmp_path / "r.txt"
    rc, _, _ = bench(module, "--benchmark_out_format=console", f"--benchmark_out={report}")
    text = report.read_text()
    assert rc == 0 and text.splitlines()[1].startswith("Running ") and names(text[text.index("-----"):]) == NAMES


def test_random_interleaving_reports_each_benchmark_in_order(module):
    rc, out, _ = bench(module, "--benchmark_repetitions=3", "--benchmark_enable_random_interleaving=true")
    assert rc == 0 and names(out) == [name for n in NAMES for name in [n] * 3 + [f"{n}_{a}" for a in AGGREGATES]]


@pytest.mark.parametrize("flag", ["--benchmark_list_tests=maybe", "--benchmark_time_unit=h",
                                  "--benchmark_min_warmup_time=soon", "--benchmark_out_format=xml"])
def test_bad_values_are_usage_errors(module, flag):
    rc, out, err = bench(module, flag)
    assert (rc, out) == (2, "") and err.splitlines()[-1].startswith(f"iree-lite benchmark-module: error: argument "
                                                                   f"{flag.partition('=')[0]}")


def test_same_json_rows_as_iree(reference_iree, module, tmp_path):
    """Our rows have IREE's keys in IREE's order. IREE defect, recorded:
    iree-benchmark-module fixes its benchmarks' unit to ms, so
    --benchmark_time_unit has no effect there; iree-lite honours it."""
    src = tmp_path / "abs.mlir"
    src.write_text(SOURCE)
    vmfb = tmp_path / "iree.vmfb"
    subprocess.run([reference_iree["iree-compile"], "--iree-hal-target-backends=llvm-cpu", str(src), "-o", str(vmfb)],
                   check=True, capture_output=True, timeout=300)
    flags = ["--function=f", "--input=4xf32=1", "--benchmark_min_time=3x", "--benchmark_repetitions=2",
             "--benchmark_format=json", "--benchmark_time_unit=us"]
    tool = reference_iree["iree-run-module"].replace("iree-run-module", "iree-benchmark-module")
    theirs = json.loads(subprocess.run([tool, f"--module={vmfb}", *flags], check=True, capture_output=True,
                                       timeout=300).stdout)
    rc, out, _ = cli("benchmark-module", f"--module={module}", *flags)
    ours = json.loads(out)
    assert rc == 0
    assert [list(r) for r in ours["benchmarks"]] == [list(r) for r in theirs["benchmarks"]]
    assert set(theirs["context"]) <= set(ours["context"])
    assert {r["time_unit"] for r in theirs["benchmarks"]} == {"ms"}   # still ignores the flag
    assert {r["time_unit"] for r in ours["benchmarks"]} == {"us"}


GBENCH_COMPARE = os.environ.get("GBENCH_COMPARE")


@pytest.mark.skipif(not GBENCH_COMPARE, reason="GBENCH_COMPARE is not set (google/benchmark's tools/compare.py)")
def test_google_benchmarks_compare_reads_our_reports(module, tmp_path):
    reports = []
    for run in ("old", "new"):
        reports.append(tmp_path / f"{run}.json")
        rc, _, _ = bench(module, "--benchmark_repetitions=3", f"--benchmark_out={reports[-1]}",
                         "--benchmark_out_format=json")
        assert rc == 0
    compared = subprocess.run([sys.executable, GBENCH_COMPARE, "--no-color", "benchmarks", *map(str, reports)],
                              capture_output=True, text=True, timeout=120)
    assert (compared.returncode, compared.stderr) == (0, "")
    rows = [line.split()[0] for line in compared.stdout.splitlines()[3:]]
    # Each repetition, the U test's p-value and each aggregate, for both functions, then the geomean.
    expected = []
    for name in NAMES:
        expected += [name] * 3 + [f"{name}_pvalue"] + [f"{name}_{a}" for a in AGGREGATES]
    assert rows == expected + ["OVERALL_GEOMEAN"]
