func.func @main(%x: tensor<32x28x28x64xbf16>) -> (tensor<64xf32>, tensor<64xf32>) {
  %0 = stablehlo.convert %x : (tensor<32x28x28x64xbf16>) -> tensor<32x28x28x64xf32>
  %z = stablehlo.constant dense<0.0> : tensor<f32>
  %1 = stablehlo.reduce(%0 init: %z) applies stablehlo.add across dimensions = [0, 1, 2] : (tensor<32x28x28x64xf32>, tensor<f32>) -> tensor<64xf32>
  %n = stablehlo.constant dense<3.98597e-05> : tensor<64xf32>
  %2 = stablehlo.multiply %1, %n : tensor<64xf32>
  %3 = stablehlo.broadcast_in_dim %2, dims = [3] : (tensor<64xf32>) -> tensor<32x28x28x64xf32>
  %4 = stablehlo.subtract %0, %3 : tensor<32x28x28x64xf32>
  %5 = chlo.square %4 : tensor<32x28x28x64xf32> -> tensor<32x28x28x64xf32>
  %6 = stablehlo.reduce(%5 init: %z) applies stablehlo.add across dimensions = [0, 1, 2] : (tensor<32x28x28x64xf32>, tensor<f32>) -> tensor<64xf32>
  %7 = stablehlo.multiply %6, %n : tensor<64xf32>
  return %2, %7 : tensor<64xf32>, tensor<64xf32>
}
