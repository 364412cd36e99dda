func.func @main(%x: tensor<64x768xbf16>, %g: tensor<768xf32>, %b: tensor<768xf32>) -> tensor<64x768xbf16> {
  %xf = stablehlo.convert %x : (tensor<64x768xbf16>) -> tensor<64x768xf32>
  %zero = stablehlo.constant dense<0.0> : tensor<f32>
  %s = stablehlo.reduce(%xf init: %zero) applies stablehlo.add across dimensions = [1] : (tensor<64x768xf32>, tensor<f32>) -> tensor<64xf32>
  %n = stablehlo.constant dense<768.0> : tensor<64xf32>
  %mean = stablehlo.divide %s, %n : tensor<64xf32>
  %mb = stablehlo.broadcast_in_dim %mean, dims = [0] : (tensor<64xf32>) -> tensor<64x768xf32>
  %d = stablehlo.subtract %xf, %mb : tensor<64x768xf32>
  %sq = stablehlo.multiply %d, %d : tensor<64x768xf32>
  %v = stablehlo.reduce(%sq init: %zero) applies stablehlo.add across dimensions = [1] : (tensor<64x768xf32>, tensor<f32>) -> tensor<64xf32>
  %var = stablehlo.divide %v, %n : tensor<64xf32>
  %eps = stablehlo.constant dense<1.0e-5> : tensor<64xf32>
  %ve = stablehlo.add %var, %eps : tensor<64xf32>
  %rs = stablehlo.rsqrt %ve : tensor<64xf32>
  %rb = stablehlo.broadcast_in_dim %rs, dims = [0] : (tensor<64xf32>) -> tensor<64x768xf32>
  %nrm = stablehlo.multiply %d, %rb : tensor<64x768xf32>
  %gb = stablehlo.broadcast_in_dim %g, dims = [1] : (tensor<768xf32>) -> tensor<64x768xf32>
  %bb = stablehlo.broadcast_in_dim %b, dims = [1] : (tensor<768xf32>) -> tensor<64x768xf32>
  %sc = stablehlo.multiply %nrm, %gb : tensor<64x768xf32>
  %y = stablehlo.add %sc, %bb : tensor<64x768xf32>
  %yb = stablehlo.convert %y : (tensor<64x768xf32>) -> tensor<64x768xbf16>
  return %yb : tensor<64x768xbf16>
}
