// Window dim before the scatter dim, 2-D indices: an order-free integer max
func.func @main(%x: tensor<16x32xi32>, %i: tensor<64x2xi32>, %u: tensor<4x64xi32>) -> tensor<16x32xi32> {
  %0 = "stablehlo.scatter"(%x, %i, %u) <{scatter_dimension_numbers = #stablehlo.scatter<update_window_dims = [0], inserted_window_dims = [1], scatter_dims_to_operand_dims = [0, 1], index_vector_dim = 1>}> ({
  ^bb0(%a: tensor<i32>, %b: tensor<i32>):
    %s = stablehlo.maximum %a, %b : tensor<i32>
    stablehlo.return %s : tensor<i32>
  }) : (tensor<16x32xi32>, tensor<64x2xi32>, tensor<4x64xi32>) -> tensor<16x32xi32>
  return %0 : tensor<16x32xi32>
}
