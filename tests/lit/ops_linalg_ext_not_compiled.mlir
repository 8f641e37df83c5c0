// The iree_linalg_ext ops iree-lite does not compile end in a located
// error saying why: those formed only inside IREE's own pipeline. Each
// section below is compiled on its own (its lines start `//> `, so that the
// file itself is an empty program).
// RUN: sed -n '/^\/\/ BEGIN im2col/,/^\/\/ END/s|^//> ||p' %s | not iree-compile - -o %t 2>&1 | FileCheck %s --check-prefix=IM2COL
// RUN: sed -n '/^\/\/ BEGIN exp_reduction/,/^\/\/ END/s|^//> ||p' %s | not iree-compile - -o %t 2>&1 | FileCheck %s --check-prefix=EXP

// IM2COL: <stdin>:2:8: error: 'iree_linalg_ext.im2col' is formed inside IREE's own compilation pipeline, not by its input conversions
// EXP: <stdin>:2:10: error: 'iree_linalg_ext.exp_reduction' is formed inside IREE's own compilation pipeline

// BEGIN im2col
//> func.func @f(%x: tensor<1x6x6x2xf32>, %o: tensor<1x16x18xf32>) -> tensor<1x16x18xf32> {
//>   %r = iree_linalg_ext.im2col strides = [1, 1] dilations = [1, 1] kernel_size = [3, 3] offsets = [0, 0, 0]
//>     output_sizes = [[1], [4, 4], [3, 3, 2]] batch_pos = [0] m_pos = [1, 2] k_pos = [3] input_k_perm = [0, 1, 2]
//>     output_perm = [0, 1, 2] ins(%x : tensor<1x6x6x2xf32>) outs(%o : tensor<1x16x18xf32>) -> tensor<1x16x18xf32>
//>   return %r : tensor<1x16x18xf32>
//> }
// END
// BEGIN exp_reduction
//> func.func @f(%x: tensor<4xf32>, %m: tensor<f32>, %s: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
//>   %r:2 = iree_linalg_ext.exp_reduction {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> ()>,
//>       affine_map<(i) -> ()>], iterator_types = [#iree_linalg_ext.iterator_type<reduction>], exp_reduced_operands = [1]}
//>     ins(%x : tensor<4xf32>) outs(%m, %s : tensor<f32>, tensor<f32>) {
//>   ^bb0(%e: f32, %mx: f32, %acc: f32):
//>     %a = arith.addf %e, %acc : f32
//>     iree_linalg_ext.yield %mx, %a : f32, f32
//>   } -> tensor<f32>, tensor<f32>
//>   return %r#0, %r#1 : tensor<f32>, tensor<f32>
//> }
// END
