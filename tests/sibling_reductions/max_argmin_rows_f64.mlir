// A maximum reduction next to an arg-reduction (LT) of the same input: one kernel
// after nvgpu-merge-sibling-reduces. Checked on the GPU with `nvgpu bench --random-inputs --check`.
func.func @main(%x: tensor<77x4097xf64>) -> (tensor<77xf64>, tensor<77xi32>) {
  %i0 = stablehlo.constant dense<0xFFF0000000000000> : tensor<f64>
  %m = stablehlo.reduce(%x init: %i0) applies stablehlo.maximum across dimensions = [1] : (tensor<77x4097xf64>, tensor<f64>) -> tensor<77xf64>
  %iota = stablehlo.iota dim = 1 : tensor<77x4097xi32>
  %i1 = stablehlo.constant dense<0x7FF0000000000000> : tensor<f64>
  %zero = stablehlo.constant dense<0> : tensor<i32>
  %r:2 = stablehlo.reduce(%x init: %i1), (%iota init: %zero) across dimensions = [1] : (tensor<77x4097xf64>, tensor<77x4097xi32>, tensor<f64>, tensor<i32>) -> (tensor<77xf64>, tensor<77xi32>)

     reducer(%a1: tensor<f64>, %b1: tensor<f64>) (%a2: tensor<i32>, %b2: tensor<i32>) {
      %g = stablehlo.compare LT, %a1, %b1, FLOAT : (tensor<f64>, tensor<f64>) -> tensor<i1>
      %n = stablehlo.compare NE, %a1, %a1, FLOAT : (tensor<f64>, tensor<f64>) -> tensor<i1>
      %p = stablehlo.or %g, %n : tensor<i1>
      %e = stablehlo.compare EQ, %a1, %b1, FLOAT : (tensor<f64>, tensor<f64>) -> tensor<i1>
      %l = stablehlo.compare LT, %a2, %b2, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
      %el = stablehlo.and %e, %l : tensor<i1>
      %q = stablehlo.or %p, %el : tensor<i1>
      %v = stablehlo.select %p, %a1, %b1 : tensor<i1>, tensor<f64>
      %i = stablehlo.select %q, %a2, %b2 : tensor<i1>, tensor<i32>
      stablehlo.return %v, %i : tensor<f64>, tensor<i32>
    }
  return %m, %r#1 : tensor<77xf64>, tensor<77xi32>
}
