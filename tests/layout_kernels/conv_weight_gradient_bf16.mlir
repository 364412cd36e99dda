func.func @main(%x: tensor<8x28x28x64xbf16>, %dy: tensor<8x28x28x32xbf16>) -> tensor<3x3x64x32xbf16> {
  %0 = stablehlo.convolution(%x, %dy) dim_numbers = [f, 0, 1, b]x[i, 0, 1, o]->[0, 1, b, f], window = {stride = [1, 1], pad = [[1, 1], [1, 1]], lhs_dilate = [1, 1], rhs_dilate = [1, 1], reverse = [false, false]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<8x28x28x64xbf16>, tensor<8x28x28x32xbf16>) -> tensor<3x3x64x32xbf16>
  return %0 : tensor<3x3x64x32xbf16>
}
