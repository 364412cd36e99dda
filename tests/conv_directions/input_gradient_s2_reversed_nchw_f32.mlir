func.func @main(%a: tensor<4x64x14x14xf32>, %b: tensor<64x32x3x3xf32>) -> tensor<4x32x28x28xf32> {
  %0 = stablehlo.convolution(%a, %b) dim_numbers = [b, f, 0, 1]x[i, o, 0, 1]->[b, f, 0, 1], window = {pad = [[1, 2], [1, 2]], lhs_dilate = [2, 2], reverse = [true, true]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<4x64x14x14xf32>, tensor<64x32x3x3xf32>) -> tensor<4x32x28x28xf32>
  return %0 : tensor<4x32x28x28xf32>
}
