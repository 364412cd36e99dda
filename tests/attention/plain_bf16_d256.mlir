module @jit__lambda attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<2x8x2048x256xbf16>, %arg1: tensor<2x8x2048x256xbf16>, %arg2: tensor<2x8x2048x256xbf16>) -> (tensor<2x8x2048x256xbf16> {jax.result_info = "result"}) {
    %0 = stablehlo.dot_general %arg0, %arg1, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [3], precision = [DEFAULT, DEFAULT] : (tensor<2x8x2048x256xbf16>, tensor<2x8x2048x256xbf16>) -> tensor<2x8x2048x2048xbf16>
    %cst = stablehlo.constant dense<2.560000e+02> : tensor<f32>
    %1 = stablehlo.sqrt %cst : tensor<f32>
    %2 = stablehlo.convert %1 : (tensor<f32>) -> tensor<bf16>
    %3 = stablehlo.broadcast_in_dim %2, dims = [] : (tensor<bf16>) -> tensor<2x8x2048x2048xbf16>
    %4 = stablehlo.divide %0, %3 : tensor<2x8x2048x2048xbf16>
    %5 = stablehlo.convert %4 : (tensor<2x8x2048x2048xbf16>) -> tensor<2x8x2048x2048xf32>
    %cst_0 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %6 = stablehlo.reduce(%5 init: %cst_0) applies stablehlo.maximum across dimensions = [3] : (tensor<2x8x2048x2048xf32>, tensor<f32>) -> tensor<2x8x2048xf32>
    %cst_1 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %7 = stablehlo.broadcast_in_dim %cst_1, dims = [] : (tensor<f32>) -> tensor<2x8x2048xf32>
    %8 = stablehlo.maximum %7, %6 : tensor<2x8x2048xf32>
    %9 = stablehlo.broadcast_in_dim %8, dims = [0, 1, 2] : (tensor<2x8x2048xf32>) -> tensor<2x8x2048x1xf32>
    %10 = stablehlo.broadcast_in_dim %9, dims = [0, 1, 2, 3] : (tensor<2x8x2048x1xf32>) -> tensor<2x8x2048x2048xf32>
    %11 = stablehlo.subtract %5, %10 : tensor<2x8x2048x2048xf32>
    %12 = stablehlo.exponential %11 : tensor<2x8x2048x2048xf32>
    %cst_2 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %13 = stablehlo.reduce(%12 init: %cst_2) applies stablehlo.add across dimensions = [3] : (tensor<2x8x2048x2048xf32>, tensor<f32>) -> tensor<2x8x2048xf32>
    %14 = stablehlo.broadcast_in_dim %13, dims = [0, 1, 2] : (tensor<2x8x2048xf32>) -> tensor<2x8x2048x1xf32>
    %15 = stablehlo.broadcast_in_dim %14, dims = [0, 1, 2, 3] : (tensor<2x8x2048x1xf32>) -> tensor<2x8x2048x2048xf32>
    %16 = stablehlo.divide %12, %15 : tensor<2x8x2048x2048xf32>
    %17 = stablehlo.convert %16 : (tensor<2x8x2048x2048xf32>) -> tensor<2x8x2048x2048xbf16>
    %18 = stablehlo.dot_general %17, %arg2, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [2], precision = [DEFAULT, DEFAULT] : (tensor<2x8x2048x2048xbf16>, tensor<2x8x2048x256xbf16>) -> tensor<2x8x2048x256xbf16>
    return %18 : tensor<2x8x2048x256xbf16>
  }
}
