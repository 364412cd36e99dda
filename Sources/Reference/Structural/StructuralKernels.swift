import StableHLO

/// Data movement, reductions, contractions, sorting, FFT and linear-algebra ops of the
/// reference backend, by full op name.
enum StructuralKernels {
    static let table: [String: Kernel] = [
        "stablehlo.broadcast_in_dim": DataMovement.broadcastInDim,
        "stablehlo.broadcast": DataMovement.broadcastLegacy,
        "stablehlo.reshape": DataMovement.reshape,
        "stablehlo.transpose": DataMovement.transpose,
        "stablehlo.reverse": DataMovement.reverse,
        "stablehlo.slice": DataMovement.slice,
        "stablehlo.concatenate": DataMovement.concatenate,
        "stablehlo.pad": DataMovement.pad,
        "stablehlo.get_dimension_size": DataMovement.getDimensionSize,
        "stablehlo.dynamic_broadcast_in_dim": DynamicShape.broadcastInDim,
        "stablehlo.dynamic_iota": DynamicShape.iota,
        "stablehlo.dynamic_pad": DynamicShape.pad,
        "stablehlo.dynamic_reshape": DynamicShape.reshape,
        "stablehlo.real_dynamic_slice": DynamicShape.realDynamicSlice,
        "stablehlo.reduce": Reduction.reduce,
        "stablehlo.reduce_window": ReduceWindow.reduceWindow,
        "stablehlo.dot_general": DotGeneral.dotGeneral,
        "stablehlo.dot": DotGeneral.dot,
        "stablehlo.convolution": Convolution.convolution,
        "stablehlo.dynamic_conv": Convolution.dynamicConvolution,
        "stablehlo.sort": Sort.sort,
        "chlo.top_k": Sort.topK,
        "stablehlo.fft": FFT.fft,
        "stablehlo.triangular_solve": LinearAlgebra.triangularSolve,
        "stablehlo.cholesky": LinearAlgebra.cholesky,
        "stablehlo.batch_norm_inference": BatchNorm.inference,
        "stablehlo.batch_norm_training": BatchNorm.training,
        "stablehlo.batch_norm_grad": BatchNorm.grad,
        "stablehlo.rng_bit_generator": RandomBitGenerator.rngBitGenerator,
    ]
}
