func.func @main(%x: tensor<10000x17xi32>) -> tensor<17xi32> {
  %init = stablehlo.constant dense<3> : tensor<i32>
  %0 = stablehlo.reduce(%x init: %init) applies stablehlo.add across dimensions = [0] : (tensor<10000x17xi32>, tensor<i32>) -> tensor<17xi32>
  return %0 : tensor<17xi32>
}
