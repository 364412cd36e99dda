module @jit__lambda attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<8192x4096xbf16>, %arg1: tensor<4096x4096xbf16>, %arg2: tensor<4096xbf16>) -> (tensor<8192x4096xbf16> {jax.result_info = "result"}) {
    %0 = stablehlo.dot_general %arg0, %arg1, contracting_dims = [1] x [0], precision = [DEFAULT, DEFAULT] : (tensor<8192x4096xbf16>, tensor<4096x4096xbf16>) -> tensor<8192x4096xbf16>
    %1 = stablehlo.broadcast_in_dim %arg2, dims = [1] : (tensor<4096xbf16>) -> tensor<1x4096xbf16>
    %2 = stablehlo.broadcast_in_dim %1, dims = [0, 1] : (tensor<1x4096xbf16>) -> tensor<8192x4096xbf16>
    %3 = stablehlo.add %0, %2 : tensor<8192x4096xbf16>
    %4 = call @relu(%3) : (tensor<8192x4096xbf16>) -> tensor<8192x4096xbf16>
    return %4 : tensor<8192x4096xbf16>
  }
  func.func private @relu(%arg0: tensor<8192x4096xbf16>) -> tensor<8192x4096xbf16> {
    %cst = stablehlo.constant dense<0.000000e+00> : tensor<bf16>
    %0 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<bf16>) -> tensor<8192x4096xbf16>
    %1 = stablehlo.maximum %arg0, %0 : tensor<8192x4096xbf16>
    return %1 : tensor<8192x4096xbf16>
  }
}
