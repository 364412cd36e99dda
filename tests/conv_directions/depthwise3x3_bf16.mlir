func.func @main(%a: tensor<8x56x56x384xbf16>, %b: tensor<3x3x1x384xbf16>) -> tensor<8x56x56x384xbf16> {
  %0 = stablehlo.convolution(%a, %b) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {pad = [[1, 1], [1, 1]]} {batch_group_count = 1 : i64, feature_group_count = 384 : i64} : (tensor<8x56x56x384xbf16>, tensor<3x3x1x384xbf16>) -> tensor<8x56x56x384xbf16>
  return %0 : tensor<8x56x56x384xbf16>
}
