func.func @main(%lhs: tensor<2x32x32x3xbf16>, %rhs: tensor<3x3x3x32xbf16>) -> tensor<2x32x32x32xf32> {
  %0 = stablehlo.convolution(%lhs, %rhs) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {pad = [[1, 1], [1, 1]]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<2x32x32x3xbf16>, tensor<3x3x3x32xbf16>) -> tensor<2x32x32x32xf32>
  return %0 : tensor<2x32x32x32xf32>
}
