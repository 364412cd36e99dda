func.func @main(%a: tensor<4x32x32x64xf32>, %b: tensor<3x3x1x128xf32>) -> tensor<4x16x16x128xf32> {
  %0 = stablehlo.convolution(%a, %b) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {stride = [2, 2], pad = [[1, 1], [1, 1]]} {batch_group_count = 1 : i64, feature_group_count = 64 : i64} : (tensor<4x32x32x64xf32>, tensor<3x3x1x128xf32>) -> tensor<4x16x16x128xf32>
  return %0 : tensor<4x16x16x128xf32>
}
