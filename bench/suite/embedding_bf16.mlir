module @jit__lambda attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<131072x1024xbf16>, %arg1: tensor<32768xf32>) -> (tensor<32768x1024xbf16> {jax.result_info = "result"}) {
    %cst = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %0 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<32768xf32>
    %1 = stablehlo.add %arg1, %0 : tensor<32768xf32>
    %cst_0 = stablehlo.constant dense<6.553600e+04> : tensor<f32>
    %2 = stablehlo.broadcast_in_dim %cst_0, dims = [] : (tensor<f32>) -> tensor<32768xf32>
    %3 = stablehlo.multiply %1, %2 : tensor<32768xf32>
    %4 = stablehlo.convert %3 : (tensor<32768xf32>) -> tensor<32768xi32>
    %c = stablehlo.constant dense<0> : tensor<i32>
    %c_1 = stablehlo.constant dense<131071> : tensor<i32>
    %5 = call @clip(%4, %c, %c_1) : (tensor<32768xi32>, tensor<i32>, tensor<i32>) -> tensor<32768xi32>
    %c_2 = stablehlo.constant dense<0> : tensor<i32>
    %6 = stablehlo.broadcast_in_dim %c_2, dims = [] : (tensor<i32>) -> tensor<32768xi32>
    %7 = stablehlo.compare LT, %5, %6, SIGNED : (tensor<32768xi32>, tensor<32768xi32>) -> tensor<32768xi1>
    %c_3 = stablehlo.constant dense<131072> : tensor<i32>
    %8 = stablehlo.broadcast_in_dim %c_3, dims = [] : (tensor<i32>) -> tensor<32768xi32>
    %9 = stablehlo.add %5, %8 : tensor<32768xi32>
    %10 = stablehlo.select %7, %9, %5 : tensor<32768xi1>, tensor<32768xi32>
    %11 = stablehlo.broadcast_in_dim %10, dims = [0] : (tensor<32768xi32>) -> tensor<32768x1xi32>
    %12 = "stablehlo.gather"(%arg0, %11) <{dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, indices_are_sorted = false, slice_sizes = array<i64: 1, 1024>}> : (tensor<131072x1024xbf16>, tensor<32768x1xi32>) -> tensor<32768x1024xbf16>
    return %12 : tensor<32768x1024xbf16>
  }
  func.func private @clip(%arg0: tensor<32768xi32>, %arg1: tensor<i32>, %arg2: tensor<i32>) -> tensor<32768xi32> {
    %0 = stablehlo.convert %arg1 : tensor<i32>
    %1 = stablehlo.broadcast_in_dim %0, dims = [] : (tensor<i32>) -> tensor<32768xi32>
    %2 = stablehlo.maximum %1, %arg0 : tensor<32768xi32>
    %3 = stablehlo.convert %arg2 : tensor<i32>
    %4 = stablehlo.broadcast_in_dim %3, dims = [] : (tensor<i32>) -> tensor<32768xi32>
    %5 = stablehlo.minimum %4, %2 : tensor<32768xi32>
    return %5 : tensor<32768xi32>
  }
}
