func.func @main(%x: tensor<16x64xf32>) -> tensor<16xi1> {
  %zero = stablehlo.constant dense<0.0> : tensor<16x64xf32>
  %p = stablehlo.compare GT, %x, %zero : (tensor<16x64xf32>, tensor<16x64xf32>) -> tensor<16x64xi1>
  %f = stablehlo.constant dense<false> : tensor<i1>
  %a = stablehlo.reduce(%p init: %f) applies stablehlo.or across dimensions = [1] : (tensor<16x64xi1>, tensor<i1>) -> tensor<16xi1>
  return %a : tensor<16xi1>
}
