module @probe {
  func.func public @main(%arg0: tensor<32x224x224x3xbf16>, %arg1: tensor<7x7x3x64xbf16>) -> tensor<32x112x112x64xbf16> {
    %z = stablehlo.constant dense<0.000000e+00> : tensor<bf16>
    %xp = stablehlo.pad %arg0, %z, low = [0, 0, 0, 0], high = [0, 0, 0, 5], interior = [0, 0, 0, 0] : (tensor<32x224x224x3xbf16>, tensor<bf16>) -> tensor<32x224x224x8xbf16>
    %wp = stablehlo.pad %arg1, %z, low = [0, 0, 0, 0], high = [0, 0, 5, 0], interior = [0, 0, 0, 0] : (tensor<7x7x3x64xbf16>, tensor<bf16>) -> tensor<7x7x8x64xbf16>
    %0 = stablehlo.convolution(%xp, %wp) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {stride = [2, 2], pad = [[3, 3], [3, 3]], lhs_dilate = [1, 1], rhs_dilate = [1, 1], reverse = [false, false]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64, precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]} : (tensor<32x224x224x8xbf16>, tensor<7x7x8x64xbf16>) -> tensor<32x112x112x64xbf16>
    return %0 : tensor<32x112x112x64xbf16>
  }
}
