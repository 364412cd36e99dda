// Every collective with groups of one (num_replicas = 1): on one GPU each goes through NCCL
// with a 1-rank communicator; results must equal the reference backend's.
module @collectives_one_gpu attributes {mhlo.num_replicas = 1 : i32, mhlo.num_partitions = 1 : i32} {
  func.func @main(%arg0: tensor<4x6xf32>, %arg1: tensor<8xbf16>) -> (tensor<4x6xf32>, tensor<4x6xf32>, tensor<8xbf16>, tensor<4x6xf32>, tensor<4x6xf32>, tensor<4x6xf32>, tensor<4x6xf32>, tensor<ui32>) {
    %0 = "stablehlo.all_reduce"(%arg0) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %s = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %s : tensor<f32>
    }) {replica_groups = dense<[[0]]> : tensor<1x1xi64>} : (tensor<4x6xf32>) -> tensor<4x6xf32>
    %1 = stablehlo.multiply %0, %0 : tensor<4x6xf32>
    %2 = "stablehlo.all_gather"(%1) {all_gather_dim = 1 : i64, replica_groups = dense<[[0]]> : tensor<1x1xi64>} : (tensor<4x6xf32>) -> tensor<4x6xf32>
    %3 = "stablehlo.all_reduce"(%arg1) ({
      ^bb0(%a: tensor<bf16>, %b: tensor<bf16>):
        %m = stablehlo.maximum %a, %b : tensor<bf16>
        stablehlo.return %m : tensor<bf16>
    }) {replica_groups = dense<[[0]]> : tensor<1x1xi64>} : (tensor<8xbf16>) -> tensor<8xbf16>
    %4 = "stablehlo.all_to_all"(%2) {split_dimension = 1 : i64, concat_dimension = 0 : i64, split_count = 1 : i64, replica_groups = dense<[[0]]> : tensor<1x1xi64>} : (tensor<4x6xf32>) -> tensor<4x6xf32>
    %5 = "stablehlo.collective_permute"(%arg0) {source_target_pairs = dense<[[0, 0]]> : tensor<1x2xi64>} : (tensor<4x6xf32>) -> tensor<4x6xf32>
    %6 = "stablehlo.reduce_scatter"(%arg0) ({
      ^bb0(%a: tensor<f32>, %b: tensor<f32>):
        %s = stablehlo.add %a, %b : tensor<f32>
        stablehlo.return %s : tensor<f32>
    }) {scatter_dimension = 1 : i64, replica_groups = dense<[[0]]> : tensor<1x1xi64>} : (tensor<4x6xf32>) -> tensor<4x6xf32>
    %7 = "stablehlo.collective_broadcast"(%6) {replica_groups = dense<[[0]]> : tensor<1x1xi64>} : (tensor<4x6xf32>) -> tensor<4x6xf32>
    %8 = stablehlo.replica_id : tensor<ui32>
    return %0, %2, %3, %4, %5, %6, %7, %8 : tensor<4x6xf32>, tensor<4x6xf32>, tensor<8xbf16>, tensor<4x6xf32>, tensor<4x6xf32>, tensor<4x6xf32>, tensor<4x6xf32>, tensor<ui32>
  }
}
