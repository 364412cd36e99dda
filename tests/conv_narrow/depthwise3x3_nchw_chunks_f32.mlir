func.func @main(%lhs: tensor<2x8x24x36xf32>, %rhs: tensor<8x1x3x3xf32>) -> tensor<2x8x12x18xf32> {
  %0 = stablehlo.convolution(%lhs, %rhs) dim_numbers = [b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1], window = {stride = [2, 2], pad = [[1, 1], [1, 1]]} {batch_group_count = 1 : i64, feature_group_count = 8 : i64} : (tensor<2x8x24x36xf32>, tensor<8x1x3x3xf32>) -> tensor<2x8x12x18xf32>
  return %0 : tensor<2x8x12x18xf32>
}
