func.func @main(%x: tensor<4x30x30x96xbf16>, %y: tensor<4x96x30x30xbf16>) -> tensor<4x96x30x30xbf16> {
  %0 = stablehlo.transpose %x, dims = [0, 3, 1, 2] : (tensor<4x30x30x96xbf16>) -> tensor<4x96x30x30xbf16>
  %1 = stablehlo.multiply %0, %y : tensor<4x96x30x30xbf16>
  return %1 : tensor<4x96x30x30xbf16>
}
