func.func @main(%lhs: tensor<32x56x56x128xbf16>, %rhs: tensor<3x3x8x128xbf16>) -> tensor<32x56x56x128xbf16> {
  %0 = stablehlo.convolution(%lhs, %rhs) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {pad = [[1, 1], [1, 1]]} {batch_group_count = 1 : i64, feature_group_count = 16 : i64} : (tensor<32x56x56x128xbf16>, tensor<3x3x8x128xbf16>) -> tensor<32x56x56x128xbf16>
  return %0 : tensor<32x56x56x128xbf16>
}
