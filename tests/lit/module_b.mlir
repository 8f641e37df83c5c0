// Exports `mul`, which computes into caller-provided storage (`%output` is
// the storage of result 0). Imported by pipeline_async.mlir.
module @module_b {
  func.func @mul(%lhs: tensor<4096xf32>, %rhs: tensor<4096xf32>, %output: tensor<4096xf32> {iree.abi.output = 0 : index}) -> tensor<4096xf32> {
    %result = arith.mulf %lhs, %rhs : tensor<4096xf32>
    return %result : tensor<4096xf32>
  }
}
