func.func @main(%x: tensor<30000x700xf32>) -> tensor<700xf32> {
  %init = stablehlo.constant dense<0.0> : tensor<f32>
  %0 = stablehlo.reduce(%x init: %init) applies stablehlo.add across dimensions = [0] : (tensor<30000x700xf32>, tensor<f32>) -> tensor<700xf32>
  return %0 : tensor<700xf32>
}
