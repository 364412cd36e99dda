// Replacing scatter with batching dims: 8 batches of 64x32 bf16, 16 row writes per batch (last write wins)
func.func @main(%x: tensor<8x64x32xbf16>, %i: tensor<8x16x1xi64>, %u: tensor<8x16x32xbf16>) -> tensor<8x64x32xbf16> {
  %0 = "stablehlo.scatter"(%x, %i, %u) <{scatter_dimension_numbers = #stablehlo.scatter<update_window_dims = [2], inserted_window_dims = [1], input_batching_dims = [0], scatter_indices_batching_dims = [0], scatter_dims_to_operand_dims = [1], index_vector_dim = 2>}> ({
  ^bb0(%a: tensor<bf16>, %b: tensor<bf16>):
    stablehlo.return %b : tensor<bf16>
  }) : (tensor<8x64x32xbf16>, tensor<8x16x1xi64>, tensor<8x16x32xbf16>) -> tensor<8x64x32xbf16>
  return %0 : tensor<8x64x32xbf16>
}
