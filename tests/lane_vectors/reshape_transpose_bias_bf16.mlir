// A bias add, a head split (reshape) and a 0213 transpose: every read keeps the minor
// dimension contiguous, so the loop kernel reads each operand as one vector per thread.
func.func @main(%x: tensor<4x256x512xbf16>, %b: tensor<512xbf16>) -> tensor<4x8x256x64xbf16> {
  %bb = stablehlo.broadcast_in_dim %b, dims = [2] : (tensor<512xbf16>) -> tensor<4x256x512xbf16>
  %s = stablehlo.add %x, %bb : tensor<4x256x512xbf16>
  %r = stablehlo.reshape %s : (tensor<4x256x512xbf16>) -> tensor<4x256x8x64xbf16>
  %t = stablehlo.transpose %r, dims = [0, 2, 1, 3] : (tensor<4x256x8x64xbf16>) -> tensor<4x8x256x64xbf16>
  return %t : tensor<4x8x256x64xbf16>
}
