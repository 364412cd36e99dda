module @jit__lambda attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<16x2048x2048xbf16>, %arg1: tensor<2048xbf16>) -> (tensor<16x16x2048x128xbf16> {jax.result_info = "result"}) {
    %0 = stablehlo.broadcast_in_dim %arg1, dims = [2] : (tensor<2048xbf16>) -> tensor<1x1x2048xbf16>
    %1 = stablehlo.broadcast_in_dim %0, dims = [0, 1, 2] : (tensor<1x1x2048xbf16>) -> tensor<16x2048x2048xbf16>
    %2 = stablehlo.add %arg0, %1 : tensor<16x2048x2048xbf16>
    %3 = stablehlo.reshape %2 : (tensor<16x2048x2048xbf16>) -> tensor<16x2048x16x128xbf16>
    %4 = stablehlo.transpose %3, dims = [0, 2, 1, 3] : (tensor<16x2048x16x128xbf16>) -> tensor<16x16x2048x128xbf16>
    return %4 : tensor<16x16x2048x128xbf16>
  }
}
