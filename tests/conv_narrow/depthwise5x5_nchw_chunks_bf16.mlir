func.func @main(%lhs: tensor<2x16x32x40xbf16>, %rhs: tensor<16x1x5x5xbf16>) -> tensor<2x16x32x40xbf16> {
  %0 = stablehlo.convolution(%lhs, %rhs) dim_numbers = [b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1], window = {pad = [[2, 2], [2, 2]]} {batch_group_count = 1 : i64, feature_group_count = 16 : i64} : (tensor<2x16x32x40xbf16>, tensor<16x1x5x5xbf16>) -> tensor<2x16x32x40xbf16>
  return %0 : tensor<2x16x32x40xbf16>
}
