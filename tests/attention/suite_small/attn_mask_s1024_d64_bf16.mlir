module @jit_fn attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<1x4x200x64xbf16>, %arg1: tensor<1x4x264x64xbf16>, %arg2: tensor<1x4x264x64xbf16>, %arg3: tensor<1x264xi1>) -> (tensor<1x4x200x64xbf16> {jax.result_info = "result"}) {
    %0 = stablehlo.dot_general %arg0, %arg1, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [3], precision = [DEFAULT, DEFAULT] : (tensor<1x4x200x64xbf16>, tensor<1x4x264x64xbf16>) -> tensor<1x4x200x264xbf16>
    %1 = stablehlo.convert %0 : (tensor<1x4x200x264xbf16>) -> tensor<1x4x200x264xf32>
    %cst = stablehlo.constant dense<1.250000e-01> : tensor<f32>
    %2 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<1x4x200x264xf32>
    %3 = stablehlo.multiply %1, %2 : tensor<1x4x200x264xf32>
    %4 = stablehlo.broadcast_in_dim %arg3, dims = [0, 3] : (tensor<1x264xi1>) -> tensor<1x1x1x264xi1>
    %cst_0 = stablehlo.constant dense<-2.38197633E+38> : tensor<f32>
    %5 = call @_where(%4, %3, %cst_0) : (tensor<1x1x1x264xi1>, tensor<1x4x200x264xf32>, tensor<f32>) -> tensor<1x4x200x264xf32>
    %cst_1 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %6 = stablehlo.reduce(%5 init: %cst_1) applies stablehlo.maximum across dimensions = [3] : (tensor<1x4x200x264xf32>, tensor<f32>) -> tensor<1x4x200xf32>
    %cst_2 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %7 = stablehlo.broadcast_in_dim %cst_2, dims = [] : (tensor<f32>) -> tensor<1x4x200xf32>
    %8 = stablehlo.maximum %7, %6 : tensor<1x4x200xf32>
    %9 = stablehlo.broadcast_in_dim %8, dims = [0, 1, 2] : (tensor<1x4x200xf32>) -> tensor<1x4x200x1xf32>
    %10 = stablehlo.broadcast_in_dim %9, dims = [0, 1, 2, 3] : (tensor<1x4x200x1xf32>) -> tensor<1x4x200x264xf32>
    %11 = stablehlo.subtract %5, %10 : tensor<1x4x200x264xf32>
    %12 = stablehlo.exponential %11 : tensor<1x4x200x264xf32>
    %cst_3 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %13 = stablehlo.reduce(%12 init: %cst_3) applies stablehlo.add across dimensions = [3] : (tensor<1x4x200x264xf32>, tensor<f32>) -> tensor<1x4x200xf32>
    %14 = stablehlo.broadcast_in_dim %13, dims = [0, 1, 2] : (tensor<1x4x200xf32>) -> tensor<1x4x200x1xf32>
    %15 = stablehlo.broadcast_in_dim %14, dims = [0, 1, 2, 3] : (tensor<1x4x200x1xf32>) -> tensor<1x4x200x264xf32>
    %16 = stablehlo.divide %12, %15 : tensor<1x4x200x264xf32>
    %17 = stablehlo.convert %16 : (tensor<1x4x200x264xf32>) -> tensor<1x4x200x264xbf16>
    %18 = stablehlo.dot_general %17, %arg2, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [2], precision = [DEFAULT, DEFAULT] : (tensor<1x4x200x264xbf16>, tensor<1x4x264x64xbf16>) -> tensor<1x4x200x64xbf16>
    return %18 : tensor<1x4x200x64xbf16>
  }
  func.func private @_where(%arg0: tensor<1x1x1x264xi1>, %arg1: tensor<1x4x200x264xf32>, %arg2: tensor<f32>) -> tensor<1x4x200x264xf32> {
    %0 = stablehlo.convert %arg2 : tensor<f32>
    %1 = stablehlo.broadcast_in_dim %arg0, dims = [0, 1, 2, 3] : (tensor<1x1x1x264xi1>) -> tensor<1x4x200x264xi1>
    %2 = stablehlo.broadcast_in_dim %0, dims = [] : (tensor<f32>) -> tensor<1x4x200x264xf32>
    %3 = stablehlo.select %1, %arg1, %2 : tensor<1x4x200x264xi1>, tensor<1x4x200x264xf32>
    return %3 : tensor<1x4x200x264xf32>
  }
}
