// Every math op, with FileCheck on the printed results. Expected values were
// computed independently (numpy in f64, rounded to the element type; Python
// integers), not copied from iree-lite.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task | FileCheck %s

// CHECK-LABEL: EXEC @unary_f32_a
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf32=0 INF 2.5 3
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5xf32=2 1.41421 -0 INF -NAN
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 5xf32=0.5 2 INF 0 -INF
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 5xf32=3 -2 1.25992 -0 -INF
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 2.71828 0 0.367879 12.1825
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 1024 0.5 0 1.41421
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 1E-10 -0 1.71828 -1
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 2.30259 -INF INF -0.693147
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 5xf32=3 -1 1.58496 -INF INF
// CHECK-NEXT: result[9]: hal.buffer_view
// CHECK-NEXT: 5xf32=3 -2 0.30103 -INF -INF
// CHECK-NEXT: result[10]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 1E-10 -INF 0.693147 -0
// CHECK-NEXT: result[11]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 -0 0.841471 -0.909297 -0.506366
// CHECK-NEXT: result[12]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 0.540302 -0.989992 -0.416147 0.862319
// CHECK-NEXT: result[13]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 1.55741 -1.55741 0.546302 -0
// CHECK-NEXT: result[14]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 1.5708 -0.523599 -0 0.25268
func.func @unary_f32_a() -> (tensor<4xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {
  %x_absf = util.unfoldable_constant dense<[-0.0, 0xFF800000, -2.5, 3.0]> : tensor<4xf32>
  %absf = math.absf %x_absf : tensor<4xf32>
  %x_sqrt = util.unfoldable_constant dense<[4.0, 2.0, -0.0, 0x7F800000, -1.0]> : tensor<5xf32>
  %sqrt = math.sqrt %x_sqrt : tensor<5xf32>
  %x_rsqrt = util.unfoldable_constant dense<[4.0, 0.25, 0.0, 0x7F800000, -0.0]> : tensor<5xf32>
  %rsqrt = math.rsqrt %x_rsqrt : tensor<5xf32>
  %x_cbrt = util.unfoldable_constant dense<[27.0, -8.0, 2.0, -0.0, 0xFF800000]> : tensor<5xf32>
  %cbrt = math.cbrt %x_cbrt : tensor<5xf32>
  %x_exp = util.unfoldable_constant dense<[0.0, 1.0, 0xFF800000, -1.0, 2.5]> : tensor<5xf32>
  %exp = math.exp %x_exp : tensor<5xf32>
  %x_exp2 = util.unfoldable_constant dense<[0.0, 10.0, -1.0, 0xFF800000, 0.5]> : tensor<5xf32>
  %exp2 = math.exp2 %x_exp2 : tensor<5xf32>
  %x_expm1 = util.unfoldable_constant dense<[0.0, 1.0e-10, -0.0, 1.0, 0xFF800000]> : tensor<5xf32>
  %expm1 = math.expm1 %x_expm1 : tensor<5xf32>
  %x_log = util.unfoldable_constant dense<[1.0, 10.0, 0.0, 0x7F800000, 0.5]> : tensor<5xf32>
  %log = math.log %x_log : tensor<5xf32>
  %x_log2 = util.unfoldable_constant dense<[8.0, 0.5, 3.0, 0.0, 0x7F800000]> : tensor<5xf32>
  %log2 = math.log2 %x_log2 : tensor<5xf32>
  %x_log10 = util.unfoldable_constant dense<[1000.0, 0.01, 2.0, 0.0, -0.0]> : tensor<5xf32>
  %log10 = math.log10 %x_log10 : tensor<5xf32>
  %x_log1p = util.unfoldable_constant dense<[0.0, 1.0e-10, -1.0, 1.0, -0.0]> : tensor<5xf32>
  %log1p = math.log1p %x_log1p : tensor<5xf32>
  %x_sin = util.unfoldable_constant dense<[0.0, -0.0, 1.0, -2.0, 100.0]> : tensor<5xf32>
  %sin = math.sin %x_sin : tensor<5xf32>
  %x_cos = util.unfoldable_constant dense<[0.0, 1.0, 3.0, -2.0, 100.0]> : tensor<5xf32>
  %cos = math.cos %x_cos : tensor<5xf32>
  %x_tan = util.unfoldable_constant dense<[0.0, 1.0, -1.0, 0.5, -0.0]> : tensor<5xf32>
  %tan = math.tan %x_tan : tensor<5xf32>
  %x_asin = util.unfoldable_constant dense<[0.0, 1.0, -0.5, -0.0, 0.25]> : tensor<5xf32>
  %asin = math.asin %x_asin : tensor<5xf32>
  return %absf, %sqrt, %rsqrt, %cbrt, %exp, %exp2, %expm1, %log, %log2, %log10, %log1p, %sin, %cos, %tan, %asin : tensor<4xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
}

// CHECK-LABEL: EXEC @unary_f32_b
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 3.14159 1.5708 1.0472 1.82348
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 0.785398 -1.5708 1.5708 -0
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 1.1752 -1.1752 -0 10.0179
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 1.54308 3.7622 1 10.0677
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 0.761594 -1 1 -0
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 0.881374 -0.881374 -0 5.29834
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 1.31696 2.99322 INF 0.962424
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 0.549306 -0.549306 INF -0
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 0.842701 -0.5205 0.999978 -0
// CHECK-NEXT: result[9]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 0.157299 1.8427 1.53746E-12 0
// CHECK-NEXT: result[10]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 -2 -0 -1 INF
// CHECK-NEXT: result[11]: hal.buffer_view
// CHECK-NEXT: 5xf32=2 -1 -0 1 -INF
// CHECK-NEXT: result[12]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 -3 1 -0 3
// CHECK-NEXT: result[13]: hal.buffer_view
// CHECK-NEXT: 5xf32=0 2 2 -2 -0
// CHECK-NEXT: result[14]: hal.buffer_view
// CHECK-NEXT: 5xf32=1 -1 -0 INF 0
func.func @unary_f32_b() -> (tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {
  %x_acos = util.unfoldable_constant dense<[1.0, -1.0, 0.0, 0.5, -0.25]> : tensor<5xf32>
  %acos = math.acos %x_acos : tensor<5xf32>
  %x_atan = util.unfoldable_constant dense<[0.0, 1.0, 0xFF800000, 10000000000.0, -0.0]> : tensor<5xf32>
  %atan = math.atan %x_atan : tensor<5xf32>
  %x_sinh = util.unfoldable_constant dense<[0.0, 1.0, -1.0, -0.0, 3.0]> : tensor<5xf32>
  %sinh = math.sinh %x_sinh : tensor<5xf32>
  %x_cosh = util.unfoldable_constant dense<[0.0, 1.0, -2.0, -0.0, 3.0]> : tensor<5xf32>
  %cosh = math.cosh %x_cosh : tensor<5xf32>
  %x_tanh = util.unfoldable_constant dense<[0.0, 1.0, -20.0, 0x7F800000, -0.0]> : tensor<5xf32>
  %tanh = math.tanh %x_tanh : tensor<5xf32>
  %x_asinh = util.unfoldable_constant dense<[0.0, 1.0, -1.0, -0.0, 100.0]> : tensor<5xf32>
  %asinh = math.asinh %x_asinh : tensor<5xf32>
  %x_acosh = util.unfoldable_constant dense<[1.0, 2.0, 10.0, 0x7F800000, 1.5]> : tensor<5xf32>
  %acosh = math.acosh %x_acosh : tensor<5xf32>
  %x_atanh = util.unfoldable_constant dense<[0.0, 0.5, -0.5, 1.0, -0.0]> : tensor<5xf32>
  %atanh = math.atanh %x_atanh : tensor<5xf32>
  %x_erf = util.unfoldable_constant dense<[0.0, 1.0, -0.5, 3.0, -0.0]> : tensor<5xf32>
  %erf = math.erf %x_erf : tensor<5xf32>
  %x_erfc = util.unfoldable_constant dense<[0.0, 1.0, -1.0, 5.0, 0x7F800000]> : tensor<5xf32>
  %erfc = math.erfc %x_erfc : tensor<5xf32>
  %x_floor = util.unfoldable_constant dense<[1.5, -1.5, -0.0, -0.5, 0x7F800000]> : tensor<5xf32>
  %floor = math.floor %x_floor : tensor<5xf32>
  %x_ceil = util.unfoldable_constant dense<[1.5, -1.5, -0.5, 0.2, 0xFF800000]> : tensor<5xf32>
  %ceil = math.ceil %x_ceil : tensor<5xf32>
  %x_round = util.unfoldable_constant dense<[0.5, -2.5, 1.49, -0.4, 2.5]> : tensor<5xf32>
  %round = math.round %x_round : tensor<5xf32>
  %x_roundeven = util.unfoldable_constant dense<[0.5, 1.5, 2.5, -2.5, -0.4]> : tensor<5xf32>
  %roundeven = math.roundeven %x_roundeven : tensor<5xf32>
  %x_trunc = util.unfoldable_constant dense<[1.9, -1.9, -0.5, 0x7F800000, 0.0]> : tensor<5xf32>
  %trunc = math.trunc %x_trunc : tensor<5xf32>
  return %acos, %atan, %sinh, %cosh, %tanh, %asinh, %acosh, %atanh, %erf, %erfc, %floor, %ceil, %round, %roundeven, %trunc : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
}

// CHECK-LABEL: EXEC @unary_f16
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf16=0 INF 2.5 3
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5xf16=2 1.41406 -0 INF -NAN
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 5xf16=1 2.71875 0 0.36792 12.1797
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 5xf16=0 2.30273 -INF INF -0.693359
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 5xf16=0 -0 0.841309 -0.90918 -0.506348
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 5xf16=1 0.540527 -0.990234 -0.41626 0.862305
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
// CHECK-NEXT: 5xf16=1 -1 -0 INF 0
// CHECK-NEXT: result[12]: hal.buffer_view
// CHECK-NEXT: 5xf16=0 0.842773 -0.520508 1 -0
func.func @unary_f16() -> (tensor<4xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>) {
  %x_absf = util.unfoldable_constant dense<[-0.0, 0xFC00, -2.5, 3.0]> : tensor<4xf16>
  %absf = math.absf %x_absf : tensor<4xf16>
  %x_sqrt = util.unfoldable_constant dense<[4.0, 2.0, -0.0, 0x7C00, -1.0]> : tensor<5xf16>
  %sqrt = math.sqrt %x_sqrt : tensor<5xf16>
  %x_exp = util.unfoldable_constant dense<[0.0, 1.0, 0xFC00, -1.0, 2.5]> : tensor<5xf16>
  %exp = math.exp %x_exp : tensor<5xf16>
  %x_log = util.unfoldable_constant dense<[1.0, 10.0, 0.0, 0x7C00, 0.5]> : tensor<5xf16>
  %log = math.log %x_log : tensor<5xf16>
  %x_sin = util.unfoldable_constant dense<[0.0, -0.0, 1.0, -2.0, 100.0]> : tensor<5xf16>
  %sin = math.sin %x_sin : tensor<5xf16>
  %x_cos = util.unfoldable_constant dense<[0.0, 1.0, 3.0, -2.0, 100.0]> : tensor<5xf16>
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
  %x_trunc = util.unfoldable_constant dense<[1.9, -1.9, -0.5, 0x7C00, 0.0]> : tensor<5xf16>
  %trunc = math.trunc %x_trunc : tensor<5xf16>
  %x_erf = util.unfoldable_constant dense<[0.0, 1.0, -0.5, 3.0, -0.0]> : tensor<5xf16>
  %erf = math.erf %x_erf : tensor<5xf16>
  return %absf, %sqrt, %exp, %log, %sin, %cos, %tanh, %floor, %ceil, %round, %roundeven, %trunc, %erf : tensor<4xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>, tensor<5xf16>
}

// CHECK-LABEL: EXEC @unary_f64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf64=0 INF 2.5 3
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 5xf64=2 1.41421 -0 INF -NAN
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 5xf64=0.5 2 INF 0 -INF
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 5xf64=3 -2 1.25992 -0 -INF
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 2.71828 0 0.367879 12.1825
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 1024 0.5 0 1.41421
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 1E-10 -0 1.71828 -1
// CHECK-NEXT: result[7]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 2.30259 -INF INF -0.693147
// CHECK-NEXT: result[8]: hal.buffer_view
// CHECK-NEXT: 5xf64=3 -1 1.58496 -INF INF
// CHECK-NEXT: result[9]: hal.buffer_view
// CHECK-NEXT: 5xf64=3 -2 0.30103 -INF -INF
// CHECK-NEXT: result[10]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 1E-10 -INF 0.693147 -0
// CHECK-NEXT: result[11]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 -0 0.841471 -0.909297 -0.506366
// CHECK-NEXT: result[12]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 0.540302 -0.989992 -0.416147 0.862319
// CHECK-NEXT: result[13]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 1.55741 -1.55741 0.546302 -0
// CHECK-NEXT: result[14]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 1.5708 -0.523599 -0 0.25268
// CHECK-NEXT: result[15]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 3.14159 1.5708 1.0472 1.82348
// CHECK-NEXT: result[16]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 0.785398 -1.5708 1.5708 -0
// CHECK-NEXT: result[17]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 1.1752 -1.1752 -0 10.0179
// CHECK-NEXT: result[18]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 1.54308 3.7622 1 10.0677
// CHECK-NEXT: result[19]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 0.881374 -0.881374 -0 5.29834
// CHECK-NEXT: result[20]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 1.31696 2.99322 INF 0.962424
// CHECK-NEXT: result[21]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 0.549306 -0.549306 INF -0
// CHECK-NEXT: result[22]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 0.842701 -0.5205 0.999978 -0
// CHECK-NEXT: result[23]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 0.157299 1.8427 1.53746E-12 0
// CHECK-NEXT: result[24]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 -2 -0 -1 INF
// CHECK-NEXT: result[25]: hal.buffer_view
// CHECK-NEXT: 5xf64=2 -1 -0 1 -INF
// CHECK-NEXT: result[26]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 -3 1 -0 3
// CHECK-NEXT: result[27]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 2 2 -2 -0
// CHECK-NEXT: result[28]: hal.buffer_view
// CHECK-NEXT: 5xf64=1 -1 -0 INF 0
func.func @unary_f64() -> (tensor<4xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>) {
  %x_absf = util.unfoldable_constant dense<[-0.0, 0xFFF0000000000000, -2.5, 3.0]> : tensor<4xf64>
  %absf = math.absf %x_absf : tensor<4xf64>
  %x_sqrt = util.unfoldable_constant dense<[4.0, 2.0, -0.0, 0x7FF0000000000000, -1.0]> : tensor<5xf64>
  %sqrt = math.sqrt %x_sqrt : tensor<5xf64>
  %x_rsqrt = util.unfoldable_constant dense<[4.0, 0.25, 0.0, 0x7FF0000000000000, -0.0]> : tensor<5xf64>
  %rsqrt = math.rsqrt %x_rsqrt : tensor<5xf64>
  %x_cbrt = util.unfoldable_constant dense<[27.0, -8.0, 2.0, -0.0, 0xFFF0000000000000]> : tensor<5xf64>
  %cbrt = math.cbrt %x_cbrt : tensor<5xf64>
  %x_exp = util.unfoldable_constant dense<[0.0, 1.0, 0xFFF0000000000000, -1.0, 2.5]> : tensor<5xf64>
  %exp = math.exp %x_exp : tensor<5xf64>
  %x_exp2 = util.unfoldable_constant dense<[0.0, 10.0, -1.0, 0xFFF0000000000000, 0.5]> : tensor<5xf64>
  %exp2 = math.exp2 %x_exp2 : tensor<5xf64>
  %x_expm1 = util.unfoldable_constant dense<[0.0, 1.0e-10, -0.0, 1.0, 0xFFF0000000000000]> : tensor<5xf64>
  %expm1 = math.expm1 %x_expm1 : tensor<5xf64>
  %x_log = util.unfoldable_constant dense<[1.0, 10.0, 0.0, 0x7FF0000000000000, 0.5]> : tensor<5xf64>
  %log = math.log %x_log : tensor<5xf64>
  %x_log2 = util.unfoldable_constant dense<[8.0, 0.5, 3.0, 0.0, 0x7FF0000000000000]> : tensor<5xf64>
  %log2 = math.log2 %x_log2 : tensor<5xf64>
  %x_log10 = util.unfoldable_constant dense<[1000.0, 0.01, 2.0, 0.0, -0.0]> : tensor<5xf64>
  %log10 = math.log10 %x_log10 : tensor<5xf64>
  %x_log1p = util.unfoldable_constant dense<[0.0, 1.0e-10, -1.0, 1.0, -0.0]> : tensor<5xf64>
  %log1p = math.log1p %x_log1p : tensor<5xf64>
  %x_sin = util.unfoldable_constant dense<[0.0, -0.0, 1.0, -2.0, 100.0]> : tensor<5xf64>
  %sin = math.sin %x_sin : tensor<5xf64>
  %x_cos = util.unfoldable_constant dense<[0.0, 1.0, 3.0, -2.0, 100.0]> : tensor<5xf64>
  %cos = math.cos %x_cos : tensor<5xf64>
  %x_tan = util.unfoldable_constant dense<[0.0, 1.0, -1.0, 0.5, -0.0]> : tensor<5xf64>
  %tan = math.tan %x_tan : tensor<5xf64>
  %x_asin = util.unfoldable_constant dense<[0.0, 1.0, -0.5, -0.0, 0.25]> : tensor<5xf64>
  %asin = math.asin %x_asin : tensor<5xf64>
  %x_acos = util.unfoldable_constant dense<[1.0, -1.0, 0.0, 0.5, -0.25]> : tensor<5xf64>
  %acos = math.acos %x_acos : tensor<5xf64>
  %x_atan = util.unfoldable_constant dense<[0.0, 1.0, 0xFFF0000000000000, 10000000000.0, -0.0]> : tensor<5xf64>
  %atan = math.atan %x_atan : tensor<5xf64>
  %x_sinh = util.unfoldable_constant dense<[0.0, 1.0, -1.0, -0.0, 3.0]> : tensor<5xf64>
  %sinh = math.sinh %x_sinh : tensor<5xf64>
  %x_cosh = util.unfoldable_constant dense<[0.0, 1.0, -2.0, -0.0, 3.0]> : tensor<5xf64>
  %cosh = math.cosh %x_cosh : tensor<5xf64>
  %x_asinh = util.unfoldable_constant dense<[0.0, 1.0, -1.0, -0.0, 100.0]> : tensor<5xf64>
  %asinh = math.asinh %x_asinh : tensor<5xf64>
  %x_acosh = util.unfoldable_constant dense<[1.0, 2.0, 10.0, 0x7FF0000000000000, 1.5]> : tensor<5xf64>
  %acosh = math.acosh %x_acosh : tensor<5xf64>
  %x_atanh = util.unfoldable_constant dense<[0.0, 0.5, -0.5, 1.0, -0.0]> : tensor<5xf64>
  %atanh = math.atanh %x_atanh : tensor<5xf64>
  %x_erf = util.unfoldable_constant dense<[0.0, 1.0, -0.5, 3.0, -0.0]> : tensor<5xf64>
  %erf = math.erf %x_erf : tensor<5xf64>
  %x_erfc = util.unfoldable_constant dense<[0.0, 1.0, -1.0, 5.0, 0x7FF0000000000000]> : tensor<5xf64>
  %erfc = math.erfc %x_erfc : tensor<5xf64>
  %x_floor = util.unfoldable_constant dense<[1.5, -1.5, -0.0, -0.5, 0x7FF0000000000000]> : tensor<5xf64>
  %floor = math.floor %x_floor : tensor<5xf64>
  %x_ceil = util.unfoldable_constant dense<[1.5, -1.5, -0.5, 0.2, 0xFFF0000000000000]> : tensor<5xf64>
  %ceil = math.ceil %x_ceil : tensor<5xf64>
  %x_round = util.unfoldable_constant dense<[0.5, -2.5, 1.49, -0.4, 2.5]> : tensor<5xf64>
  %round = math.round %x_round : tensor<5xf64>
  %x_roundeven = util.unfoldable_constant dense<[0.5, 1.5, 2.5, -2.5, -0.4]> : tensor<5xf64>
  %roundeven = math.roundeven %x_roundeven : tensor<5xf64>
  %x_trunc = util.unfoldable_constant dense<[1.9, -1.9, -0.5, 0x7FF0000000000000, 0.0]> : tensor<5xf64>
  %trunc = math.trunc %x_trunc : tensor<5xf64>
  return %absf, %sqrt, %rsqrt, %cbrt, %exp, %exp2, %expm1, %log, %log2, %log10, %log1p, %sin, %cos, %tan, %asin, %acos, %atan, %sinh, %cosh, %asinh, %acosh, %atanh, %erf, %erfc, %floor, %ceil, %round, %roundeven, %trunc : tensor<4xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>, tensor<5xf64>
}

// CHECK-LABEL: EXEC @tanh_f64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xf64=0 0.761594 -1 1 -0
func.func @tanh_f64() -> (tensor<5xf64>) {
  %x_tanh = util.unfoldable_constant dense<[0.0, 1.0, -20.0, 0x7FF0000000000000, -0.0]> : tensor<5xf64>
  %tanh = math.tanh %x_tanh : tensor<5xf64>
  return %tanh : tensor<5xf64>
}

// CHECK-LABEL: EXEC @unary_nan
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 2xf32=-NAN NAN
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xf32=NAN NAN
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2xf32=-1.5708 NAN
// CHECK-NEXT: result[3]: hal.buffer_view
// CHECK-NEXT: 2xf32=-NAN NAN
// CHECK-NEXT: result[4]: hal.buffer_view
// CHECK-NEXT: 2xf32=-1 NAN
// CHECK-NEXT: result[5]: hal.buffer_view
// CHECK-NEXT: 2xf32=-0.841471 NAN
// CHECK-NEXT: result[6]: hal.buffer_view
// CHECK-NEXT: 2xf32=-1 NAN
func.func @unary_nan() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %m = util.unfoldable_constant dense<[-1.0, 0x7FC00000]> : tensor<2xf32>
  %sqrt = math.sqrt %m : tensor<2xf32>
  %log = math.log %m : tensor<2xf32>
  %asin = math.asin %m : tensor<2xf32>
  %acosh = math.acosh %m : tensor<2xf32>
  %cbrt = math.cbrt %m : tensor<2xf32>
  %sin = math.sin %m : tensor<2xf32>
  %floor = math.floor %m : tensor<2xf32>
  return %sqrt, %log, %asin, %acosh, %cbrt, %sin, %floor : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// CHECK-LABEL: EXEC @binary_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xf32=8 0.5 -NAN 1 0 -8
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 6xf32=0.785398 2.35619 -3.14159 0 -1.5708 3.14159
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 6xf32=-1 2 -INF -NAN 0 -5
func.func @binary_f32() -> (tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) {
  %p = util.unfoldable_constant dense<[2.0, 2.0, -8.0, 0.0, 0x7F800000, -2.0]> : tensor<6xf32>
  %q = util.unfoldable_constant dense<[3.0, -1.0, 0.5, 0.0, -1.0, 3.0]> : tensor<6xf32>
  %y = util.unfoldable_constant dense<[1.0, 1.0, -0.0, 0.0, -1.0, 1.0]> : tensor<6xf32>
  %x = util.unfoldable_constant dense<[1.0, -1.0, -1.0, 0.0, 0.0, 0xFF800000]> : tensor<6xf32>
  %c = util.unfoldable_constant dense<[1.0, -2.0, 0x7F800000, 0x7FC00000, -0.0, 5.0]> : tensor<6xf32>
  %s = util.unfoldable_constant dense<[-0.0, 3.0, -1.0, -1.0, 1.0, -7.0]> : tensor<6xf32>
  %powf = math.powf %p, %q : tensor<6xf32>
  %atan2 = math.atan2 %y, %x : tensor<6xf32>
  %copysign = math.copysign %c, %s : tensor<6xf32>
  return %powf, %atan2, %copysign : tensor<6xf32>, tensor<6xf32>, tensor<6xf32>
}

// CHECK-LABEL: EXEC @binary_f64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xf64=8 0.5 -NAN 1 0 -8
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 6xf64=0.785398 2.35619 -3.14159 0 -1.5708 3.14159
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 6xf64=-1 2 -INF -NAN 0 -5
func.func @binary_f64() -> (tensor<6xf64>, tensor<6xf64>, tensor<6xf64>) {
  %p = util.unfoldable_constant dense<[2.0, 2.0, -8.0, 0.0, 0x7FF0000000000000, -2.0]> : tensor<6xf64>
  %q = util.unfoldable_constant dense<[3.0, -1.0, 0.5, 0.0, -1.0, 3.0]> : tensor<6xf64>
  %y = util.unfoldable_constant dense<[1.0, 1.0, -0.0, 0.0, -1.0, 1.0]> : tensor<6xf64>
  %x = util.unfoldable_constant dense<[1.0, -1.0, -1.0, 0.0, 0.0, 0xFFF0000000000000]> : tensor<6xf64>
  %c = util.unfoldable_constant dense<[1.0, -2.0, 0x7FF0000000000000, 0x7FF8000000000000, -0.0, 5.0]> : tensor<6xf64>
  %s = util.unfoldable_constant dense<[-0.0, 3.0, -1.0, -1.0, 1.0, -7.0]> : tensor<6xf64>
  %powf = math.powf %p, %q : tensor<6xf64>
  %atan2 = math.atan2 %y, %x : tensor<6xf64>
  %copysign = math.copysign %c, %s : tensor<6xf64>
  return %powf, %atan2, %copysign : tensor<6xf64>, tensor<6xf64>, tensor<6xf64>
}

// CHECK-LABEL: EXEC @binary_f16
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xf16=8 0.5 -NAN 1 0 -8
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 6xf16=0.785156 2.35547 -3.14062 0 -1.57031 3.14062
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 6xf16=-1 2 -INF -NAN 0 -5
func.func @binary_f16() -> (tensor<6xf16>, tensor<6xf16>, tensor<6xf16>) {
  %p = util.unfoldable_constant dense<[2.0, 2.0, -8.0, 0.0, 0x7C00, -2.0]> : tensor<6xf16>
  %q = util.unfoldable_constant dense<[3.0, -1.0, 0.5, 0.0, -1.0, 3.0]> : tensor<6xf16>
  %y = util.unfoldable_constant dense<[1.0, 1.0, -0.0, 0.0, -1.0, 1.0]> : tensor<6xf16>
  %x = util.unfoldable_constant dense<[1.0, -1.0, -1.0, 0.0, 0.0, 0xFC00]> : tensor<6xf16>
  %c = util.unfoldable_constant dense<[1.0, -2.0, 0x7C00, 0x7E00, -0.0, 5.0]> : tensor<6xf16>
  %s = util.unfoldable_constant dense<[-0.0, 3.0, -1.0, -1.0, 1.0, -7.0]> : tensor<6xf16>
  %powf = math.powf %p, %q : tensor<6xf16>
  %atan2 = math.atan2 %y, %x : tensor<6xf16>
  %copysign = math.copysign %c, %s : tensor<6xf16>
  return %powf, %atan2, %copysign : tensor<6xf16>, tensor<6xf16>, tensor<6xf16>
}

// fma rounds once (the first element is 0 if it rounded twice).
// CHECK-LABEL: EXEC @fma
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 4xf32=5.96046E-08 7 0 -NAN
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xf64=5.55112E-17 2
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2xf16=3.25 0
func.func @fma() -> (tensor<4xf32>, tensor<2xf64>, tensor<2xf16>) {
  %a = util.unfoldable_constant dense<[1.000244140625, 2.0, -1.5, 0x7F800000]> : tensor<4xf32>
  %b = util.unfoldable_constant dense<[1.000244140625, 3.0, 2.0, 0.0]> : tensor<4xf32>
  %c = util.unfoldable_constant dense<[-1.00048828125, 1.0, 3.0, 1.0]> : tensor<4xf32>
  %fma = math.fma %a, %b, %c : tensor<4xf32>
  %ad = util.unfoldable_constant dense<[1.0000000074505806, 0.5]> : tensor<2xf64>
  %bd = util.unfoldable_constant dense<[1.0000000074505806, 4.0]> : tensor<2xf64>
  %cd = util.unfoldable_constant dense<[-1.0000000149011612, -0.0]> : tensor<2xf64>
  %fmad = math.fma %ad, %bd, %cd : tensor<2xf64>
  %ah = util.unfoldable_constant dense<[1.5, -2.0]> : tensor<2xf16>
  %bh = util.unfoldable_constant dense<[2.0, 0.25]> : tensor<2xf16>
  %ch = util.unfoldable_constant dense<[0.25, 0.5]> : tensor<2xf16>
  %fmah = math.fma %ah, %bh, %ch : tensor<2xf16>
  return %fma, %fmad, %fmah : tensor<4xf32>, tensor<2xf64>, tensor<2xf16>
}

// CHECK-LABEL: EXEC @integer_i8
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xi8=-128 1 0 127 5
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 9xi8=0 -27 -128 1 -1 1 1 0 -95
func.func @integer_i8() -> (tensor<5xi8>, tensor<9xi8>) {
  %a = util.unfoldable_constant dense<[-128, -1, 0, 127, -5]> : tensor<5xi8>
  %absi = math.absi %a : tensor<5xi8>
  %x = util.unfoldable_constant dense<[2, -3, 2, 5, -1, -1, 1, 7, 3]> : tensor<9xi8>
  %n = util.unfoldable_constant dense<[10, 3, 7, 0, -3, -4, -7, -1, 8]> : tensor<9xi8>
  %ipowi = math.ipowi %x, %n : tensor<9xi8>
  return %absi, %ipowi : tensor<5xi8>, tensor<9xi8>
}

// CHECK-LABEL: EXEC @integer_i32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xi32=-2147483648 1 0 2147483647 5
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 9xi32=1024 -27 -2147483648 1 -1 1 1 0 -501334399
func.func @integer_i32() -> (tensor<5xi32>, tensor<9xi32>) {
  %a = util.unfoldable_constant dense<[-2147483648, -1, 0, 2147483647, -5]> : tensor<5xi32>
  %absi = math.absi %a : tensor<5xi32>
  %x = util.unfoldable_constant dense<[2, -3, 2, 5, -1, -1, 1, 7, 3]> : tensor<9xi32>
  %n = util.unfoldable_constant dense<[10, 3, 31, 0, -3, -4, -7, -1, 32]> : tensor<9xi32>
  %ipowi = math.ipowi %x, %n : tensor<9xi32>
  return %absi, %ipowi : tensor<5xi32>, tensor<9xi32>
}

// CHECK-LABEL: EXEC @integer_i64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 5xi64=-9223372036854775808 1 0 9223372036854775807 5
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 9xi64=1024 -27 -9223372036854775808 1 -1 1 1 0 8733086111712066817
func.func @integer_i64() -> (tensor<5xi64>, tensor<9xi64>) {
  %a = util.unfoldable_constant dense<[-9223372036854775808, -1, 0, 9223372036854775807, -5]> : tensor<5xi64>
  %absi = math.absi %a : tensor<5xi64>
  %x = util.unfoldable_constant dense<[2, -3, 2, 5, -1, -1, 1, 7, 3]> : tensor<9xi64>
  %n = util.unfoldable_constant dense<[10, 3, 63, 0, -3, -4, -7, -1, 64]> : tensor<9xi64>
  %ipowi = math.ipowi %x, %n : tensor<9xi64>
  return %absi, %ipowi : tensor<5xi64>, tensor<9xi64>
}

// CHECK-LABEL: EXEC @classify_f32
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 7xi1=01 00 00 00 00 00 00
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 7xi1=00 01 01 00 00 00 00
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 7xi1=00 00 00 01 01 01 01
func.func @classify_f32() -> (tensor<7xi1>, tensor<7xi1>, tensor<7xi1>) {
  %v = util.unfoldable_constant dense<[0x7FC00000, 0x7F800000, 0xFF800000, 0.0, -0.0, 1.0e-45, -3.0]> : tensor<7xf32>
  %isnan = math.isnan %v : tensor<7xf32>
  %isinf = math.isinf %v : tensor<7xf32>
  %isfinite = math.isfinite %v : tensor<7xf32>
  return %isnan, %isinf, %isfinite : tensor<7xi1>, tensor<7xi1>, tensor<7xi1>
}

// CHECK-LABEL: EXEC @classify_f16
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 7xi1=01 00 00 00 00 00 00
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 7xi1=00 01 01 00 00 00 00
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 7xi1=00 00 00 01 01 01 01
func.func @classify_f16() -> (tensor<7xi1>, tensor<7xi1>, tensor<7xi1>) {
  %v = util.unfoldable_constant dense<[0x7E00, 0x7C00, 0xFC00, 0.0, -0.0, 6.0e-08, -3.0]> : tensor<7xf16>
  %isnan = math.isnan %v : tensor<7xf16>
  %isinf = math.isinf %v : tensor<7xf16>
  %isfinite = math.isfinite %v : tensor<7xf16>
  return %isnan, %isinf, %isfinite : tensor<7xi1>, tensor<7xi1>, tensor<7xi1>
}

// CHECK-LABEL: EXEC @classify_f64
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 7xi1=01 00 00 00 00 00 00
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 7xi1=00 01 01 00 00 00 00
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 7xi1=00 00 00 01 01 01 01
func.func @classify_f64() -> (tensor<7xi1>, tensor<7xi1>, tensor<7xi1>) {
  %v = util.unfoldable_constant dense<[0x7FF8000000000000, 0x7FF0000000000000, 0xFFF0000000000000, 0.0, -0.0, 5.0e-324, -3.0]> : tensor<7xf64>
  %isnan = math.isnan %v : tensor<7xf64>
  %isinf = math.isinf %v : tensor<7xf64>
  %isfinite = math.isfinite %v : tensor<7xf64>
  return %isnan, %isinf, %isfinite : tensor<7xi1>, tensor<7xi1>, tensor<7xi1>
}

// CHECK-LABEL: EXEC @fpowi
// CHECK-NEXT: result[0]: hal.buffer_view
// CHECK-NEXT: 6xf32=8 0.25 1 INF -27 0.1
// CHECK-NEXT: result[1]: hal.buffer_view
// CHECK-NEXT: 2xf64=2.25 -9.22337E+18
// CHECK-NEXT: result[2]: hal.buffer_view
// CHECK-NEXT: 2xf16=9 8
func.func @fpowi() -> (tensor<6xf32>, tensor<2xf64>, tensor<2xf16>) {
  %x = util.unfoldable_constant dense<[2.0, 2.0, 0.0, 0.0, -3.0, 10.0]> : tensor<6xf32>
  %n = util.unfoldable_constant dense<[3, -2, 0, -1, 3, -1]> : tensor<6xi32>
  %p = math.fpowi %x, %n : tensor<6xf32>, tensor<6xi32>
  %xd = util.unfoldable_constant dense<[1.5, -2.0]> : tensor<2xf64>
  %nd = util.unfoldable_constant dense<[2, 63]> : tensor<2xi64>
  %pd = math.fpowi %xd, %nd : tensor<2xf64>, tensor<2xi64>
  %xh = util.unfoldable_constant dense<[3.0, 0.5]> : tensor<2xf16>
  %nh = util.unfoldable_constant dense<[2, -3]> : tensor<2xi8>
  %ph = math.fpowi %xh, %nh : tensor<2xf16>, tensor<2xi8>
  return %p, %pd, %ph : tensor<6xf32>, tensor<2xf64>, tensor<2xf16>
}
