module @jit__lambda attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<32x256x28x28xbf16>, %arg1: tensor<256x256x3x3xbf16>, %arg2: tensor<256xbf16>) -> (tensor<32x256x28x28xbf16> {jax.result_info = "result"}) {
    %0 = stablehlo.convolution(%arg0, %arg1) dim_numbers = [b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1], window = {stride = [1, 1], pad = [[1, 1], [1, 1]], lhs_dilate = [1, 1], rhs_dilate = [1, 1], reverse = [false, false]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64, precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]} : (tensor<32x256x28x28xbf16>, tensor<256x256x3x3xbf16>) -> tensor<32x256x28x28xbf16>
    %1 = stablehlo.broadcast_in_dim %arg2, dims = [0] : (tensor<256xbf16>) -> tensor<256x1x1xbf16>
    %2 = stablehlo.broadcast_in_dim %1, dims = [1, 2, 3] : (tensor<256x1x1xbf16>) -> tensor<1x256x1x1xbf16>
    %3 = stablehlo.broadcast_in_dim %2, dims = [0, 1, 2, 3] : (tensor<1x256x1x1xbf16>) -> tensor<32x256x28x28xbf16>
    %4 = stablehlo.add %0, %3 : tensor<32x256x28x28xbf16>
    %5 = call @relu(%4) : (tensor<32x256x28x28xbf16>) -> tensor<32x256x28x28xbf16>
    return %5 : tensor<32x256x28x28xbf16>
  }
  func.func private @relu(%arg0: tensor<32x256x28x28xbf16>) -> tensor<32x256x28x28xbf16> {
    %cst = stablehlo.constant dense<0.000000e+00> : tensor<bf16>
    %0 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<bf16>) -> tensor<32x256x28x28xbf16>
    %1 = stablehlo.maximum %arg0, %0 : tensor<32x256x28x28xbf16>
    return %1 : tensor<32x256x28x28xbf16>
  }
}
