// 1024x256 f32, 4096 row updates with duplicates (random indices in [-8, 7]: negative rows skipped)
func.func @main(%x: tensor<1024x256xf32>, %i: tensor<4096x1xi32>, %u: tensor<4096x256xf32>) -> tensor<1024x256xf32> {
  %0 = "stablehlo.scatter"(%x, %i, %u) <{scatter_dimension_numbers = #stablehlo.scatter<update_window_dims = [1], inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1>}> ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %s = stablehlo.add %a, %b : tensor<f32>
    stablehlo.return %s : tensor<f32>
  }) : (tensor<1024x256xf32>, tensor<4096x1xi32>, tensor<4096x256xf32>) -> tensor<1024x256xf32>
  return %0 : tensor<1024x256xf32>
}
