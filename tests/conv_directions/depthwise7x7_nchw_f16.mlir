func.func @main(%a: tensor<8x128x56x56xf16>, %b: tensor<128x1x7x7xf16>) -> tensor<8x128x56x56xf16> {
  %0 = stablehlo.convolution(%a, %b) dim_numbers = [b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1], window = {pad = [[3, 3], [3, 3]]} {batch_group_count = 1 : i64, feature_group_count = 128 : i64} : (tensor<8x128x56x56xf16>, tensor<128x1x7x7xf16>) -> tensor<8x128x56x56xf16>
  return %0 : tensor<8x128x56x56xf16>
}
