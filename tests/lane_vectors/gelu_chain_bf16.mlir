// A bf16 tanh-GELU chain (kept in f32 between ops) with an f32 result through convert and
// a bf16 result: both rounded where they leave the chain.
func.func @main(%x: tensor<64x512xbf16>) -> (tensor<64x512xbf16>, tensor<64x512xf32>) {
  %c0 = stablehlo.constant dense<4.467770e-02> : tensor<64x512xbf16>
  %c1 = stablehlo.constant dense<7.968750e-01> : tensor<64x512xbf16>
  %one = stablehlo.constant dense<1.000000e+00> : tensor<64x512xbf16>
  %half = stablehlo.constant dense<5.000000e-01> : tensor<64x512xbf16>
  %x2 = stablehlo.multiply %x, %x : tensor<64x512xbf16>
  %x3 = stablehlo.multiply %x2, %x : tensor<64x512xbf16>
  %a = stablehlo.multiply %c0, %x3 : tensor<64x512xbf16>
  %b = stablehlo.add %x, %a : tensor<64x512xbf16>
  %c = stablehlo.multiply %c1, %b : tensor<64x512xbf16>
  %t = stablehlo.tanh %c : tensor<64x512xbf16>
  %u = stablehlo.add %one, %t : tensor<64x512xbf16>
  %v = stablehlo.multiply %half, %u : tensor<64x512xbf16>
  %g = stablehlo.multiply %x, %v : tensor<64x512xbf16>
  %e = stablehlo.exponential %g : tensor<64x512xbf16>
  %l = stablehlo.logistic %g : tensor<64x512xbf16>
  %s = stablehlo.add %e, %l : tensor<64x512xbf16>
  %f = stablehlo.convert %g : (tensor<64x512xbf16>) -> tensor<64x512xf32>
  return %s, %f : tensor<64x512xbf16>, tensor<64x512xf32>
}
