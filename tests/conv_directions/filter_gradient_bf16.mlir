func.func @main(%a: tensor<2x28x28x64xbf16>, %b: tensor<2x28x28x64xbf16>) -> tensor<3x3x64x64xbf16> {
  %0 = stablehlo.convolution(%a, %b) dim_numbers = [f, 0, 1, b]x[i, 0, 1, o]->[0, 1, b, f], window = {pad = [[1, 1], [1, 1]]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<2x28x28x64xbf16>, tensor<2x28x28x64xbf16>) -> tensor<3x3x64x64xbf16>
  return %0 : tensor<3x3x64x64xbf16>
}
