func.func @main(%x: tensor<1000x777xf32>) -> tensor<777x1000xf32> {
  %0 = stablehlo.transpose %x, dims = [1, 0] : (tensor<1000x777xf32>) -> tensor<777x1000xf32>
  return %0 : tensor<777x1000xf32>
}
