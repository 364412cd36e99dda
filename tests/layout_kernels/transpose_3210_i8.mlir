func.func @main(%x: tensor<33x5x6x70xi8>) -> tensor<70x6x5x33xi8> {
  %0 = stablehlo.transpose %x, dims = [3, 2, 1, 0] : (tensor<33x5x6x70xi8>) -> tensor<70x6x5x33xi8>
  return %0 : tensor<70x6x5x33xi8>
}
