// iree_linalg_ext map_load / map_store (regions of affine.linearize_index and
// delinearize_index), the winograd transforms there and back, and
// flow.tensor.reshape / bitcast (a byte read as packed i1 bits). The outputs
// are the real IREE's.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s

// CHECK-LABEL: EXEC @load_transposed
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3x2xi32=[0 4][3 2][1 5]
// CHECK-LABEL: EXEC @store_even
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xi32=10 0 12 0 14 0
// CHECK-LABEL: EXEC @winograd_round_trip
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x2xf32=[90.25 42.75][142.5 42.75]
// CHECK-LABEL: EXEC @mask_bits
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2x4xi8=[1 0 1 0][0 1 0 1]

func.func @load_transposed() -> tensor<3x2xi32> {
  %src = util.unfoldable_constant dense<[[0, 1, 2], [3, 4, 5]]> : tensor<2x3xi32>
  %pad = arith.constant -1 : i32
  %e = tensor.empty() : tensor<3x2xi32>
  %r = iree_linalg_ext.map_load %src into %e {
  ^bb0(%i: index, %j: index):
    %k = affine.linearize_index [%j, %i] by (2, 3) : index
    %p:2 = affine.delinearize_index %k into (3, 2) : index, index
    iree_linalg_ext.yield %p#1, %p#0, %pad : index, index, i32
  } : tensor<2x3xi32> into tensor<3x2xi32> -> tensor<3x2xi32>
  return %r : tensor<3x2xi32>
}

func.func @store_even() -> tensor<6xi32> {
  %x = util.unfoldable_constant dense<[10, 11, 12, 13, 14, 15]> : tensor<6xi32>
  %out = util.unfoldable_constant dense<0> : tensor<6xi32>
  %c2 = arith.constant 2 : index
  %c0 = arith.constant 0 : index
  %r = iree_linalg_ext.map_store %x into %out {
  ^bb0(%i: index):
    %m = arith.remui %i, %c2 : index
    %even = arith.cmpi eq, %m, %c0 : index
    iree_linalg_ext.yield %i, %even : index, i1
  } : tensor<6xi32> into tensor<6xi32> -> tensor<6xi32>
  return %r : tensor<6xi32>
}

func.func @winograd_round_trip() -> tensor<2x2xf32> {
  %x = util.unfoldable_constant dense<1.0> : tensor<1x6x6x1xf32>
  %e = tensor.empty() : tensor<8x8x1x1x1x1xf32>
  %t = iree_linalg_ext.winograd.input_transform output_tile_size(6) kernel_size(3) image_dimensions([1, 2])
       ins(%x : tensor<1x6x6x1xf32>) outs(%e : tensor<8x8x1x1x1x1xf32>) -> tensor<8x8x1x1x1x1xf32>
  %o = tensor.empty() : tensor<1x6x6x1xf32>
  %y = iree_linalg_ext.winograd.output_transform output_tile_size(6) kernel_size(3) image_dimensions([1, 2])
       ins(%t : tensor<8x8x1x1x1x1xf32>) outs(%o : tensor<1x6x6x1xf32>) -> tensor<1x6x6x1xf32>
  %flat = flow.tensor.reshape %y : tensor<1x6x6x1xf32> -> tensor<36xf32>
  %corner = tensor.extract_slice %flat[0] [4] [1] : tensor<36xf32> to tensor<4xf32>
  %r = flow.tensor.reshape %corner : tensor<4xf32> -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}

func.func @mask_bits() -> tensor<2x4xi8> {
  %bytes = util.unfoldable_constant dense<[165]> : tensor<1xi8>
  %bits = flow.tensor.bitcast %bytes : tensor<1xi8> -> tensor<2x4xi1, #iree_encoding.packed_storage>
  %e = tensor.empty() : tensor<2x4xi8>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%bits : tensor<2x4xi1, #iree_encoding.packed_storage>) outs(%e : tensor<2x4xi8>) {
  ^bb0(%v: i1, %o: i8):
    %w = arith.extui %v : i1 to i8
    linalg.yield %w : i8
  } -> tensor<2x4xi8>
  return %r : tensor<2x4xi8>
}
