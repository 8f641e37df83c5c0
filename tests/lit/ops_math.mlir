// Every math op, with FileCheck on the printed results. Expected values were
// computed independently (numpy in f64, rounded to the element type; Python
// integers), not copied from iree-lite.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task | FileCheck %s

// CHECK-LABEL: EXEC @unary_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf32=0 INF 2.5 3
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5xf32=2 1.41421 -0 INF 0
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 5xf32=0.5 2 INF 0 -INF
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 5xf32=3 -2 1.25992 -0 0.1
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 2.71828 0 0.367879 12.1825
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 1024 0.5 0 1.41421
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 1E-10 1.71828 -1 -0.632121
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 2.30259 -INF INF -0.693147
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 5xf32=3 -1 1.58496 -INF INF
// CHECK-NEXT: result[9]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 1E-10 -INF 0.693147 INF
// CHECK-NEXT: result[10]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 0.841471 -0.909297 0.14112 0.479426
// CHECK-NEXT: result[11]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 0.540302 -0.989992 -0.416147 1
// CHECK-NEXT: result[12]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 1.55741 -1.55741 0.546302 14.1014
// CHECK-NEXT: result[13]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 1.5708 -0.523599 -0 0.25268
// CHECK-NEXT: result[14]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 3.14159 1.5708 1.0472 1.82348
// CHECK-NEXT: result[15]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 0.785398 -1.5708 1.5708 -0
// CHECK-NEXT: result[16]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 1.1752 -1.1752 0.521095 10.0179
// CHECK-NEXT: result[17]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 1.54308 3.7622 1 10.0677
// CHECK-NEXT: result[18]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 0.761594 -1 1 -0
// CHECK-NEXT: result[19]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 0.881374 -0.881374 0.481212 5.29834
// CHECK-NEXT: result[20]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 1.31696 2.99322 INF 0.962424
// CHECK-NEXT: result[21]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 0.549306 -0.549306 INF -INF
// CHECK-NEXT: result[22]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 0.842701 -0.5205 0.999978 -1
// CHECK-NEXT: result[23]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 -2 -0 -1 INF
// CHECK-NEXT: result[24]: hal.buffer_view
// CHECK-NEXT: 5xf32=2 -1 -0 1 -INF
// CHECK-NEXT: result[25]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 -3 1 -0 3
// CHECK-NEXT: result[26]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 2 2 -2 -0
func.func @unary_f32() -> (tensor<4xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {
  %x_absf = util.unfoldable_constant dense<[-0.0, 0xFF800000, -2.5, 3.0]> : tensor<4xf32>
  %absf = math.absf %x_absf : tensor<4xf32>
  %x_sqrt = util.unfoldable_constant dense<[4.0, 2.0, -0.0, 0x7F800000, 0.0]> : tensor<5xf32>
  %sqrt = math.sqrt %x_sqrt : tensor<5xf32>
  %x_rsqrt = util.unfoldable_constant dense<[4.0, 0.25, 0.0, 0x7F800000, -0.0]> : tensor<5xf32>
  %rsqrt = math.rsqrt %x_rsqrt : tensor<5xf32>
  %x_cbrt = util.unfoldable_constant dense<[27.0, -8.0, 2.0, -0.0, 0.001]> : tensor<5xf32>
  %cbrt = math.cbrt %x_cbrt : tensor<5xf32>
  %x_exp = util.unfoldable_constant dense<[0.0, 1.0, 0xFF800000, -1.0, 2.5]> : tensor<5xf32>
  %exp = math.exp %x_exp : tensor<5xf32>
  %x_exp2 = util.unfoldable_constant dense<[0.0, 10.0, -1.0, 0xFF800000, 0.5]> : tensor<5xf32>
  %exp2 = math.exp2 %x_exp2 : tensor<5xf32>
  %x_expm1 = util.unfoldable_constant dense<[0.0, 1.0e-10, 1.0, 0xFF800000, -1.0]> : tensor<5xf32>
  %expm1 = math.expm1 %x_expm1 : tensor<5xf32>
  %x_log = util.unfoldable_constant dense<[1.0, 10.0, 0.0, 0x7F800000, 0.5]> : tensor<5xf32>
  %log = math.log %x_log : tensor<5xf32>
  %x_log2 = util.unfoldable_constant dense<[8.0, 0.5, 3.0, 0.0, 0x7F800000]> : tensor<5xf32>
  %log2 = math.log2 %x_log2 : tensor<5xf32>
  %x_log1p = util.unfoldable_constant dense<[0.0, 1.0e-10, -1.0, 1.0, 0x7F800000]> : tensor<5xf32>
  %log1p = math.log1p %x_log1p : tensor<5xf32>
  %x_sin = util.unfoldable_constant dense<[0.0, 1.0, -2.0, 3.0, 0.5]> : tensor<5xf32>
  %sin = math.sin %x_sin : tensor<5xf32>
  %x_cos = util.unfoldable_constant dense<[0.0, 1.0, 3.0, -2.0, -0.0]> : tensor<5xf32>
  %cos = math.cos %x_cos : tensor<5xf32>
  %x_tan = util.unfoldable_constant dense<[0.0, 1.0, -1.0, 0.5, 1.5]> : tensor<5xf32>
  %tan = math.tan %x_tan : tensor<5xf32>
  %x_asin = util.unfoldable_constant dense<[0.0, 1.0, -0.5, -0.0, 0.25]> : tensor<5xf32>
  %asin = math.asin %x_asin : tensor<5xf32>
  %x_acos = util.unfoldable_constant dense<[1.0, -1.0, 0.0, 0.5, -0.25]> : tensor<5xf32>
  %acos = math.acos %x_acos : tensor<5xf32>
  %x_atan = util.unfoldable_constant dense<[0.0, 1.0, 0xFF800000, 10000000000.0, -0.0]> : tensor<5xf32>
  %atan = math.atan %x_atan : tensor<5xf32>
  %x_sinh = util.unfoldable_constant dense<[0.0, 1.0, -1.0, 0.5, 3.0]> : tensor<5xf32>
  %sinh = math.sinh %x_sinh : tensor<5xf32>
  %x_cosh = util.unfoldable_constant dense<[0.0, 1.0, -2.0, -0.0, 3.0]> : tensor<5xf32>
  %cosh = math.cosh %x_cosh : tensor<5xf32>
  %x_tanh = util.unfoldable_constant dense<[0.0, 1.0, -20.0, 0x7F800000, -0.0]> : tensor<5xf32>
  %tanh = math.tanh %x_tanh : tensor<5xf32>
  %x_asinh = util.unfoldable_constant dense<[0.0, 1.0, -1.0, 0.5, 100.0]> : tensor<5xf32>
  %asinh = math.asinh %x_asinh : tensor<5xf32>
  %x_acosh = util.unfoldable_constant dense<[1.0, 2.0, 10.0, 0x7F800000, 1.5]> : tensor<5xf32>
  %acosh = math.acosh %x_acosh : tensor<5xf32>
  %x_atanh = util.unfoldable_constant dense<[0.0, 0.5, -0.5, 1.0, -1.0]> : tensor<5xf32>
  %atanh = math.atanh %x_atanh : tensor<5xf32>
  %x_erf = util.unfoldable_constant dense<[0.0, 1.0, -0.5, 3.0, 0xFF800000]> : tensor<5xf32>
  %erf = math.erf %x_erf : tensor<5xf32>
  %x_floor = util.unfoldable_constant dense<[1.5, -1.5, -0.0, -0.5, 0x7F800000]> : tensor<5xf32>
  %floor = math.floor %x_floor : tensor<5xf32>
  %x_ceil = util.unfoldable_constant dense<[1.5, -1.5, -0.5, 0.2, 0xFF800000]> : tensor<5xf32>
  %ceil = math.ceil %x_ceil : tensor<5xf32>
  %x_round = util.unfoldable_constant dense<[0.5, -2.5, 1.49, -0.4, 2.5]> : tensor<5xf32>
  %round = math.round %x_round : tensor<5xf32>
  %x_roundeven = util.unfoldable_constant dense<[0.5, 1.5, 2.5, -2.5, -0.4]> : tensor<5xf32>
  %roundeven = math.roundeven %x_roundeven : tensor<5xf32>
  return %absf, %sqrt, %rsqrt, %cbrt, %exp, %exp2, %expm1, %log, %log2, %log1p, %sin, %cos, %tan, %asin, %acos, %atan, %sinh, %cosh, %tanh, %asinh, %acosh, %atanh, %erf, %floor, %ceil, %round, %roundeven : tensor<4xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
}

// CHECK-LABEL: EXEC @log10_erfc_trunc_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xf32=3 -2 0.30103 -INF -INF
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 0.157299 1.8427 1.53746E-12 0
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 -1 -0 INF 0
func.func @log10_erfc_trunc_f32() -> (tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {
  %x_log10 = util.unfoldable_constant dense<[1000.0, 0.01, 2.0, 0.0, -0.0]> : tensor<5xf32>
  %log10 = math.log10 %x_log10 : tensor<5xf32>
  %x_erfc = util.unfoldable_constant dense<[0.0, 1.0, -1.0, 5.0, 0x7F800000]> : tensor<5xf32>
  %erfc = math.erfc %x_erfc : tensor<5xf32>
  %x_trunc = util.unfoldable_constant dense<[1.9, -1.9, -0.5, 0x7F800000, 0.0]> : tensor<5xf32>
  %trunc = math.trunc %x_trunc : tensor<5xf32>
  return %log10, %erfc, %trunc : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
}

// CHECK-LABEL: EXEC @unary_f16
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf16=0 INF 2.5 3
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5xf16=2 1.41406 -0 INF 0
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 5xf16=1 2.71875 0 0.36792 12.1797
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 5xf16=0 2.30273 -INF INF -0.693359
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 5xf16=0 0.841309 -0.90918 0.141113 0.479492
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 5xf16=1 0.540527 -0.990234 -0.41626 1
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 5xf16=0 0.761719 -1 1 -0
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 5xf16=1 -2 -0 -1 INF
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 5xf16=2 -1 -0 1 -INF
// CHECK-NEXT: result[9]: hal.buffer_view
// CHECK-NEXT: 5xf16=1 -3 1 -0 3
// CHECK-NEXT: result[10]: hal.buffer_view
// CHECK-NEXT: 5xf16=0 2 2 -2 -0
// CHECK-NEXT: result[11]: hal.buffer_view
// CHECK-NEXT: 5xf16=0 0.842773 -0.520508 1 -1
func.func @unary_f16() -> (tensor<4xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>) {
  %x_absf = util.unfoldable_constant dense<[-0.0, 0xFC00, -2.5, 3.0]> : tensor<4xf16>
  %absf = math.absf %x_absf : tensor<4xf16>
  %x_sqrt = util.unfoldable_constant dense<[4.0, 2.0, -0.0, 0x7C00, 0.0]> : tensor<5xf16>
  %sqrt = math.sqrt %x_sqrt : tensor<5xf16>
  %x_exp = util.unfoldable_constant dense<[0.0, 1.0, 0xFC00, -1.0, 2.5]> : tensor<5xf16>
  %exp = math.exp %x_exp : tensor<5xf16>
  %x_log = util.unfoldable_constant dense<[1.0, 10.0, 0.0, 0x7C00, 0.5]> : tensor<5xf16>
  %log = math.log %x_log : tensor<5xf16>
  %x_sin = util.unfoldable_constant dense<[0.0, 1.0, -2.0, 3.0, 0.5]> : tensor<5xf16>
  %sin = math.sin %x_sin : tensor<5xf16>
  %x_cos = util.unfoldable_constant dense<[0.0, 1.0, 3.0, -2.0, -0.0]> : tensor<5xf16>
  %cos = math.cos %x_cos : tensor<5xf16>
  %x_tanh = util.unfoldable_constant dense<[0.0, 1.0, -20.0, 0x7C00, -0.0]> : tensor<5xf16>
  %tanh = math.tanh %x_tanh : tensor<5xf16>
  %x_floor = util.unfoldable_constant dense<[1.5, -1.5, -0.0, -0.5, 0x7C00]> : tensor<5xf16>
  %floor = math.floor %x_floor : tensor<5xf16>
  %x_ceil = util.unfoldable_constant dense<[1.5, -1.5, -0.5, 0.2, 0xFC00]> : tensor<5xf16>
  %ceil = math.ceil %x_ceil : tensor<5xf16>
  %x_round = util.unfoldable_constant dense<[0.5, -2.5, 1.49, -0.4, 2.5]> : tensor<5xf16>
  %round = math.round %x_round : tensor<5xf16>
  %x_roundeven = util.unfoldable_constant dense<[0.5, 1.5, 2.5, -2.5, -0.4]> : tensor<5xf16>
  %roundeven = math.roundeven %x_roundeven : tensor<5xf16>
  %x_erf = util.unfoldable_constant dense<[0.0, 1.0, -0.5, 3.0, 0xFC00]> : tensor<5xf16>
  %erf = math.erf %x_erf : tensor<5xf16>
  return %absf, %sqrt, %exp, %log, %sin, %cos, %tanh, %floor, %ceil, %round, %roundeven, %erf : tensor<4xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>
}

// CHECK-LABEL: EXEC @trunc_f16
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xf16=1 -1 -0 INF 0
func.func @trunc_f16() -> (tensor<5xf16>) {
  %x_trunc = util.unfoldable_constant dense<[1.9, -1.9, -0.5, 0x7C00, 0.0]> : tensor<5xf16>
  %trunc = math.trunc %x_trunc : tensor<5xf16>
  return %trunc : tensor<5xf16>
}

// CHECK-LABEL: EXEC @unary_f64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf64=0 INF 2.5 3
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5xf64=2 1.41421 -0 INF 0
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 5xf64=0.5 2 INF 0 -INF
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 2.71828 0 0.367879 12.1825
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 1024 0.5 0 1.41421
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 1E-10 1.71828 -1 -0.632121
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 2.30259 -INF INF -0.693147
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 1E-10 -INF 0.693147 INF
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 1.1752 -1.1752 0.521095 10.0179
// CHECK-NEXT: result[9]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 1.54308 3.7622 1 10.0677
// CHECK-NEXT: result[10]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 0.881374 -0.881374 0.481212 5.29834
// CHECK-NEXT: result[11]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 1.31696 2.99322 INF 0.962424
// CHECK-NEXT: result[12]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 0.549306 -0.549306 INF -INF
// CHECK-NEXT: result[13]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 -2 -0 -1 INF
// CHECK-NEXT: result[14]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 -3 1 -0 3
// CHECK-NEXT: result[15]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 2 2 -2 -0
func.func @unary_f64() -> (tensor<4xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>) {
  %x_absf = util.unfoldable_constant dense<[-0.0, 0xFFF0000000000000, -2.5, 3.0]> : tensor<4xf64>
  %absf = math.absf %x_absf : tensor<4xf64>
  %x_sqrt = util.unfoldable_constant dense<[4.0, 2.0, -0.0, 0x7FF0000000000000, 0.0]> : tensor<5xf64>
  %sqrt = math.sqrt %x_sqrt : tensor<5xf64>
  %x_rsqrt = util.unfoldable_constant dense<[4.0, 0.25, 0.0, 0x7FF0000000000000, -0.0]> : tensor<5xf64>
  %rsqrt = math.rsqrt %x_rsqrt : tensor<5xf64>
  %x_exp = util.unfoldable_constant dense<[0.0, 1.0, 0xFFF0000000000000, -1.0, 2.5]> : tensor<5xf64>
  %exp = math.exp %x_exp : tensor<5xf64>
  %x_exp2 = util.unfoldable_constant dense<[0.0, 10.0, -1.0, 0xFFF0000000000000, 0.5]> : tensor<5xf64>
  %exp2 = math.exp2 %x_exp2 : tensor<5xf64>
  %x_expm1 = util.unfoldable_constant dense<[0.0, 1.0e-10, 1.0, 0xFFF0000000000000, -1.0]> : tensor<5xf64>
  %expm1 = math.expm1 %x_expm1 : tensor<5xf64>
  %x_log = util.unfoldable_constant dense<[1.0, 10.0, 0.0, 0x7FF0000000000000, 0.5]> : tensor<5xf64>
  %log = math.log %x_log : tensor<5xf64>
  %x_log1p = util.unfoldable_constant dense<[0.0, 1.0e-10, -1.0, 1.0, 0x7FF0000000000000]> : tensor<5xf64>
  %log1p = math.log1p %x_log1p : tensor<5xf64>
  %x_sinh = util.unfoldable_constant dense<[0.0, 1.0, -1.0, 0.5, 3.0]> : tensor<5xf64>
  %sinh = math.sinh %x_sinh : tensor<5xf64>
  %x_cosh = util.unfoldable_constant dense<[0.0, 1.0, -2.0, -0.0, 3.0]> : tensor<5xf64>
  %cosh = math.cosh %x_cosh : tensor<5xf64>
  %x_asinh = util.unfoldable_constant dense<[0.0, 1.0, -1.0, 0.5, 100.0]> : tensor<5xf64>
  %asinh = math.asinh %x_asinh : tensor<5xf64>
  %x_acosh = util.unfoldable_constant dense<[1.0, 2.0, 10.0, 0x7FF0000000000000, 1.5]> : tensor<5xf64>
  %acosh = math.acosh %x_acosh : tensor<5xf64>
  %x_atanh = util.unfoldable_constant dense<[0.0, 0.5, -0.5, 1.0, -1.0]> : tensor<5xf64>
  %atanh = math.atanh %x_atanh : tensor<5xf64>
  %x_floor = util.unfoldable_constant dense<[1.5, -1.5, -0.0, -0.5, 0x7FF0000000000000]> : tensor<5xf64>
  %floor = math.floor %x_floor : tensor<5xf64>
  %x_round = util.unfoldable_constant dense<[0.5, -2.5, 1.49, -0.4, 2.5]> : tensor<5xf64>
  %round = math.round %x_round : tensor<5xf64>
  %x_roundeven = util.unfoldable_constant dense<[0.5, 1.5, 2.5, -2.5, -0.4]> : tensor<5xf64>
  %roundeven = math.roundeven %x_roundeven : tensor<5xf64>
  return %absf, %sqrt, %rsqrt, %exp, %exp2, %expm1, %log, %log1p, %sinh, %cosh, %asinh, %acosh, %atanh, %floor, %round, %roundeven : tensor<4xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>
}

// CHECK-LABEL: EXEC @libm_f64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xf64=3 -2 1.25992 -0 0.1
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5xf64=3 -1 1.58496 -INF INF
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 5xf64=3 -2 0.30103 -INF -INF
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 0.841471 -0.909297 0.14112 0.479426
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 0.540302 -0.989992 -0.416147 1
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 1.55741 -1.55741 0.546302 14.1014
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 1.5708 -0.523599 -0 0.25268
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 3.14159 1.5708 1.0472 1.82348
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 0.785398 -1.5708 1.5708 -0
// CHECK-NEXT: result[9]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 0.842701 -0.5205 0.999978 -1
// CHECK-NEXT: result[10]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 0.157299 1.8427 1.53746E-12 0
// CHECK-NEXT: result[11]: hal.buffer_view
// CHECK-NEXT: 5xf64=2 -1 -0 1 -INF
// CHECK-NEXT: result[12]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 -1 -0 INF 0
// CHECK-NEXT: result[13]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 0.761594 -1 1 -0
func.func @libm_f64() -> (tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>) {
  %x_cbrt = util.unfoldable_constant dense<[27.0, -8.0, 2.0, -0.0, 0.001]> : tensor<5xf64>
  %cbrt = math.cbrt %x_cbrt : tensor<5xf64>
  %x_log2 = util.unfoldable_constant dense<[8.0, 0.5, 3.0, 0.0, 0x7FF0000000000000]> : tensor<5xf64>
  %log2 = math.log2 %x_log2 : tensor<5xf64>
  %x_log10 = util.unfoldable_constant dense<[1000.0, 0.01, 2.0, 0.0, -0.0]> : tensor<5xf64>
  %log10 = math.log10 %x_log10 : tensor<5xf64>
  %x_sin = util.unfoldable_constant dense<[0.0, 1.0, -2.0, 3.0, 0.5]> : tensor<5xf64>
  %sin = math.sin %x_sin : tensor<5xf64>
  %x_cos = util.unfoldable_constant dense<[0.0, 1.0, 3.0, -2.0, -0.0]> : tensor<5xf64>
  %cos = math.cos %x_cos : tensor<5xf64>
  %x_tan = util.unfoldable_constant dense<[0.0, 1.0, -1.0, 0.5, 1.5]> : tensor<5xf64>
  %tan = math.tan %x_tan : tensor<5xf64>
  %x_asin = util.unfoldable_constant dense<[0.0, 1.0, -0.5, -0.0, 0.25]> : tensor<5xf64>
  %asin = math.asin %x_asin : tensor<5xf64>
  %x_acos = util.unfoldable_constant dense<[1.0, -1.0, 0.0, 0.5, -0.25]> : tensor<5xf64>
  %acos = math.acos %x_acos : tensor<5xf64>
  %x_atan = util.unfoldable_constant dense<[0.0, 1.0, 0xFFF0000000000000, 10000000000.0, -0.0]> : tensor<5xf64>
  %atan = math.atan %x_atan : tensor<5xf64>
  %x_erf = util.unfoldable_constant dense<[0.0, 1.0, -0.5, 3.0, 0xFFF0000000000000]> : tensor<5xf64>
  %erf = math.erf %x_erf : tensor<5xf64>
  %x_erfc = util.unfoldable_constant dense<[0.0, 1.0, -1.0, 5.0, 0x7FF0000000000000]> : tensor<5xf64>
  %erfc = math.erfc %x_erfc : tensor<5xf64>
  %x_ceil = util.unfoldable_constant dense<[1.5, -1.5, -0.5, 0.2, 0xFFF0000000000000]> : tensor<5xf64>
  %ceil = math.ceil %x_ceil : tensor<5xf64>
  %x_trunc = util.unfoldable_constant dense<[1.9, -1.9, -0.5, 0x7FF0000000000000, 0.0]> : tensor<5xf64>
  %trunc = math.trunc %x_trunc : tensor<5xf64>
  %x_tanh = util.unfoldable_constant dense<[0.0, 1.0, -20.0, 0x7FF0000000000000, -0.0]> : tensor<5xf64>
  %tanh = math.tanh %x_tanh : tensor<5xf64>
  return %cbrt, %log2, %log10, %sin, %cos, %tan, %asin, %acos, %atan, %erf, %erfc, %ceil, %trunc, %tanh : tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>
}

// Odd functions keep the sign of zero.
// CHECK-LABEL: EXEC @negative_zero_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1xf32=-0
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 1xf32=-0
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 1xf32=-0
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 1xf32=-0
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 1xf32=-0
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 1xf32=-0
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 1xf32=-0
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 1xf32=-0
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 1xf32=-0
func.func @negative_zero_f32() -> (tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) {
  %x_sin = util.unfoldable_constant dense<[-0.0]> : tensor<1xf32>
  %sin = math.sin %x_sin : tensor<1xf32>
  %x_tan = util.unfoldable_constant dense<[-0.0]> : tensor<1xf32>
  %tan = math.tan %x_tan : tensor<1xf32>
  %x_sinh = util.unfoldable_constant dense<[-0.0]> : tensor<1xf32>
  %sinh = math.sinh %x_sinh : tensor<1xf32>
  %x_asinh = util.unfoldable_constant dense<[-0.0]> : tensor<1xf32>
  %asinh = math.asinh %x_asinh : tensor<1xf32>
  %x_atanh = util.unfoldable_constant dense<[-0.0]> : tensor<1xf32>
  %atanh = math.atanh %x_atanh : tensor<1xf32>
  %x_erf = util.unfoldable_constant dense<[-0.0]> : tensor<1xf32>
  %erf = math.erf %x_erf : tensor<1xf32>
  %x_expm1 = util.unfoldable_constant dense<[-0.0]> : tensor<1xf32>
  %expm1 = math.expm1 %x_expm1 : tensor<1xf32>
  %x_log1p = util.unfoldable_constant dense<[-0.0]> : tensor<1xf32>
  %log1p = math.log1p %x_log1p : tensor<1xf32>
  %x_ceil = util.unfoldable_constant dense<[-0.0]> : tensor<1xf32>
  %ceil = math.ceil %x_ceil : tensor<1xf32>
  return %sin, %tan, %sinh, %asinh, %atanh, %erf, %expm1, %log1p, %ceil : tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>
}

// CHECK-LABEL: EXEC @negative_zero_f64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1xf64=-0
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 1xf64=-0
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 1xf64=-0
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 1xf64=-0
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 1xf64=-0
func.func @negative_zero_f64() -> (tensor<1xf64>, tensor<1xf64>, tensor<1xf64>, tensor<1xf64>, tensor<1xf64>) {
  %x_sinh = util.unfoldable_constant dense<[-0.0]> : tensor<1xf64>
  %sinh = math.sinh %x_sinh : tensor<1xf64>
  %x_asinh = util.unfoldable_constant dense<[-0.0]> : tensor<1xf64>
  %asinh = math.asinh %x_asinh : tensor<1xf64>
  %x_atanh = util.unfoldable_constant dense<[-0.0]> : tensor<1xf64>
  %atanh = math.atanh %x_atanh : tensor<1xf64>
  %x_expm1 = util.unfoldable_constant dense<[-0.0]> : tensor<1xf64>
  %expm1 = math.expm1 %x_expm1 : tensor<1xf64>
  %x_log1p = util.unfoldable_constant dense<[-0.0]> : tensor<1xf64>
  %log1p = math.log1p %x_log1p : tensor<1xf64>
  return %sinh, %asinh, %atanh, %expm1, %log1p : tensor<1xf64>, tensor<1xf64>, tensor<1xf64>, tensor<1xf64>, tensor<1xf64>
}

// CHECK-LABEL: EXEC @negative_zero_f16
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 1xf16=-0
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 1xf16=-0
func.func @negative_zero_f16() -> (tensor<1xf16>, tensor<1xf16>) {
  %x_sin = util.unfoldable_constant dense<[-0.0]> : tensor<1xf16>
  %sin = math.sin %x_sin : tensor<1xf16>
  %x_erf = util.unfoldable_constant dense<[-0.0]> : tensor<1xf16>
  %erf = math.erf %x_erf : tensor<1xf16>
  return %sin, %erf : tensor<1xf16>, tensor<1xf16>
}

// CHECK-LABEL: EXEC @large_arguments_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3xf32=-0.506366 -NAN -NAN
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3xf32=0.862319 -NAN -NAN
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 3xf32=4.64159 -INF INF
func.func @large_arguments_f32() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %x_sin = util.unfoldable_constant dense<[100.0, 0xFF800000, 0x7F800000]> : tensor<3xf32>
  %sin = math.sin %x_sin : tensor<3xf32>
  %x_cos = util.unfoldable_constant dense<[100.0, 0xFF800000, 0x7F800000]> : tensor<3xf32>
  %cos = math.cos %x_cos : tensor<3xf32>
  %x_cbrt = util.unfoldable_constant dense<[100.0, 0xFF800000, 0x7F800000]> : tensor<3xf32>
  %cbrt = math.cbrt %x_cbrt : tensor<3xf32>
  return %sin, %cos, %cbrt : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// Domain errors give a NaN whose sign is libm's choice (x86: negative); a NaN operand propagates.
// CHECK-LABEL: EXEC @nan_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2xf32=-NAN NAN
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xf32={{-?}}NAN NAN
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2xf32=-1.5708 NAN
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 2xf32=-NAN NAN
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 2xf32=-0.841471 NAN
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 2xf32=-1 NAN
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 2xf32=0.367879 NAN
func.func @nan_f32() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %m = util.unfoldable_constant dense<[-1.0, 0x7FC00000]> : tensor<2xf32>
  %sqrt = math.sqrt %m : tensor<2xf32>
  %log = math.log %m : tensor<2xf32>
  %asin = math.asin %m : tensor<2xf32>
  %acosh = math.acosh %m : tensor<2xf32>
  %sin = math.sin %m : tensor<2xf32>
  %floor = math.floor %m : tensor<2xf32>
  %exp = math.exp %m : tensor<2xf32>
  return %sqrt, %log, %asin, %acosh, %sin, %floor, %exp : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// Domain errors give a NaN whose sign is libm's choice (x86: negative); a NaN operand propagates.
// CHECK-LABEL: EXEC @nan_f16
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2xf16=-NAN NAN
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xf16={{-?}}NAN NAN
func.func @nan_f16() -> (tensor<2xf16>, tensor<2xf16>) {
  %m = util.unfoldable_constant dense<[-1.0, 0x7E00]> : tensor<2xf16>
  %sqrt = math.sqrt %m : tensor<2xf16>
  %log = math.log %m : tensor<2xf16>
  return %sqrt, %log : tensor<2xf16>, tensor<2xf16>
}

// CHECK-LABEL: EXEC @binary_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xf32=8 0.5 0 0.25 2
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5xf32=0.785398 2.35619 -1.5708 0 3.14159
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 5xf32=-1 2 -INF 0 -5
func.func @binary_f32() -> (tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {
  %p = util.unfoldable_constant dense<[2.0, 2.0, 0x7F800000, 0.5, 4.0]> : tensor<5xf32>
  %q = util.unfoldable_constant dense<[3.0, -1.0, -1.0, 2.0, 0.5]> : tensor<5xf32>
  %y = util.unfoldable_constant dense<[1.0, 1.0, -1.0, 0.0, 2.0]> : tensor<5xf32>
  %x = util.unfoldable_constant dense<[1.0, -1.0, 0.0, 1.0, 0xFF800000]> : tensor<5xf32>
  %c = util.unfoldable_constant dense<[1.0, -2.0, 0x7F800000, -0.0, 5.0]> : tensor<5xf32>
  %s = util.unfoldable_constant dense<[-0.0, 3.0, -1.0, 1.0, -7.0]> : tensor<5xf32>
  %powf = math.powf %p, %q : tensor<5xf32>
  %atan2 = math.atan2 %y, %x : tensor<5xf32>
  %copysign = math.copysign %c, %s : tensor<5xf32>
  return %powf, %atan2, %copysign : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
}

// CHECK-LABEL: EXEC @binary_f16
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xf16=8 0.5 0 0.25 2
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5xf16=0.785156 2.35547 -1.57031 0 3.14062
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 5xf16=-1 2 -INF 0 -5
func.func @binary_f16() -> (tensor<5xf16>, tensor<5xf16>, tensor<5xf16>) {
  %p = util.unfoldable_constant dense<[2.0, 2.0, 0x7C00, 0.5, 4.0]> : tensor<5xf16>
  %q = util.unfoldable_constant dense<[3.0, -1.0, -1.0, 2.0, 0.5]> : tensor<5xf16>
  %y = util.unfoldable_constant dense<[1.0, 1.0, -1.0, 0.0, 2.0]> : tensor<5xf16>
  %x = util.unfoldable_constant dense<[1.0, -1.0, 0.0, 1.0, 0xFC00]> : tensor<5xf16>
  %c = util.unfoldable_constant dense<[1.0, -2.0, 0x7C00, -0.0, 5.0]> : tensor<5xf16>
  %s = util.unfoldable_constant dense<[-0.0, 3.0, -1.0, 1.0, -7.0]> : tensor<5xf16>
  %powf = math.powf %p, %q : tensor<5xf16>
  %atan2 = math.atan2 %y, %x : tensor<5xf16>
  %copysign = math.copysign %c, %s : tensor<5xf16>
  return %powf, %atan2, %copysign : tensor<5xf16>, tensor<5xf16>, tensor<5xf16>
}

// CHECK-LABEL: EXEC @powf_copysign_f64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xf64=8 0.5 0 0.25 2
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5xf64=-1 2 -INF 0 -5
func.func @powf_copysign_f64() -> (tensor<5xf64>, tensor<5xf64>) {
  %p = util.unfoldable_constant dense<[2.0, 2.0, 0x7FF0000000000000, 0.5, 4.0]> : tensor<5xf64>
  %q = util.unfoldable_constant dense<[3.0, -1.0, -1.0, 2.0, 0.5]> : tensor<5xf64>
  %c = util.unfoldable_constant dense<[1.0, -2.0, 0x7FF0000000000000, -0.0, 5.0]> : tensor<5xf64>
  %s = util.unfoldable_constant dense<[-0.0, 3.0, -1.0, 1.0, -7.0]> : tensor<5xf64>
  %powf = math.powf %p, %q : tensor<5xf64>
  %copysign = math.copysign %c, %s : tensor<5xf64>
  return %powf, %copysign : tensor<5xf64>, tensor<5xf64>
}

// CHECK-LABEL: EXEC @atan2_f64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xf64=0.785398 2.35619 -1.5708 0 3.14159
func.func @atan2_f64() -> (tensor<5xf64>) {
  %y = util.unfoldable_constant dense<[1.0, 1.0, -1.0, 0.0, 2.0]> : tensor<5xf64>
  %x = util.unfoldable_constant dense<[1.0, -1.0, 0.0, 1.0, 0xFFF0000000000000]> : tensor<5xf64>
  %atan2 = math.atan2 %y, %x : tensor<5xf64>
  return %atan2 : tensor<5xf64>
}

// pow of a negative base is NaN unless the exponent is integral; 0^0 = 1; atan2(-0, -1) = -pi.
// CHECK-LABEL: EXEC @binary_edges_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3xf32=-NAN 1 -8
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 3xf32=-3.14159 0 NAN
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 3xf32=-NAN NAN 1
func.func @binary_edges_f32() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %p = util.unfoldable_constant dense<[-8.0, 0.0, -2.0]> : tensor<3xf32>
  %q = util.unfoldable_constant dense<[0.5, 0.0, 3.0]> : tensor<3xf32>
  %y = util.unfoldable_constant dense<[-0.0, 0.0, 0x7FC00000]> : tensor<3xf32>
  %x = util.unfoldable_constant dense<[-1.0, 0.0, 1.0]> : tensor<3xf32>
  %c = util.unfoldable_constant dense<[0x7FC00000, 0xFFC00000, 1.0]> : tensor<3xf32>
  %s = util.unfoldable_constant dense<[-1.0, 1.0, 0x7FC00000]> : tensor<3xf32>
  %powf = math.powf %p, %q : tensor<3xf32>
  %atan2 = math.atan2 %y, %x : tensor<3xf32>
  %copysign = math.copysign %c, %s : tensor<3xf32>
  return %powf, %atan2, %copysign : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// fma rounds once (the first element is 0 if it rounded twice).
// CHECK-LABEL: EXEC @fma
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf32=5.96046E-08 7 0 -NAN
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xf16=3.25 0
func.func @fma() -> (tensor<4xf32>, tensor<2xf16>) {
  %a = util.unfoldable_constant dense<[1.000244140625, 2.0, -1.5, 0x7F800000]> : tensor<4xf32>
  %b = util.unfoldable_constant dense<[1.000244140625, 3.0, 2.0, 0.0]> : tensor<4xf32>
  %c = util.unfoldable_constant dense<[-1.00048828125, 1.0, 3.0, 1.0]> : tensor<4xf32>
  %fma = math.fma %a, %b, %c : tensor<4xf32>
  %ah = util.unfoldable_constant dense<[1.5, -2.0]> : tensor<2xf16>
  %bh = util.unfoldable_constant dense<[2.0, 0.25]> : tensor<2xf16>
  %ch = util.unfoldable_constant dense<[0.25, 0.5]> : tensor<2xf16>
  %fmah = math.fma %ah, %bh, %ch : tensor<2xf16>
  return %fma, %fmah : tensor<4xf32>, tensor<2xf16>
}

// CHECK-LABEL: EXEC @fma_f64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2xf64=5.55112E-17 2
func.func @fma_f64() -> (tensor<2xf64>) {
  %ad = util.unfoldable_constant dense<[1.0000000074505806, 0.5]> : tensor<2xf64>
  %bd = util.unfoldable_constant dense<[1.0000000074505806, 4.0]> : tensor<2xf64>
  %cd = util.unfoldable_constant dense<[-1.0000000149011612, -0.0]> : tensor<2xf64>
  %fmad = math.fma %ad, %bd, %cd : tensor<2xf64>
  return %fmad : tensor<2xf64>
}

// CHECK-LABEL: EXEC @absi
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xi8=-128 1 0 127 5
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5xi32=-2147483648 1 0 2147483647 5
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 5xi64=-9223372036854775808 1 0 9223372036854775807 5
func.func @absi() -> (tensor<5xi8>, tensor<5xi32>, tensor<5xi64>) {
  %a_i8 = util.unfoldable_constant dense<[-128, -1, 0, 127, -5]> : tensor<5xi8>
  %absi_i8 = math.absi %a_i8 : tensor<5xi8>
  %a_i32 = util.unfoldable_constant dense<[-2147483648, -1, 0, 2147483647, -5]> : tensor<5xi32>
  %absi_i32 = math.absi %a_i32 : tensor<5xi32>
  %a_i64 = util.unfoldable_constant dense<[-9223372036854775808, -1, 0, 9223372036854775807, -5]> : tensor<5xi64>
  %absi_i64 = math.absi %a_i64 : tensor<5xi64>
  return %absi_i8, %absi_i32, %absi_i64 : tensor<5xi8>, tensor<5xi32>, tensor<5xi64>
}

// CHECK-LABEL: EXEC @ipowi
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 9xi8=0 -27 -128 1 -1 1 1 0 -95
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 9xi32=1024 -27 -2147483648 1 -1 1 1 0 -501334399
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 9xi64=1024 -27 -9223372036854775808 1 -1 1 1 0 8733086111712066817
func.func @ipowi() -> (tensor<9xi8>, tensor<9xi32>, tensor<9xi64>) {
  %x_i8 = util.unfoldable_constant dense<[2, -3, 2, 5, -1, -1, 1, 7, 3]> : tensor<9xi8>
  %n_i8 = util.unfoldable_constant dense<[10, 3, 7, 0, -3, -4, -7, -1, 8]> : tensor<9xi8>
  %ipowi_i8 = math.ipowi %x_i8, %n_i8 : tensor<9xi8>
  %x_i32 = util.unfoldable_constant dense<[2, -3, 2, 5, -1, -1, 1, 7, 3]> : tensor<9xi32>
  %n_i32 = util.unfoldable_constant dense<[10, 3, 31, 0, -3, -4, -7, -1, 32]> : tensor<9xi32>
  %ipowi_i32 = math.ipowi %x_i32, %n_i32 : tensor<9xi32>
  %x_i64 = util.unfoldable_constant dense<[2, -3, 2, 5, -1, -1, 1, 7, 3]> : tensor<9xi64>
  %n_i64 = util.unfoldable_constant dense<[10, 3, 63, 0, -3, -4, -7, -1, 64]> : tensor<9xi64>
  %ipowi_i64 = math.ipowi %x_i64, %n_i64 : tensor<9xi64>
  return %ipowi_i8, %ipowi_i32, %ipowi_i64 : tensor<9xi8>, tensor<9xi32>, tensor<9xi64>
}

// CHECK-LABEL: EXEC @isnan_isfinite
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 7xi1=01 00 00 00 00 00 00
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 7xi1=00 00 00 01 01 01 01
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 7xi1=01 00 00 00 00 00 00
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 7xi1=00 00 00 01 01 01 01
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 7xi1=01 00 00 00 00 00 00
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 7xi1=00 00 00 01 01 01 01
func.func @isnan_isfinite() -> (tensor<7xi1>, tensor<7xi1>, tensor<7xi1>, tensor<7xi1>, tensor<7xi1>, tensor<7xi1>) {
  %v_f32 = util.unfoldable_constant dense<[0x7FC00000, 0x7F800000, 0xFF800000, 0.0, -0.0, 1.0e-45, -3.0]> : tensor<7xf32>
  %isnan_f32 = math.isnan %v_f32 : tensor<7xf32>
  %isfinite_f32 = math.isfinite %v_f32 : tensor<7xf32>
  %v_f16 = util.unfoldable_constant dense<[0x7E00, 0x7C00, 0xFC00, 0.0, -0.0, 6.0e-08, -3.0]> : tensor<7xf16>
  %isnan_f16 = math.isnan %v_f16 : tensor<7xf16>
  %isfinite_f16 = math.isfinite %v_f16 : tensor<7xf16>
  %v_f64 = util.unfoldable_constant dense<[0x7FF8000000000000, 0x7FF0000000000000, 0xFFF0000000000000, 0.0, -0.0, 5.0e-324, -3.0]> : tensor<7xf64>
  %isnan_f64 = math.isnan %v_f64 : tensor<7xf64>
  %isfinite_f64 = math.isfinite %v_f64 : tensor<7xf64>
  return %isnan_f32, %isfinite_f32, %isnan_f16, %isfinite_f16, %isnan_f64, %isfinite_f64 : tensor<7xi1>, tensor<7xi1>, tensor<7xi1>, tensor<7xi1>, tensor<7xi1>, tensor<7xi1>
}

// CHECK-LABEL: EXEC @isinf
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 7xi1=00 01 01 00 00 00 00
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 7xi1=00 01 01 00 00 00 00
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 7xi1=00 01 01 00 00 00 00
func.func @isinf() -> (tensor<7xi1>, tensor<7xi1>, tensor<7xi1>) {
  %v_f32 = util.unfoldable_constant dense<[0x7FC00000, 0x7F800000, 0xFF800000, 0.0, -0.0, 1.0e-45, -3.0]> : tensor<7xf32>
  %isinf_f32 = math.isinf %v_f32 : tensor<7xf32>
  %v_f16 = util.unfoldable_constant dense<[0x7E00, 0x7C00, 0xFC00, 0.0, -0.0, 6.0e-08, -3.0]> : tensor<7xf16>
  %isinf_f16 = math.isinf %v_f16 : tensor<7xf16>
  %v_f64 = util.unfoldable_constant dense<[0x7FF8000000000000, 0x7FF0000000000000, 0xFFF0000000000000, 0.0, -0.0, 5.0e-324, -3.0]> : tensor<7xf64>
  %isinf_f64 = math.isinf %v_f64 : tensor<7xf64>
  return %isinf_f32, %isinf_f16, %isinf_f64 : tensor<7xi1>, tensor<7xi1>, tensor<7xi1>
}

// CHECK-LABEL: EXEC @fpowi
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf32=8 0.25 INF 0.1
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xf64=2.25 9.22337E+18
func.func @fpowi() -> (tensor<4xf32>, tensor<2xf64>) {
  %x = util.unfoldable_constant dense<[2.0, 2.0, 0.0, 10.0]> : tensor<4xf32>
  %n = util.unfoldable_constant dense<[3, -2, -1, -1]> : tensor<4xi32>
  %p = math.fpowi %x, %n : tensor<4xf32>, tensor<4xi32>
  %xd = util.unfoldable_constant dense<[1.5, 2.0]> : tensor<2xf64>
  %nd = util.unfoldable_constant dense<[2, 63]> : tensor<2xi64>
  %pd = math.fpowi %xd, %nd : tensor<2xf64>, tensor<2xi64>
  return %p, %pd : tensor<4xf32>, tensor<2xf64>
}

// 0^0 = 1 and a negative base to an integer power is defined.
// CHECK-LABEL: EXEC @fpowi_edges
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 3xf32=1 -27 2.25
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 1xf64=-9.22337E+18
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2xf16=9 8
func.func @fpowi_edges() -> (tensor<3xf32>, tensor<1xf64>, tensor<2xf16>) {
  %x = util.unfoldable_constant dense<[0.0, -3.0, -1.5]> : tensor<3xf32>
  %n = util.unfoldable_constant dense<[0, 3, 2]> : tensor<3xi32>
  %p = math.fpowi %x, %n : tensor<3xf32>, tensor<3xi32>
  %xd = util.unfoldable_constant dense<[-2.0]> : tensor<1xf64>
  %nd = util.unfoldable_constant dense<[63]> : tensor<1xi64>
  %pd = math.fpowi %xd, %nd : tensor<1xf64>, tensor<1xi64>
  %xh = util.unfoldable_constant dense<[3.0, 0.5]> : tensor<2xf16>
  %nh = util.unfoldable_constant dense<[2, -3]> : tensor<2xi8>
  %ph = math.fpowi %xh, %nh : tensor<2xf16>, tensor<2xi8>
  return %p, %pd, %ph : tensor<3xf32>, tensor<1xf64>, tensor<2xf16>
}
