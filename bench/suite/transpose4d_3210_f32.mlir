module @jit__lambda attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<32x64x96x128xf32>) -> (tensor<128x96x64x32xf32> {jax.result_info = "result"}) {
    %0 = stablehlo.transpose %arg0, dims = [3, 2, 1, 0] : (tensor<32x64x96x128xf32>) -> tensor<128x96x64x32xf32>
    return %0 : tensor<128x96x64x32xf32>
  }
}
