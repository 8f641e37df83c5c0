// Every affine op, with FileCheck on the printed results. Expected values were
// computed independently (by hand or Python), not copied from iree-lite.
// RUN: iree-run-mlir %s --device=local-sync | FileCheck %s
// RUN: iree-run-mlir --Xcompiler,iree-execution-model=async-external %s --device=local-task | FileCheck %s

// floordiv rounds down, mod is non-negative, ceildiv rounds up; min/max pick among the map's results.
// CHECK-LABEL: EXEC @affine_ops
// CHECK-NEXT: result[0]: i64=-13
// CHECK-NEXT: result[1]: i64=-2
// CHECK-NEXT: result[2]: i64=1
// CHECK-NEXT: result[3]: i64=-3
// CHECK-NEXT: result[4]: i64=42
// CHECK-NEXT: result[5]: i64=-12
// CHECK-NEXT: result[6]: i64=10
// CHECK-NEXT: result[7]: i64=13
func.func @affine_ops() -> (index, index, index, index, index, index, index, index) {
  %a = util.unfoldable_constant -7 : index
  %b = util.unfoldable_constant 13 : index
  %s = util.unfoldable_constant 5 : index
  %ap = affine.apply affine_map<(d0, d1)[s0] -> (d0 * 3 + d1 - s0)>(%a, %b)[%s]
  %fd = affine.apply affine_map<(d0) -> (d0 floordiv 4)>(%a)
  %md = affine.apply affine_map<(d0) -> (d0 mod 4)>(%a)
  %cd = affine.apply affine_map<(d0) -> (d0 ceildiv 2)>(%a)
  %c = affine.apply affine_map<() -> (42)>()
  %mn = affine.min affine_map<(d0, d1)[s0] -> (d0 - s0, d1 floordiv 3, -d0)>(%a, %b)[%s]
  %mx = affine.max affine_map<(d0, d1)[s0] -> ((d0 - s0) floordiv 3, (d1 + s0) mod 7, s0 * 2)>(%a, %b)[%s]
  %one = affine.min affine_map<(d0) -> (d0)>(%b)
  return %ap, %fd, %md, %cd, %c, %mn, %mx, %one : index, index, index, index, index, index, index, index
}
