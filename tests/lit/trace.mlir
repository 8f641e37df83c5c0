// --trace writes a Chrome trace-event timeline: the host's call and
// dispatch, the tile batches the two workers took (exactly covering the
// elements), and a flow from the worker's finishing signal to the host's wait.
// RUN: iree-compile --iree-execution-model=async-external %s -o=%t.vmfb
// RUN: iree-run-module --device=local-task --task_topology_group_count=2 --module=%t.vmfb --function=scale \
// RUN:   --input=1048576xf32=1.5 --expected_output=1048576xf32=3.0 --trace=%t.json | FileCheck %s --check-prefix=RESULT
// RUN: %python -c "import json, sys; d = json.load(open(sys.argv[1])); ev = d['traceEvents']; \
// RUN:   n = {e['tid']: e['args']['name'] for e in ev if e['name'] == 'thread_name'}; \
// RUN:   x = [e for e in ev if e['ph'] == 'X']; \
// RUN:   t = sorted((e['args']['begin'], e['args']['end'], n[e['tid']][:6]) for e in x if e['cat'] == 'tiles'); \
// RUN:   print('threads:', ', '.join(sorted(n.values()))); \
// RUN:   [print(e['cat'] + ':', e['name'], 'on', n[e['tid']]) for e in x if e['cat'] in ('call', 'dispatch')]; \
// RUN:   print('tiles:', t[0][0], 'to', t[-1][1], 'contiguous' if all(a[1] == b[0] for a, b in zip(t, t[1:])) else 'GAPS', \
// RUN:         'on', sorted(set(w for _, _, w in t))); \
// RUN:   print('flows:', ' '.join(e['ph'] + '@' + n[e['tid']][:6] for e in ev if e['ph'] in ('s', 'f'))); \
// RUN:   print('dropped:', d['metadata']['dropped_events'])" %t.json | FileCheck %s

// RESULT: [SUCCESS]
// CHECK: threads: host, worker 0, worker 1
// CHECK-NEXT: call: trace.scale on host
// CHECK-NEXT: dispatch: trace_dispatch_0 on host
// CHECK-NEXT: tiles: 0 to 1048576 contiguous on ['worker']
// CHECK-NEXT: flows: s@worker f@host
// CHECK-NEXT: dropped: 0
func.func @scale(%x: tensor<1048576xf32>) -> tensor<1048576xf32> {
  %0 = arith.addf %x, %x : tensor<1048576xf32>
  return %0 : tensor<1048576xf32>
}
