// Embedding lookup: 8192 rows of a 512x1024 bf16 table (random indices in [-8, 7], clamped)
func.func @main(%t: tensor<512x1024xbf16>, %i: tensor<8192xi32>) -> tensor<8192x1024xbf16> {
  %0 = "stablehlo.gather"(%t, %i) <{dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, slice_sizes = array<i64: 1, 1024>}> : (tensor<512x1024xbf16>, tensor<8192xi32>) -> tensor<8192x1024xbf16>
  return %0 : tensor<8192x1024xbf16>
}
