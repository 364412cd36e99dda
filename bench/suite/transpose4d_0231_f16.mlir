module @jit__lambda attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<32x256x56x56xf16>) -> (tensor<32x56x56x256xf16> {jax.result_info = "result"}) {
    %0 = stablehlo.transpose %arg0, dims = [0, 2, 3, 1] : (tensor<32x256x56x56xf16>) -> tensor<32x56x56x256xf16>
    return %0 : tensor<32x56x56x256xf16>
  }
}
