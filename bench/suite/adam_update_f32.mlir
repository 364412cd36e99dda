module @jit_adam_update attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<4096xf32>, %arg1: tensor<1024xf32>, %arg2: tensor<262144xf32>, %arg3: tensor<1024xf32>, %arg4: tensor<65536xf32>, %arg5: tensor<64xf32>, %arg6: tensor<768xf32>, %arg7: tensor<73728xf32>, %arg8: tensor<3072xf32>, %arg9: tensor<73728xf32>, %arg10: tensor<4096xf32>, %arg11: tensor<1024xf32>, %arg12: tensor<262144xf32>, %arg13: tensor<1024xf32>, %arg14: tensor<65536xf32>, %arg15: tensor<64xf32>, %arg16: tensor<768xf32>, %arg17: tensor<73728xf32>, %arg18: tensor<3072xf32>, %arg19: tensor<73728xf32>, %arg20: tensor<4096xf32>, %arg21: tensor<1024xf32>, %arg22: tensor<262144xf32>, %arg23: tensor<1024xf32>, %arg24: tensor<65536xf32>, %arg25: tensor<64xf32>, %arg26: tensor<768xf32>, %arg27: tensor<73728xf32>, %arg28: tensor<3072xf32>, %arg29: tensor<73728xf32>, %arg30: tensor<4096xf32>, %arg31: tensor<1024xf32>, %arg32: tensor<262144xf32>, %arg33: tensor<1024xf32>, %arg34: tensor<65536xf32>, %arg35: tensor<64xf32>, %arg36: tensor<768xf32>, %arg37: tensor<73728xf32>, %arg38: tensor<3072xf32>, %arg39: tensor<73728xf32>) -> (tensor<4096xf32> {jax.result_info = "result[0]"}, tensor<4096xf32> {jax.result_info = "result[1]"}, tensor<4096xf32> {jax.result_info = "result[2]"}, tensor<1024xf32> {jax.result_info = "result[3]"}, tensor<1024xf32> {jax.result_info = "result[4]"}, tensor<1024xf32> {jax.result_info = "result[5]"}, tensor<262144xf32> {jax.result_info = "result[6]"}, tensor<262144xf32> {jax.result_info = "result[7]"}, tensor<262144xf32> {jax.result_info = "result[8]"}, tensor<1024xf32> {jax.result_info = "result[9]"}, tensor<1024xf32> {jax.result_info = "result[10]"}, tensor<1024xf32> {jax.result_info = "result[11]"}, tensor<65536xf32> {jax.result_info = "result[12]"}, tensor<65536xf32> {jax.result_info = "result[13]"}, tensor<65536xf32> {jax.result_info = "result[14]"}, tensor<64xf32> {jax.result_info = "result[15]"}, tensor<64xf32> {jax.result_info = "result[16]"}, tensor<64xf32> {jax.result_info = "result[17]"}, tensor<768xf32> {jax.result_info = "result[18]"}, tensor<768xf32> {jax.result_info = "result[19]"}, tensor<768xf32> {jax.result_info = "result[20]"}, tensor<73728xf32> {jax.result_info = "result[21]"}, tensor<73728xf32> {jax.result_info = "result[22]"}, tensor<73728xf32> {jax.result_info = "result[23]"}, tensor<3072xf32> {jax.result_info = "result[24]"}, tensor<3072xf32> {jax.result_info = "result[25]"}, tensor<3072xf32> {jax.result_info = "result[26]"}, tensor<73728xf32> {jax.result_info = "result[27]"}, tensor<73728xf32> {jax.result_info = "result[28]"}, tensor<73728xf32> {jax.result_info = "result[29]"}) {
    %cst = stablehlo.constant dense<0.899999976> : tensor<f32>
    %0 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %1 = stablehlo.multiply %0, %arg20 : tensor<4096xf32>
    %cst_0 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %2 = stablehlo.broadcast_in_dim %cst_0, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %3 = stablehlo.multiply %2, %arg10 : tensor<4096xf32>
    %4 = stablehlo.add %1, %3 : tensor<4096xf32>
    %cst_1 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %5 = stablehlo.broadcast_in_dim %cst_1, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %6 = stablehlo.multiply %5, %arg30 : tensor<4096xf32>
    %cst_2 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %7 = stablehlo.broadcast_in_dim %cst_2, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %8 = stablehlo.multiply %7, %arg10 : tensor<4096xf32>
    %9 = stablehlo.multiply %8, %arg10 : tensor<4096xf32>
    %10 = stablehlo.add %6, %9 : tensor<4096xf32>
    %cst_3 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %11 = stablehlo.broadcast_in_dim %cst_3, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %12 = stablehlo.divide %4, %11 : tensor<4096xf32>
    %cst_4 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %13 = stablehlo.broadcast_in_dim %cst_4, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %14 = stablehlo.multiply %13, %12 : tensor<4096xf32>
    %cst_5 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %15 = stablehlo.broadcast_in_dim %cst_5, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %16 = stablehlo.divide %10, %15 : tensor<4096xf32>
    %17 = stablehlo.sqrt %16 : tensor<4096xf32>
    %cst_6 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %18 = stablehlo.broadcast_in_dim %cst_6, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %19 = stablehlo.add %17, %18 : tensor<4096xf32>
    %20 = stablehlo.divide %14, %19 : tensor<4096xf32>
    %21 = stablehlo.subtract %arg0, %20 : tensor<4096xf32>
    %cst_7 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %22 = stablehlo.broadcast_in_dim %cst_7, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %23 = stablehlo.multiply %22, %arg21 : tensor<1024xf32>
    %cst_8 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %24 = stablehlo.broadcast_in_dim %cst_8, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %25 = stablehlo.multiply %24, %arg11 : tensor<1024xf32>
    %26 = stablehlo.add %23, %25 : tensor<1024xf32>
    %cst_9 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %27 = stablehlo.broadcast_in_dim %cst_9, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %28 = stablehlo.multiply %27, %arg31 : tensor<1024xf32>
    %cst_10 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %29 = stablehlo.broadcast_in_dim %cst_10, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %30 = stablehlo.multiply %29, %arg11 : tensor<1024xf32>
    %31 = stablehlo.multiply %30, %arg11 : tensor<1024xf32>
    %32 = stablehlo.add %28, %31 : tensor<1024xf32>
    %cst_11 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %33 = stablehlo.broadcast_in_dim %cst_11, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %34 = stablehlo.divide %26, %33 : tensor<1024xf32>
    %cst_12 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %35 = stablehlo.broadcast_in_dim %cst_12, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %36 = stablehlo.multiply %35, %34 : tensor<1024xf32>
    %cst_13 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %37 = stablehlo.broadcast_in_dim %cst_13, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %38 = stablehlo.divide %32, %37 : tensor<1024xf32>
    %39 = stablehlo.sqrt %38 : tensor<1024xf32>
    %cst_14 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %40 = stablehlo.broadcast_in_dim %cst_14, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %41 = stablehlo.add %39, %40 : tensor<1024xf32>
    %42 = stablehlo.divide %36, %41 : tensor<1024xf32>
    %43 = stablehlo.subtract %arg1, %42 : tensor<1024xf32>
    %cst_15 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %44 = stablehlo.broadcast_in_dim %cst_15, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %45 = stablehlo.multiply %44, %arg22 : tensor<262144xf32>
    %cst_16 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %46 = stablehlo.broadcast_in_dim %cst_16, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %47 = stablehlo.multiply %46, %arg12 : tensor<262144xf32>
    %48 = stablehlo.add %45, %47 : tensor<262144xf32>
    %cst_17 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %49 = stablehlo.broadcast_in_dim %cst_17, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %50 = stablehlo.multiply %49, %arg32 : tensor<262144xf32>
    %cst_18 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %51 = stablehlo.broadcast_in_dim %cst_18, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %52 = stablehlo.multiply %51, %arg12 : tensor<262144xf32>
    %53 = stablehlo.multiply %52, %arg12 : tensor<262144xf32>
    %54 = stablehlo.add %50, %53 : tensor<262144xf32>
    %cst_19 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %55 = stablehlo.broadcast_in_dim %cst_19, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %56 = stablehlo.divide %48, %55 : tensor<262144xf32>
    %cst_20 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %57 = stablehlo.broadcast_in_dim %cst_20, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %58 = stablehlo.multiply %57, %56 : tensor<262144xf32>
    %cst_21 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %59 = stablehlo.broadcast_in_dim %cst_21, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %60 = stablehlo.divide %54, %59 : tensor<262144xf32>
    %61 = stablehlo.sqrt %60 : tensor<262144xf32>
    %cst_22 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %62 = stablehlo.broadcast_in_dim %cst_22, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %63 = stablehlo.add %61, %62 : tensor<262144xf32>
    %64 = stablehlo.divide %58, %63 : tensor<262144xf32>
    %65 = stablehlo.subtract %arg2, %64 : tensor<262144xf32>
    %cst_23 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %66 = stablehlo.broadcast_in_dim %cst_23, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %67 = stablehlo.multiply %66, %arg23 : tensor<1024xf32>
    %cst_24 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %68 = stablehlo.broadcast_in_dim %cst_24, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %69 = stablehlo.multiply %68, %arg13 : tensor<1024xf32>
    %70 = stablehlo.add %67, %69 : tensor<1024xf32>
    %cst_25 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %71 = stablehlo.broadcast_in_dim %cst_25, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %72 = stablehlo.multiply %71, %arg33 : tensor<1024xf32>
    %cst_26 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %73 = stablehlo.broadcast_in_dim %cst_26, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %74 = stablehlo.multiply %73, %arg13 : tensor<1024xf32>
    %75 = stablehlo.multiply %74, %arg13 : tensor<1024xf32>
    %76 = stablehlo.add %72, %75 : tensor<1024xf32>
    %cst_27 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %77 = stablehlo.broadcast_in_dim %cst_27, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %78 = stablehlo.divide %70, %77 : tensor<1024xf32>
    %cst_28 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %79 = stablehlo.broadcast_in_dim %cst_28, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %80 = stablehlo.multiply %79, %78 : tensor<1024xf32>
    %cst_29 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %81 = stablehlo.broadcast_in_dim %cst_29, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %82 = stablehlo.divide %76, %81 : tensor<1024xf32>
    %83 = stablehlo.sqrt %82 : tensor<1024xf32>
    %cst_30 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %84 = stablehlo.broadcast_in_dim %cst_30, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %85 = stablehlo.add %83, %84 : tensor<1024xf32>
    %86 = stablehlo.divide %80, %85 : tensor<1024xf32>
    %87 = stablehlo.subtract %arg3, %86 : tensor<1024xf32>
    %cst_31 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %88 = stablehlo.broadcast_in_dim %cst_31, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %89 = stablehlo.multiply %88, %arg24 : tensor<65536xf32>
    %cst_32 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %90 = stablehlo.broadcast_in_dim %cst_32, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %91 = stablehlo.multiply %90, %arg14 : tensor<65536xf32>
    %92 = stablehlo.add %89, %91 : tensor<65536xf32>
    %cst_33 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %93 = stablehlo.broadcast_in_dim %cst_33, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %94 = stablehlo.multiply %93, %arg34 : tensor<65536xf32>
    %cst_34 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %95 = stablehlo.broadcast_in_dim %cst_34, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %96 = stablehlo.multiply %95, %arg14 : tensor<65536xf32>
    %97 = stablehlo.multiply %96, %arg14 : tensor<65536xf32>
    %98 = stablehlo.add %94, %97 : tensor<65536xf32>
    %cst_35 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %99 = stablehlo.broadcast_in_dim %cst_35, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %100 = stablehlo.divide %92, %99 : tensor<65536xf32>
    %cst_36 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %101 = stablehlo.broadcast_in_dim %cst_36, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %102 = stablehlo.multiply %101, %100 : tensor<65536xf32>
    %cst_37 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %103 = stablehlo.broadcast_in_dim %cst_37, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %104 = stablehlo.divide %98, %103 : tensor<65536xf32>
    %105 = stablehlo.sqrt %104 : tensor<65536xf32>
    %cst_38 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %106 = stablehlo.broadcast_in_dim %cst_38, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %107 = stablehlo.add %105, %106 : tensor<65536xf32>
    %108 = stablehlo.divide %102, %107 : tensor<65536xf32>
    %109 = stablehlo.subtract %arg4, %108 : tensor<65536xf32>
    %cst_39 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %110 = stablehlo.broadcast_in_dim %cst_39, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %111 = stablehlo.multiply %110, %arg25 : tensor<64xf32>
    %cst_40 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %112 = stablehlo.broadcast_in_dim %cst_40, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %113 = stablehlo.multiply %112, %arg15 : tensor<64xf32>
    %114 = stablehlo.add %111, %113 : tensor<64xf32>
    %cst_41 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %115 = stablehlo.broadcast_in_dim %cst_41, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %116 = stablehlo.multiply %115, %arg35 : tensor<64xf32>
    %cst_42 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %117 = stablehlo.broadcast_in_dim %cst_42, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %118 = stablehlo.multiply %117, %arg15 : tensor<64xf32>
    %119 = stablehlo.multiply %118, %arg15 : tensor<64xf32>
    %120 = stablehlo.add %116, %119 : tensor<64xf32>
    %cst_43 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %121 = stablehlo.broadcast_in_dim %cst_43, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %122 = stablehlo.divide %114, %121 : tensor<64xf32>
    %cst_44 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %123 = stablehlo.broadcast_in_dim %cst_44, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %124 = stablehlo.multiply %123, %122 : tensor<64xf32>
    %cst_45 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %125 = stablehlo.broadcast_in_dim %cst_45, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %126 = stablehlo.divide %120, %125 : tensor<64xf32>
    %127 = stablehlo.sqrt %126 : tensor<64xf32>
    %cst_46 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %128 = stablehlo.broadcast_in_dim %cst_46, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %129 = stablehlo.add %127, %128 : tensor<64xf32>
    %130 = stablehlo.divide %124, %129 : tensor<64xf32>
    %131 = stablehlo.subtract %arg5, %130 : tensor<64xf32>
    %cst_47 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %132 = stablehlo.broadcast_in_dim %cst_47, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %133 = stablehlo.multiply %132, %arg26 : tensor<768xf32>
    %cst_48 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %134 = stablehlo.broadcast_in_dim %cst_48, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %135 = stablehlo.multiply %134, %arg16 : tensor<768xf32>
    %136 = stablehlo.add %133, %135 : tensor<768xf32>
    %cst_49 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %137 = stablehlo.broadcast_in_dim %cst_49, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %138 = stablehlo.multiply %137, %arg36 : tensor<768xf32>
    %cst_50 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %139 = stablehlo.broadcast_in_dim %cst_50, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %140 = stablehlo.multiply %139, %arg16 : tensor<768xf32>
    %141 = stablehlo.multiply %140, %arg16 : tensor<768xf32>
    %142 = stablehlo.add %138, %141 : tensor<768xf32>
    %cst_51 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %143 = stablehlo.broadcast_in_dim %cst_51, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %144 = stablehlo.divide %136, %143 : tensor<768xf32>
    %cst_52 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %145 = stablehlo.broadcast_in_dim %cst_52, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %146 = stablehlo.multiply %145, %144 : tensor<768xf32>
    %cst_53 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %147 = stablehlo.broadcast_in_dim %cst_53, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %148 = stablehlo.divide %142, %147 : tensor<768xf32>
    %149 = stablehlo.sqrt %148 : tensor<768xf32>
    %cst_54 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %150 = stablehlo.broadcast_in_dim %cst_54, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %151 = stablehlo.add %149, %150 : tensor<768xf32>
    %152 = stablehlo.divide %146, %151 : tensor<768xf32>
    %153 = stablehlo.subtract %arg6, %152 : tensor<768xf32>
    %cst_55 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %154 = stablehlo.broadcast_in_dim %cst_55, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %155 = stablehlo.multiply %154, %arg27 : tensor<73728xf32>
    %cst_56 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %156 = stablehlo.broadcast_in_dim %cst_56, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %157 = stablehlo.multiply %156, %arg17 : tensor<73728xf32>
    %158 = stablehlo.add %155, %157 : tensor<73728xf32>
    %cst_57 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %159 = stablehlo.broadcast_in_dim %cst_57, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %160 = stablehlo.multiply %159, %arg37 : tensor<73728xf32>
    %cst_58 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %161 = stablehlo.broadcast_in_dim %cst_58, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %162 = stablehlo.multiply %161, %arg17 : tensor<73728xf32>
    %163 = stablehlo.multiply %162, %arg17 : tensor<73728xf32>
    %164 = stablehlo.add %160, %163 : tensor<73728xf32>
    %cst_59 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %165 = stablehlo.broadcast_in_dim %cst_59, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %166 = stablehlo.divide %158, %165 : tensor<73728xf32>
    %cst_60 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %167 = stablehlo.broadcast_in_dim %cst_60, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %168 = stablehlo.multiply %167, %166 : tensor<73728xf32>
    %cst_61 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %169 = stablehlo.broadcast_in_dim %cst_61, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %170 = stablehlo.divide %164, %169 : tensor<73728xf32>
    %171 = stablehlo.sqrt %170 : tensor<73728xf32>
    %cst_62 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %172 = stablehlo.broadcast_in_dim %cst_62, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %173 = stablehlo.add %171, %172 : tensor<73728xf32>
    %174 = stablehlo.divide %168, %173 : tensor<73728xf32>
    %175 = stablehlo.subtract %arg7, %174 : tensor<73728xf32>
    %cst_63 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %176 = stablehlo.broadcast_in_dim %cst_63, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %177 = stablehlo.multiply %176, %arg28 : tensor<3072xf32>
    %cst_64 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %178 = stablehlo.broadcast_in_dim %cst_64, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %179 = stablehlo.multiply %178, %arg18 : tensor<3072xf32>
    %180 = stablehlo.add %177, %179 : tensor<3072xf32>
    %cst_65 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %181 = stablehlo.broadcast_in_dim %cst_65, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %182 = stablehlo.multiply %181, %arg38 : tensor<3072xf32>
    %cst_66 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %183 = stablehlo.broadcast_in_dim %cst_66, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %184 = stablehlo.multiply %183, %arg18 : tensor<3072xf32>
    %185 = stablehlo.multiply %184, %arg18 : tensor<3072xf32>
    %186 = stablehlo.add %182, %185 : tensor<3072xf32>
    %cst_67 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %187 = stablehlo.broadcast_in_dim %cst_67, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %188 = stablehlo.divide %180, %187 : tensor<3072xf32>
    %cst_68 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %189 = stablehlo.broadcast_in_dim %cst_68, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %190 = stablehlo.multiply %189, %188 : tensor<3072xf32>
    %cst_69 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %191 = stablehlo.broadcast_in_dim %cst_69, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %192 = stablehlo.divide %186, %191 : tensor<3072xf32>
    %193 = stablehlo.sqrt %192 : tensor<3072xf32>
    %cst_70 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %194 = stablehlo.broadcast_in_dim %cst_70, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %195 = stablehlo.add %193, %194 : tensor<3072xf32>
    %196 = stablehlo.divide %190, %195 : tensor<3072xf32>
    %197 = stablehlo.subtract %arg8, %196 : tensor<3072xf32>
    %cst_71 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %198 = stablehlo.broadcast_in_dim %cst_71, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %199 = stablehlo.multiply %198, %arg29 : tensor<73728xf32>
    %cst_72 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %200 = stablehlo.broadcast_in_dim %cst_72, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %201 = stablehlo.multiply %200, %arg19 : tensor<73728xf32>
    %202 = stablehlo.add %199, %201 : tensor<73728xf32>
    %cst_73 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %203 = stablehlo.broadcast_in_dim %cst_73, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %204 = stablehlo.multiply %203, %arg39 : tensor<73728xf32>
    %cst_74 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %205 = stablehlo.broadcast_in_dim %cst_74, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %206 = stablehlo.multiply %205, %arg19 : tensor<73728xf32>
    %207 = stablehlo.multiply %206, %arg19 : tensor<73728xf32>
    %208 = stablehlo.add %204, %207 : tensor<73728xf32>
    %cst_75 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %209 = stablehlo.broadcast_in_dim %cst_75, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %210 = stablehlo.divide %202, %209 : tensor<73728xf32>
    %cst_76 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %211 = stablehlo.broadcast_in_dim %cst_76, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %212 = stablehlo.multiply %211, %210 : tensor<73728xf32>
    %cst_77 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %213 = stablehlo.broadcast_in_dim %cst_77, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %214 = stablehlo.divide %208, %213 : tensor<73728xf32>
    %215 = stablehlo.sqrt %214 : tensor<73728xf32>
    %cst_78 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %216 = stablehlo.broadcast_in_dim %cst_78, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %217 = stablehlo.add %215, %216 : tensor<73728xf32>
    %218 = stablehlo.divide %212, %217 : tensor<73728xf32>
    %219 = stablehlo.subtract %arg9, %218 : tensor<73728xf32>
    return %21, %4, %10, %43, %26, %32, %65, %48, %54, %87, %70, %76, %109, %92, %98, %131, %114, %120, %153, %136, %142, %175, %158, %164, %197, %180, %186, %219, %202, %208 : tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>, tensor<1024xf32>, tensor<1024xf32>, tensor<1024xf32>, tensor<262144xf32>, tensor<262144xf32>, tensor<262144xf32>, tensor<1024xf32>, tensor<1024xf32>, tensor<1024xf32>, tensor<65536xf32>, tensor<65536xf32>, tensor<65536xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<768xf32>, tensor<768xf32>, tensor<768xf32>, tensor<73728xf32>, tensor<73728xf32>, tensor<73728xf32>, tensor<3072xf32>, tensor<3072xf32>, tensor<3072xf32>, tensor<73728xf32>, tensor<73728xf32>, tensor<73728xf32>
  }
}
