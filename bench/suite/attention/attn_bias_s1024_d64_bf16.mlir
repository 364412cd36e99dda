module @jit_fn attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<4x16x1024x64xbf16>, %arg1: tensor<4x16x1024x64xbf16>, %arg2: tensor<4x16x1024x64xbf16>, %arg3: tensor<16x1024x1024xbf16>) -> (tensor<4x16x1024x64xbf16> {jax.result_info = "result"}) {
    %0 = stablehlo.dot_general %arg0, %arg1, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [3], precision = [DEFAULT, DEFAULT] : (tensor<4x16x1024x64xbf16>, tensor<4x16x1024x64xbf16>) -> tensor<4x16x1024x1024xbf16>
    %1 = stablehlo.convert %0 : (tensor<4x16x1024x1024xbf16>) -> tensor<4x16x1024x1024xf32>
    %cst = stablehlo.constant dense<1.250000e-01> : tensor<f32>
    %2 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<4x16x1024x1024xf32>
    %3 = stablehlo.multiply %1, %2 : tensor<4x16x1024x1024xf32>
    %4 = stablehlo.convert %arg3 : (tensor<16x1024x1024xbf16>) -> tensor<16x1024x1024xf32>
    %5 = stablehlo.broadcast_in_dim %4, dims = [1, 2, 3] : (tensor<16x1024x1024xf32>) -> tensor<1x16x1024x1024xf32>
    %6 = stablehlo.broadcast_in_dim %5, dims = [0, 1, 2, 3] : (tensor<1x16x1024x1024xf32>) -> tensor<4x16x1024x1024xf32>
    %7 = stablehlo.add %3, %6 : tensor<4x16x1024x1024xf32>
    %cst_0 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %8 = stablehlo.reduce(%7 init: %cst_0) applies stablehlo.maximum across dimensions = [3] : (tensor<4x16x1024x1024xf32>, tensor<f32>) -> tensor<4x16x1024xf32>
    %cst_1 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %9 = stablehlo.broadcast_in_dim %cst_1, dims = [] : (tensor<f32>) -> tensor<4x16x1024xf32>
    %10 = stablehlo.maximum %9, %8 : tensor<4x16x1024xf32>
    %11 = stablehlo.broadcast_in_dim %10, dims = [0, 1, 2] : (tensor<4x16x1024xf32>) -> tensor<4x16x1024x1xf32>
    %12 = stablehlo.broadcast_in_dim %11, dims = [0, 1, 2, 3] : (tensor<4x16x1024x1xf32>) -> tensor<4x16x1024x1024xf32>
    %13 = stablehlo.subtract %7, %12 : tensor<4x16x1024x1024xf32>
    %14 = stablehlo.exponential %13 : tensor<4x16x1024x1024xf32>
    %cst_2 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %15 = stablehlo.reduce(%14 init: %cst_2) applies stablehlo.add across dimensions = [3] : (tensor<4x16x1024x1024xf32>, tensor<f32>) -> tensor<4x16x1024xf32>
    %16 = stablehlo.broadcast_in_dim %15, dims = [0, 1, 2] : (tensor<4x16x1024xf32>) -> tensor<4x16x1024x1xf32>
    %17 = stablehlo.broadcast_in_dim %16, dims = [0, 1, 2, 3] : (tensor<4x16x1024x1xf32>) -> tensor<4x16x1024x1024xf32>
    %18 = stablehlo.divide %14, %17 : tensor<4x16x1024x1024xf32>
    %19 = stablehlo.convert %18 : (tensor<4x16x1024x1024xf32>) -> tensor<4x16x1024x1024xbf16>
    %20 = stablehlo.dot_general %19, %arg2, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [2], precision = [DEFAULT, DEFAULT] : (tensor<4x16x1024x1024xbf16>, tensor<4x16x1024x64xbf16>) -> tensor<4x16x1024x64xbf16>
    return %20 : tensor<4x16x1024x64xbf16>
  }
}
