func.func @main(%lhs: tensor<2x112x112x3xbf16>, %rhs: tensor<7x7x3x64xbf16>) -> tensor<2x56x56x64xbf16> {
  %0 = stablehlo.convolution(%lhs, %rhs) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {stride = [2, 2], pad = [[3, 3], [3, 3]]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<2x112x112x3xbf16>, tensor<7x7x3x64xbf16>) -> tensor<2x56x56x64xbf16>
  return %0 : tensor<2x56x56x64xbf16>
}
