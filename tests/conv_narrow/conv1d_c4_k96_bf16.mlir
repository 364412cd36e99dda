func.func @main(%lhs: tensor<4x256x4xbf16>, %rhs: tensor<5x4x96xbf16>) -> tensor<4x252x96xbf16> {
  %0 = stablehlo.convolution(%lhs, %rhs) dim_numbers = [b, 0, f]x[0, i, o]->[b, 0, f], window = {} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<4x256x4xbf16>, tensor<5x4x96xbf16>) -> tensor<4x252x96xbf16>
  return %0 : tensor<4x252x96xbf16>
}
