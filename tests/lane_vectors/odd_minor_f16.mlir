// A minor extent the lanes do not divide (6): reads stay per element.
func.func @main(%x: tensor<16x10x6xf16>, %y: tensor<10x16x6xf16>) -> tensor<16x10x6xf16> {
  %t = stablehlo.transpose %y, dims = [1, 0, 2] : (tensor<10x16x6xf16>) -> tensor<16x10x6xf16>
  %e = stablehlo.exponential %x : tensor<16x10x6xf16>
  %s = stablehlo.add %e, %t : tensor<16x10x6xf16>
  return %s : tensor<16x10x6xf16>
}
