// A per-row value broadcast along the minor dimension (invariant over a thread's lanes) and
// a per-column one (one vector), with a transposed operand of odd batch extents.
func.func @main(%x: tensor<3x7x64xf32>, %y: tensor<7x3x64xf32>, %r: tensor<3x7xf32>, %c: tensor<64xf32>) -> tensor<3x7x64xf32> {
  %t = stablehlo.transpose %y, dims = [1, 0, 2] : (tensor<7x3x64xf32>) -> tensor<3x7x64xf32>
  %rb = stablehlo.broadcast_in_dim %r, dims = [0, 1] : (tensor<3x7xf32>) -> tensor<3x7x64xf32>
  %cb = stablehlo.broadcast_in_dim %c, dims = [2] : (tensor<64xf32>) -> tensor<3x7x64xf32>
  %a = stablehlo.multiply %x, %rb : tensor<3x7x64xf32>
  %b = stablehlo.add %a, %t : tensor<3x7x64xf32>
  %d = stablehlo.subtract %b, %cb : tensor<3x7x64xf32>
  return %d : tensor<3x7x64xf32>
}
