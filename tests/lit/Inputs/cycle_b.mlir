// Imports from cycle_a, which imports from this module.
func.func private @cycle_a.f(%x: i32) -> i32
func.func @g(%x: i32) -> i32 {
  %r = call @cycle_a.f(%x) : (i32) -> i32
  return %r : i32
}
