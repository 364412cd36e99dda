module @jit__lambda attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<16x2048x16x128xbf16>) -> (tensor<16x16x2048x128xbf16> {jax.result_info = "result"}) {
    %0 = stablehlo.transpose %arg0, dims = [0, 2, 1, 3] : (tensor<16x2048x16x128xbf16>) -> tensor<16x16x2048x128xbf16>
    return %0 : tensor<16x16x2048x128xbf16>
  }
}
