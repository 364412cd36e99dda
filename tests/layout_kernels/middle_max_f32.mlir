func.func @main(%x: tensor<5x400x333xf32>) -> tensor<5x333xf32> {
  %init = stablehlo.constant dense<0xFF800000> : tensor<f32>
  %0 = stablehlo.reduce(%x init: %init) applies stablehlo.maximum across dimensions = [1] : (tensor<5x400x333xf32>, tensor<f32>) -> tensor<5x333xf32>
  return %0 : tensor<5x333xf32>
}
