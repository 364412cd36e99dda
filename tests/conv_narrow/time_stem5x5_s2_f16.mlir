func.func @main(%lhs: tensor<32x128x128x3xf16>, %rhs: tensor<5x5x3x32xf16>) -> tensor<32x64x64x32xf16> {
  %0 = stablehlo.convolution(%lhs, %rhs) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {stride = [2, 2], pad = [[2, 2], [2, 2]]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<32x128x128x3xf16>, tensor<5x5x3x32xf16>) -> tensor<32x64x64x32xf16>
  return %0 : tensor<32x64x64x32xf16>
}
