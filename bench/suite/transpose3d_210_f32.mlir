module @jit__lambda attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<512x256x384xf32>) -> (tensor<384x256x512xf32> {jax.result_info = "result"}) {
    %0 = stablehlo.transpose %arg0, dims = [2, 1, 0] : (tensor<512x256x384xf32>) -> tensor<384x256x512xf32>
    return %0 : tensor<384x256x512xf32>
  }
}
