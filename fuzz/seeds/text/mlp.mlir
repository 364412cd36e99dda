// A two-layer perceptron: y = relu(x @ w1 + b1) @ w2 + b2, weights as constants.
// Run it:  swift run -c release nvgpu run examples/mlp.mlir --input=2x4xf32=1,2,3,4,-1,0.5,2,-3
module @mlp {
  func.func public @main(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
    %w1 = stablehlo.constant dense<[[0.5, -0.25, 0.125], [0.25, 0.5, -0.5], [-0.125, 0.75, 0.25], [0.375, -0.5, 1.0]]> : tensor<4x3xf32>
    %b1 = stablehlo.constant dense<[0.1, -0.2, 0.3]> : tensor<3xf32>
    %w2 = stablehlo.constant dense<[[1.0, -1.0], [0.5, 2.0], [-0.75, 0.25]]> : tensor<3x2xf32>
    %b2 = stablehlo.constant dense<[0.05, -0.05]> : tensor<2xf32>
    %zero = stablehlo.constant dense<0.0> : tensor<2x3xf32>
    %h0 = stablehlo.dot_general %x, %w1, contracting_dims = [1] x [0] : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
    %bb1 = stablehlo.broadcast_in_dim %b1, dims = [1] : (tensor<3xf32>) -> tensor<2x3xf32>
    %h1 = stablehlo.add %h0, %bb1 : tensor<2x3xf32>
    %h = stablehlo.maximum %h1, %zero : tensor<2x3xf32>
    %y0 = stablehlo.dot_general %h, %w2, contracting_dims = [1] x [0] : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
    %bb2 = stablehlo.broadcast_in_dim %b2, dims = [1] : (tensor<2xf32>) -> tensor<2x2xf32>
    %y = stablehlo.add %y0, %bb2 : tensor<2x2xf32>
    return %y : tensor<2x2xf32>
  }
}
