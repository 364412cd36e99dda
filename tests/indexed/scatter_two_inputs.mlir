// Variadic scatter: an f32 sum and an i32 count in one update computation
func.func @main(%x: tensor<32x8xf32>, %y: tensor<32x8xi32>, %i: tensor<100x1xi32>, %u: tensor<100x8xf32>, %v: tensor<100x8xi32>) -> (tensor<32x8xf32>, tensor<32x8xi32>) {
  %0:2 = "stablehlo.scatter"(%x, %y, %i, %u, %v) <{scatter_dimension_numbers = #stablehlo.scatter<update_window_dims = [1], inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1>}> ({
  ^bb0(%a: tensor<f32>, %b: tensor<i32>, %c: tensor<f32>, %d: tensor<i32>):
    %s = stablehlo.add %a, %c : tensor<f32>
    %t = stablehlo.add %b, %d : tensor<i32>
    stablehlo.return %s, %t : tensor<f32>, tensor<i32>
  }) : (tensor<32x8xf32>, tensor<32x8xi32>, tensor<100x1xi32>, tensor<100x8xf32>, tensor<100x8xi32>) -> (tensor<32x8xf32>, tensor<32x8xi32>)
  return %0#0, %0#1 : tensor<32x8xf32>, tensor<32x8xi32>
}
