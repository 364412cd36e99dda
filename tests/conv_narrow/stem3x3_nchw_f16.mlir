func.func @main(%lhs: tensor<2x3x64x64xf16>, %rhs: tensor<16x3x3x3xf16>) -> tensor<2x16x64x64xf16> {
  %0 = stablehlo.convolution(%lhs, %rhs) dim_numbers = [b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1], window = {pad = [[1, 1], [1, 1]]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<2x3x64x64xf16>, tensor<16x3x3x3xf16>) -> tensor<2x16x64x64xf16>
  return %0 : tensor<2x16x64x64xf16>
}
