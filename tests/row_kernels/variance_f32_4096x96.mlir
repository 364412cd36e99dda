func.func @main(%x: tensor<4096x96xf32>) -> (tensor<96xf32>, tensor<96xf32>) {
  %z = stablehlo.constant dense<0.0> : tensor<f32>
  %s = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [0] : (tensor<4096x96xf32>, tensor<f32>) -> tensor<96xf32>
  %n = stablehlo.constant dense<4096.0> : tensor<96xf32>
  %m = stablehlo.divide %s, %n : tensor<96xf32>
  %b = stablehlo.broadcast_in_dim %m, dims = [1] : (tensor<96xf32>) -> tensor<4096x96xf32>
  %d = stablehlo.subtract %x, %b : tensor<4096x96xf32>
  %q = stablehlo.multiply %d, %d : tensor<4096x96xf32>
  %v = stablehlo.reduce(%q init: %z) applies stablehlo.add across dimensions = [0] : (tensor<4096x96xf32>, tensor<f32>) -> tensor<96xf32>
  %r = stablehlo.divide %v, %n : tensor<96xf32>
  return %m, %r : tensor<96xf32>, tensor<96xf32>
}
