module @jit__lambda attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<4x32x2048x128xbf16>, %arg1: tensor<4x8x2048x128xbf16>, %arg2: tensor<4x8x2048x128xbf16>) -> (tensor<4x32x2048x128xbf16> {jax.result_info = "result"}) {
    %0 = stablehlo.broadcast_in_dim %arg1, dims = [0, 1, 3, 4] : (tensor<4x8x2048x128xbf16>) -> tensor<4x8x4x2048x128xbf16>
    %1 = stablehlo.reshape %0 : (tensor<4x8x4x2048x128xbf16>) -> tensor<4x32x2048x128xbf16>
    %2 = stablehlo.broadcast_in_dim %arg2, dims = [0, 1, 3, 4] : (tensor<4x8x2048x128xbf16>) -> tensor<4x8x4x2048x128xbf16>
    %3 = stablehlo.reshape %2 : (tensor<4x8x4x2048x128xbf16>) -> tensor<4x32x2048x128xbf16>
    %4 = stablehlo.dot_general %arg0, %1, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [3], precision = [DEFAULT, DEFAULT] : (tensor<4x32x2048x128xbf16>, tensor<4x32x2048x128xbf16>) -> tensor<4x32x2048x2048xbf16>
    %cst = stablehlo.constant dense<1.280000e+02> : tensor<f32>
    %5 = stablehlo.sqrt %cst : tensor<f32>
    %6 = stablehlo.convert %5 : (tensor<f32>) -> tensor<bf16>
    %7 = stablehlo.broadcast_in_dim %6, dims = [] : (tensor<bf16>) -> tensor<4x32x2048x2048xbf16>
    %8 = stablehlo.divide %4, %7 : tensor<4x32x2048x2048xbf16>
    %9 = stablehlo.convert %8 : (tensor<4x32x2048x2048xbf16>) -> tensor<4x32x2048x2048xf32>
    %c = stablehlo.constant dense<true> : tensor<i1>
    %10 = stablehlo.broadcast_in_dim %c, dims = [] : (tensor<i1>) -> tensor<2048x2048xi1>
    %11 = call @tril(%10) : (tensor<2048x2048xi1>) -> tensor<2048x2048xi1>
    %cst_0 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %12 = call @_where(%11, %9, %cst_0) : (tensor<2048x2048xi1>, tensor<4x32x2048x2048xf32>, tensor<f32>) -> tensor<4x32x2048x2048xf32>
    %cst_1 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %13 = stablehlo.reduce(%12 init: %cst_1) applies stablehlo.maximum across dimensions = [3] : (tensor<4x32x2048x2048xf32>, tensor<f32>) -> tensor<4x32x2048xf32>
    %cst_2 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %14 = stablehlo.broadcast_in_dim %cst_2, dims = [] : (tensor<f32>) -> tensor<4x32x2048xf32>
    %15 = stablehlo.maximum %14, %13 : tensor<4x32x2048xf32>
    %16 = stablehlo.broadcast_in_dim %15, dims = [0, 1, 2] : (tensor<4x32x2048xf32>) -> tensor<4x32x2048x1xf32>
    %17 = stablehlo.broadcast_in_dim %16, dims = [0, 1, 2, 3] : (tensor<4x32x2048x1xf32>) -> tensor<4x32x2048x2048xf32>
    %18 = stablehlo.subtract %12, %17 : tensor<4x32x2048x2048xf32>
    %19 = stablehlo.exponential %18 : tensor<4x32x2048x2048xf32>
    %cst_3 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %20 = stablehlo.reduce(%19 init: %cst_3) applies stablehlo.add across dimensions = [3] : (tensor<4x32x2048x2048xf32>, tensor<f32>) -> tensor<4x32x2048xf32>
    %21 = stablehlo.broadcast_in_dim %20, dims = [0, 1, 2] : (tensor<4x32x2048xf32>) -> tensor<4x32x2048x1xf32>
    %22 = stablehlo.broadcast_in_dim %21, dims = [0, 1, 2, 3] : (tensor<4x32x2048x1xf32>) -> tensor<4x32x2048x2048xf32>
    %23 = stablehlo.divide %19, %22 : tensor<4x32x2048x2048xf32>
    %24 = stablehlo.convert %23 : (tensor<4x32x2048x2048xf32>) -> tensor<4x32x2048x2048xbf16>
    %25 = stablehlo.dot_general %24, %3, batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [2], precision = [DEFAULT, DEFAULT] : (tensor<4x32x2048x2048xbf16>, tensor<4x32x2048x128xbf16>) -> tensor<4x32x2048x128xbf16>
    return %25 : tensor<4x32x2048x128xbf16>
  }
  func.func private @tril(%arg0: tensor<2048x2048xi1>) -> tensor<2048x2048xi1> {
    %0 = stablehlo.iota dim = 0 : tensor<2048x2048xi32>
    %c = stablehlo.constant dense<0> : tensor<i32>
    %1 = stablehlo.broadcast_in_dim %c, dims = [] : (tensor<i32>) -> tensor<2048x2048xi32>
    %2 = stablehlo.add %0, %1 : tensor<2048x2048xi32>
    %3 = stablehlo.iota dim = 1 : tensor<2048x2048xi32>
    %4 = stablehlo.compare GE, %2, %3, SIGNED : (tensor<2048x2048xi32>, tensor<2048x2048xi32>) -> tensor<2048x2048xi1>
    %c_0 = stablehlo.constant dense<false> : tensor<i1>
    %5 = stablehlo.broadcast_in_dim %c_0, dims = [] : (tensor<i1>) -> tensor<2048x2048xi1>
    %6 = stablehlo.select %4, %arg0, %5 : tensor<2048x2048xi1>, tensor<2048x2048xi1>
    return %6 : tensor<2048x2048xi1>
  }
  func.func private @_where(%arg0: tensor<2048x2048xi1>, %arg1: tensor<4x32x2048x2048xf32>, %arg2: tensor<f32>) -> tensor<4x32x2048x2048xf32> {
    %0 = stablehlo.convert %arg2 : tensor<f32>
    %1 = stablehlo.broadcast_in_dim %arg0, dims = [2, 3] : (tensor<2048x2048xi1>) -> tensor<4x32x2048x2048xi1>
    %2 = stablehlo.broadcast_in_dim %0, dims = [] : (tensor<f32>) -> tensor<4x32x2048x2048xf32>
    %3 = stablehlo.select %1, %arg1, %2 : tensor<4x32x2048x2048xi1>, tensor<4x32x2048x2048xf32>
    return %3 : tensor<4x32x2048x2048xf32>
  }
}
