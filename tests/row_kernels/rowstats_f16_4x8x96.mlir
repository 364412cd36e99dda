func.func @main(%x: tensor<4x8x96xf16>) -> (tensor<4xf16>, tensor<4x8x96xf16>) {
  %zero = stablehlo.constant dense<0.0> : tensor<f16>
  %s = stablehlo.reduce(%x init: %zero) applies stablehlo.add across dimensions = [1, 2] : (tensor<4x8x96xf16>, tensor<f16>) -> tensor<4xf16>
  %n = stablehlo.constant dense<768.0> : tensor<4xf16>
  %mean = stablehlo.divide %s, %n : tensor<4xf16>
  %mb = stablehlo.broadcast_in_dim %mean, dims = [0] : (tensor<4xf16>) -> tensor<4x8x96xf16>
  %d = stablehlo.subtract %x, %mb : tensor<4x8x96xf16>
  return %mean, %d : tensor<4xf16>, tensor<4x8x96xf16>
}
