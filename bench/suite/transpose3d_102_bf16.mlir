module @jit__lambda attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<2048x512x128xbf16>) -> (tensor<512x2048x128xbf16> {jax.result_info = "result"}) {
    %0 = stablehlo.transpose %arg0, dims = [1, 0, 2] : (tensor<2048x512x128xbf16>) -> tensor<512x2048x128xbf16>
    return %0 : tensor<512x2048x128xbf16>
  }
}
