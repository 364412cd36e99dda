func.func @main(%x: tensor<4x64x64x3xbf16>, %w: tensor<7x7x3x16xbf16>) -> tensor<4x32x32x16xbf16> {
  %0 = stablehlo.convolution(%x, %w) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {stride = [2, 2], pad = [[3, 3], [3, 3]], lhs_dilate = [1, 1], rhs_dilate = [1, 1], reverse = [false, false]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<4x64x64x3xbf16>, tensor<7x7x3x16xbf16>) -> tensor<4x32x32x16xbf16>
  return %0 : tensor<4x32x32x16xbf16>
}
