func.func @main(%x: tensor<7x300x260xf32>, %y: tensor<7x260x300xf32>) -> tensor<7x260x300xf32> {
  %0 = stablehlo.transpose %x, dims = [0, 2, 1] : (tensor<7x300x260xf32>) -> tensor<7x260x300xf32>
  %1 = stablehlo.add %0, %y : tensor<7x260x300xf32>
  return %1 : tensor<7x260x300xf32>
}
