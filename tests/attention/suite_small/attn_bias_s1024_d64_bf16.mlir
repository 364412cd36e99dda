module @jit_fn attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<1x4x200x64xbf16>, %arg1: tensor<1x4x264x64xbf16>, %arg2: tensor<1x4x264x64xbf16>, %arg3: tensor<4x200x264xbf16>) -> (tensor<1x4x200x64xbf16> {jax.result_info = "result"}) {
    %0 = stablehlo.dot_general %arg0, %arg1, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [3], precision = [DEFAULT, DEFAULT] : (tensor<1x4x200x64xbf16>, tensor<1x4x264x64xbf16>) -> tensor<1x4x200x264xbf16>
    %1 = stablehlo.convert %0 : (tensor<1x4x200x264xbf16>) -> tensor<1x4x200x264xf32>
    %cst = stablehlo.constant dense<1.250000e-01> : tensor<f32>
    %2 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<1x4x200x264xf32>
    %3 = stablehlo.multiply %1, %2 : tensor<1x4x200x264xf32>
    %4 = stablehlo.convert %arg3 : (tensor<4x200x264xbf16>) -> tensor<4x200x264xf32>
    %5 = stablehlo.broadcast_in_dim %4, dims = [1, 2, 3] : (tensor<4x200x264xf32>) -> tensor<1x4x200x264xf32>
    %6 = stablehlo.add %3, %5 : tensor<1x4x200x264xf32>
    %cst_0 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %7 = stablehlo.reduce(%6 init: %cst_0) applies stablehlo.maximum across dimensions = [3] : (tensor<1x4x200x264xf32>, tensor<f32>) -> tensor<1x4x200xf32>
    %cst_1 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %8 = stablehlo.broadcast_in_dim %cst_1, dims = [] : (tensor<f32>) -> tensor<1x4x200xf32>
    %9 = stablehlo.maximum %8, %7 : tensor<1x4x200xf32>
    %10 = stablehlo.broadcast_in_dim %9, dims = [0, 1, 2] : (tensor<1x4x200xf32>) -> tensor<1x4x200x1xf32>
    %11 = stablehlo.broadcast_in_dim %10, dims = [0, 1, 2, 3] : (tensor<1x4x200x1xf32>) -> tensor<1x4x200x264xf32>
    %12 = stablehlo.subtract %6, %11 : tensor<1x4x200x264xf32>
    %13 = stablehlo.exponential %12 : tensor<1x4x200x264xf32>
    %cst_2 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %14 = stablehlo.reduce(%13 init: %cst_2) applies stablehlo.add across dimensions = [3] : (tensor<1x4x200x264xf32>, tensor<f32>) -> tensor<1x4x200xf32>
    %15 = stablehlo.broadcast_in_dim %14, dims = [0, 1, 2] : (tensor<1x4x200xf32>) -> tensor<1x4x200x1xf32>
    %16 = stablehlo.broadcast_in_dim %15, dims = [0, 1, 2, 3] : (tensor<1x4x200x1xf32>) -> tensor<1x4x200x264xf32>
    %17 = stablehlo.divide %13, %16 : tensor<1x4x200x264xf32>
    %18 = stablehlo.convert %17 : (tensor<1x4x200x264xf32>) -> tensor<1x4x200x264xbf16>
    %19 = stablehlo.dot_general %18, %arg2, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [2], precision = [DEFAULT, DEFAULT] : (tensor<1x4x200x264xbf16>, tensor<1x4x264x64xbf16>) -> tensor<1x4x200x64xbf16>
    return %19 : tensor<1x4x200x64xbf16>
  }
}
