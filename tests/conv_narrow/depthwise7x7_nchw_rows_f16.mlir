func.func @main(%lhs: tensor<2x32x28x28xf16>, %rhs: tensor<32x1x7x7xf16>) -> tensor<2x32x28x28xf16> {
  %0 = stablehlo.convolution(%lhs, %rhs) dim_numbers = [b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1], window = {pad = [[3, 3], [3, 3]]} {batch_group_count = 1 : i64, feature_group_count = 32 : i64} : (tensor<2x32x28x28xf16>, tensor<32x1x7x7xf16>) -> tensor<2x32x28x28xf16>
  return %0 : tensor<2x32x28x28xf16>
}
