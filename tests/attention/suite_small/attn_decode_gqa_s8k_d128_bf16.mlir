module @jit_fn attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<1x8x1x128xbf16>, %arg1: tensor<1x2x520x128xbf16>, %arg2: tensor<1x2x520x128xbf16>) -> (tensor<1x8x1x128xbf16> {jax.result_info = "result"}) {
    %0 = stablehlo.broadcast_in_dim %arg1, dims = [0, 1, 3, 4] : (tensor<1x2x520x128xbf16>) -> tensor<1x2x4x520x128xbf16>
    %1 = stablehlo.reshape %0 : (tensor<1x2x4x520x128xbf16>) -> tensor<1x8x520x128xbf16>
    %2 = stablehlo.broadcast_in_dim %arg2, dims = [0, 1, 3, 4] : (tensor<1x2x520x128xbf16>) -> tensor<1x2x4x520x128xbf16>
    %3 = stablehlo.reshape %2 : (tensor<1x2x4x520x128xbf16>) -> tensor<1x8x520x128xbf16>
    %4 = stablehlo.dot_general %arg0, %1, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [3], precision = [DEFAULT, DEFAULT] : (tensor<1x8x1x128xbf16>, tensor<1x8x520x128xbf16>) -> tensor<1x8x1x520xbf16>
    %5 = stablehlo.convert %4 : (tensor<1x8x1x520xbf16>) -> tensor<1x8x1x520xf32>
    %cst = stablehlo.constant dense<0.0883883461> : tensor<f32>
    %6 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<1x8x1x520xf32>
    %7 = stablehlo.multiply %5, %6 : tensor<1x8x1x520xf32>
    %cst_0 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %8 = stablehlo.reduce(%7 init: %cst_0) applies stablehlo.maximum across dimensions = [3] : (tensor<1x8x1x520xf32>, tensor<f32>) -> tensor<1x8x1xf32>
    %cst_1 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %9 = stablehlo.broadcast_in_dim %cst_1, dims = [] : (tensor<f32>) -> tensor<1x8x1xf32>
    %10 = stablehlo.maximum %9, %8 : tensor<1x8x1xf32>
    %11 = stablehlo.broadcast_in_dim %10, dims = [0, 1, 2] : (tensor<1x8x1xf32>) -> tensor<1x8x1x1xf32>
    %12 = stablehlo.broadcast_in_dim %11, dims = [0, 1, 2, 3] : (tensor<1x8x1x1xf32>) -> tensor<1x8x1x520xf32>
    %13 = stablehlo.subtract %7, %12 : tensor<1x8x1x520xf32>
    %14 = stablehlo.exponential %13 : tensor<1x8x1x520xf32>
    %cst_2 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %15 = stablehlo.reduce(%14 init: %cst_2) applies stablehlo.add across dimensions = [3] : (tensor<1x8x1x520xf32>, tensor<f32>) -> tensor<1x8x1xf32>
    %16 = stablehlo.broadcast_in_dim %15, dims = [0, 1, 2] : (tensor<1x8x1xf32>) -> tensor<1x8x1x1xf32>
    %17 = stablehlo.broadcast_in_dim %16, dims = [0, 1, 2, 3] : (tensor<1x8x1x1xf32>) -> tensor<1x8x1x520xf32>
    %18 = stablehlo.divide %14, %17 : tensor<1x8x1x520xf32>
    %19 = stablehlo.convert %18 : (tensor<1x8x1x520xf32>) -> tensor<1x8x1x520xbf16>
    %20 = stablehlo.dot_general %19, %3, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [2], precision = [DEFAULT, DEFAULT] : (tensor<1x8x1x520xbf16>, tensor<1x8x520x128xbf16>) -> tensor<1x8x1x128xbf16>
    return %20 : tensor<1x8x1x128xbf16>
  }
}
