module @jit__lambda attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<4x16x1024x64xbf16>, %arg1: tensor<4x16x1024x64xbf16>, %arg2: tensor<4x16x1024x64xbf16>, %arg3: tensor<16x1024x1024xbf16>) -> (tensor<4x16x1024x64xbf16> {jax.result_info = "result"}) {
    %0 = stablehlo.dot_general %arg0, %arg1, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [3], precision = [DEFAULT, DEFAULT] : (tensor<4x16x1024x64xbf16>, tensor<4x16x1024x64xbf16>) -> tensor<4x16x1024x1024xbf16>
    %cst = stablehlo.constant dense<6.400000e+01> : tensor<f32>
    %1 = stablehlo.sqrt %cst : tensor<f32>
    %2 = stablehlo.convert %1 : (tensor<f32>) -> tensor<bf16>
    %3 = stablehlo.broadcast_in_dim %2, dims = [] : (tensor<bf16>) -> tensor<4x16x1024x1024xbf16>
    %4 = stablehlo.divide %0, %3 : tensor<4x16x1024x1024xbf16>
    %5 = stablehlo.convert %4 : (tensor<4x16x1024x1024xbf16>) -> tensor<4x16x1024x1024xf32>
    %6 = stablehlo.convert %arg3 : (tensor<16x1024x1024xbf16>) -> tensor<16x1024x1024xf32>
    %7 = stablehlo.broadcast_in_dim %6, dims = [1, 2, 3] : (tensor<16x1024x1024xf32>) -> tensor<1x16x1024x1024xf32>
    %8 = stablehlo.broadcast_in_dim %7, dims = [0, 1, 2, 3] : (tensor<1x16x1024x1024xf32>) -> tensor<4x16x1024x1024xf32>
    %9 = stablehlo.add %5, %8 : tensor<4x16x1024x1024xf32>
    %cst_0 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %10 = stablehlo.reduce(%9 init: %cst_0) applies stablehlo.maximum across dimensions = [3] : (tensor<4x16x1024x1024xf32>, tensor<f32>) -> tensor<4x16x1024xf32>
    %cst_1 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %11 = stablehlo.broadcast_in_dim %cst_1, dims = [] : (tensor<f32>) -> tensor<4x16x1024xf32>
    %12 = stablehlo.maximum %11, %10 : tensor<4x16x1024xf32>
    %13 = stablehlo.broadcast_in_dim %12, dims = [0, 1, 2] : (tensor<4x16x1024xf32>) -> tensor<4x16x1024x1xf32>
    %14 = stablehlo.broadcast_in_dim %13, dims = [0, 1, 2, 3] : (tensor<4x16x1024x1xf32>) -> tensor<4x16x1024x1024xf32>
    %15 = stablehlo.subtract %9, %14 : tensor<4x16x1024x1024xf32>
    %16 = stablehlo.exponential %15 : tensor<4x16x1024x1024xf32>
    %cst_2 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %17 = stablehlo.reduce(%16 init: %cst_2) applies stablehlo.add across dimensions = [3] : (tensor<4x16x1024x1024xf32>, tensor<f32>) -> tensor<4x16x1024xf32>
    %18 = stablehlo.broadcast_in_dim %17, dims = [0, 1, 2] : (tensor<4x16x1024xf32>) -> tensor<4x16x1024x1xf32>
    %19 = stablehlo.broadcast_in_dim %18, dims = [0, 1, 2, 3] : (tensor<4x16x1024x1xf32>) -> tensor<4x16x1024x1024xf32>
    %20 = stablehlo.divide %16, %19 : tensor<4x16x1024x1024xf32>
    %21 = stablehlo.convert %20 : (tensor<4x16x1024x1024xf32>) -> tensor<4x16x1024x1024xbf16>
    %22 = stablehlo.dot_general %21, %arg2, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [2], precision = [DEFAULT, DEFAULT] : (tensor<4x16x1024x1024xbf16>, tensor<4x16x1024x64xbf16>) -> tensor<4x16x1024x64xbf16>
    return %22 : tensor<4x16x1024x64xbf16>
  }
}
