// linalg.pack and linalg.unpack: 2x2 tiles of a 4x4 matrix and back; a
// 3x3 tiling of it padded with -1, its outer dimensions swapped.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s

// CHECK-LABEL: EXEC @tiles
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x2x2x2xi32={{\[\[\[0 1\]\[4 5\]\]\[\[2 3\]\[6 7\]\]\]\[\[\[8 9\]\[12 13\]\]\[\[10 11\]\[14 15\]\]\]}}
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 4x4xi32=[0 1 2 3][4 5 6 7][8 9 10 11][12 13 14 15]
func.func @tiles() -> (tensor<2x2x2x2xi32>, tensor<4x4xi32>) {
  %x = util.unfoldable_constant dense<[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]> : tensor<4x4xi32>
  %init = tensor.empty() : tensor<2x2x2x2xi32>
  %p = linalg.pack %x inner_dims_pos = [0, 1] inner_tiles = [2, 2] into %init : tensor<4x4xi32> -> tensor<2x2x2x2xi32>
  %back = tensor.empty() : tensor<4x4xi32>
  %u = linalg.unpack %p inner_dims_pos = [0, 1] inner_tiles = [2, 2] into %back : tensor<2x2x2x2xi32> -> tensor<4x4xi32>
  return %p, %u : tensor<2x2x2x2xi32>, tensor<4x4xi32>
}

// CHECK-LABEL: EXEC @padded
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x2x3x3xi32={{\[\[\[0 1 2\]\[4 5 6\]\[8 9 10\]\]\[\[12 13 14\]\[\-1 \-1 \-1\]\[\-1 \-1 \-1\]\]\]\[\[\[3 \-1 \-1\]\[7 \-1 \-1\]\[11 \-1 \-1\]\]\[\[15 \-1 \-1\]\[\-1 \-1 \-1\]\[\-1 \-1 \-1\]\]\]}}
func.func @padded() -> tensor<2x2x3x3xi32> {
  %x = util.unfoldable_constant dense<[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, 15]]> : tensor<4x4xi32>
  %pad = arith.constant -1 : i32
  %init = tensor.empty() : tensor<2x2x3x3xi32>
  %p = linalg.pack %x padding_value(%pad : i32) outer_dims_perm = [1, 0] inner_dims_pos = [0, 1] inner_tiles = [3, 3]
    into %init : tensor<4x4xi32> -> tensor<2x2x3x3xi32>
  return %p : tensor<2x2x3x3xi32>
}
