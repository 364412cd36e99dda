func.func @main(%a: tensor<8x28x28x256xbf16>, %b: tensor<3x3x128x256xbf16>) -> tensor<8x56x56x128xbf16> {
  %0 = stablehlo.convolution(%a, %b) dim_numbers = [b, 0, 1, f]x[0, 1, o, i]->[b, 0, 1, f], window = {pad = [[1, 2], [1, 2]], lhs_dilate = [2, 2]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<8x28x28x256xbf16>, tensor<3x3x128x256xbf16>) -> tensor<8x56x56x128xbf16>
  return %0 : tensor<8x56x56x128xbf16>
}
