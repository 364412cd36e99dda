func.func @main(%x: tensor<32x96xf64>) -> tensor<32x96xf64> {
  %ninf = stablehlo.constant dense<0xFF800000> : tensor<f64>
  %m = stablehlo.reduce(%x init: %ninf) applies stablehlo.maximum across dimensions = [1] : (tensor<32x96xf64>, tensor<f64>) -> tensor<32xf64>
  %mb = stablehlo.broadcast_in_dim %m, dims = [0] : (tensor<32xf64>) -> tensor<32x96xf64>
  %d = stablehlo.subtract %x, %mb : tensor<32x96xf64>
  %e = stablehlo.exponential %d : tensor<32x96xf64>
  %zero = stablehlo.constant dense<0.0> : tensor<f64>
  %s = stablehlo.reduce(%e init: %zero) applies stablehlo.add across dimensions = [1] : (tensor<32x96xf64>, tensor<f64>) -> tensor<32xf64>
  %sb = stablehlo.broadcast_in_dim %s, dims = [0] : (tensor<32xf64>) -> tensor<32x96xf64>
  %y = stablehlo.divide %e, %sb : tensor<32x96xf64>
  return %y : tensor<32x96xf64>
}
