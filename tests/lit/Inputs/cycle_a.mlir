// Imports from cycle_b, which imports from this module.
func.func private @cycle_b.g(%x: i32) -> i32
func.func @f(%x: i32) -> i32 {
  %r = call @cycle_b.g(%x) : (i32) -> i32
  return %r : i32
}
