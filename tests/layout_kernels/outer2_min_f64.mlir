func.func @main(%x: tensor<400x30x200xf64>) -> tensor<200xf64> {
  %init = stablehlo.constant dense<0x7FF0000000000000> : tensor<f64>
  %0 = stablehlo.reduce(%x init: %init) applies stablehlo.minimum across dimensions = [0, 1] : (tensor<400x30x200xf64>, tensor<f64>) -> tensor<200xf64>
  return %0 : tensor<200xf64>
}
