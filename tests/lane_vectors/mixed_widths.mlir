// Inputs narrower and wider than the output: an i8 and an f32 operand (through a reshape)
// of a bf16 result, each read as a vector of its own width.
func.func @main(%q: tensor<8x128xi8>, %s: tensor<1024xf32>, %w: tensor<8x128xbf16>) -> tensor<8x128xbf16> {
  %qf = stablehlo.convert %q : (tensor<8x128xi8>) -> tensor<8x128xbf16>
  %sr = stablehlo.reshape %s : (tensor<1024xf32>) -> tensor<8x128xf32>
  %sb = stablehlo.convert %sr : (tensor<8x128xf32>) -> tensor<8x128xbf16>
  %m = stablehlo.multiply %qf, %sb : tensor<8x128xbf16>
  %a = stablehlo.add %m, %w : tensor<8x128xbf16>
  return %a : tensor<8x128xbf16>
}
