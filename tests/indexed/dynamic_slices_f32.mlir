// dynamic_slice then dynamic_update_slice with clamped random starts (ui32 starts converted to i64)
func.func @main(%x: tensor<64x48xf32>, %u: tensor<16x40xf32>, %a: tensor<i64>, %b: tensor<ui32>) -> (tensor<16x40xf32>, tensor<64x48xf32>) {
  %c = stablehlo.convert %b : (tensor<ui32>) -> tensor<i64>
  %0 = stablehlo.dynamic_slice %x, %a, %c, sizes = [16, 40] : (tensor<64x48xf32>, tensor<i64>, tensor<i64>) -> tensor<16x40xf32>
  %1 = stablehlo.dynamic_update_slice %x, %u, %c, %a : (tensor<64x48xf32>, tensor<16x40xf32>, tensor<i64>, tensor<i64>) -> tensor<64x48xf32>
  return %0, %1 : tensor<16x40xf32>, tensor<64x48xf32>
}
