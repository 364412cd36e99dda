// The minor dimension split by a reshape (64 → 8×8) and a broadcast along the new middle
// dimension: lanes stay within the inner 8.
func.func @main(%x: tensor<32x64xf32>, %g: tensor<32x8xf32>) -> tensor<32x8x8xf32> {
  %r = stablehlo.reshape %x : (tensor<32x64xf32>) -> tensor<32x8x8xf32>
  %gb = stablehlo.broadcast_in_dim %g, dims = [0, 1] : (tensor<32x8xf32>) -> tensor<32x8x8xf32>
  %m = stablehlo.multiply %r, %gb : tensor<32x8x8xf32>
  return %m : tensor<32x8x8xf32>
}
