func.func @main(%x: tensor<8x64x14x14xf16>) -> tensor<8x14x14x64xf16> {
  %0 = stablehlo.transpose %x, dims = [0, 2, 3, 1] : (tensor<8x64x14x14xf16>) -> tensor<8x14x14x64xf16>
  return %0 : tensor<8x14x14x64xf16>
}
