func.func @main(%a: tensor<4x29x29x32xf32>, %b: tensor<4x15x15x64xf32>) -> tensor<3x3x32x64xf32> {
  %0 = stablehlo.convolution(%a, %b) dim_numbers = [f, 0, 1, b]x[i, 0, 1, o]->[0, 1, b, f], window = {pad = [[1, 1], [1, 1]], rhs_dilate = [2, 2]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<4x29x29x32xf32>, tensor<4x15x15x64xf32>) -> tensor<3x3x32x64xf32>
  return %0 : tensor<3x3x32x64xf32>
}
