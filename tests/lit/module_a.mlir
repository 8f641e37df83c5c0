// Exports `abs`, which allocates its result. Imported by pipeline_async.mlir.
// The explicit module name makes this file work under the real IREE too
// (which names a bare file `module`).
module @module_a {
  func.func @abs(%input: tensor<4096xf32>) -> tensor<4096xf32> {
    %result = math.absf %input : tensor<4096xf32>
    return %result : tensor<4096xf32>
  }
}
