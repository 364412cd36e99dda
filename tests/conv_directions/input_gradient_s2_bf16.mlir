func.func @main(%a: tensor<2x14x14x128xbf16>, %b: tensor<3x3x64x128xbf16>) -> tensor<2x28x28x64xbf16> {
  %0 = stablehlo.convolution(%a, %b) dim_numbers = [b, 0, 1, f]x[0, 1, o, i]->[b, 0, 1, f], window = {pad = [[1, 2], [1, 2]], lhs_dilate = [2, 2]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<2x14x14x128xbf16>, tensor<3x3x64x128xbf16>) -> tensor<2x28x28x64xbf16>
  return %0 : tensor<2x28x28x64xbf16>
}
