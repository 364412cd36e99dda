func.func @main(%lhs: tensor<2x28x28x64xbf16>, %rhs: tensor<1x1x64x128xbf16>) -> tensor<2x28x28x128xbf16> {
  %0 = stablehlo.convolution(%lhs, %rhs) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<2x28x28x64xbf16>, tensor<1x1x64x128xbf16>) -> tensor<2x28x28x128xbf16>
  return %0 : tensor<2x28x28x128xbf16>
}
