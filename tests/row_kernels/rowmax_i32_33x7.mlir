func.func @main(%x: tensor<33x7xi32>) -> (tensor<33xi32>, tensor<33x7xi32>) {
  %init = stablehlo.constant dense<-2147483648> : tensor<i32>
  %m = stablehlo.reduce(%x init: %init) applies stablehlo.maximum across dimensions = [1] : (tensor<33x7xi32>, tensor<i32>) -> tensor<33xi32>
  %mb = stablehlo.broadcast_in_dim %m, dims = [0] : (tensor<33xi32>) -> tensor<33x7xi32>
  %d = stablehlo.subtract %mb, %x : tensor<33x7xi32>
  return %m, %d : tensor<33xi32>, tensor<33x7xi32>
}
