module @jit_adam_update attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<4096xf32>, %arg1: tensor<1024xf32>, %arg2: tensor<262144xf32>, %arg3: tensor<1024xf32>, %arg4: tensor<65536xf32>, %arg5: tensor<64xf32>, %arg6: tensor<768xf32>, %arg7: tensor<73728xf32>, %arg8: tensor<3072xf32>, %arg9: tensor<73728xf32>, %arg10: tensor<4096xf32>, %arg11: tensor<1024xf32>, %arg12: tensor<262144xf32>, %arg13: tensor<1024xf32>, %arg14: tensor<65536xf32>, %arg15: tensor<64xf32>, %arg16: tensor<768xf32>, %arg17: tensor<73728xf32>, %arg18: tensor<3072xf32>, %arg19: tensor<73728xf32>, %arg20: tensor<4096xf32>, %arg21: tensor<1024xf32>, %arg22: tensor<262144xf32>, %arg23: tensor<1024xf32>, %arg24: tensor<65536xf32>, %arg25: tensor<64xf32>, %arg26: tensor<768xf32>, %arg27: tensor<73728xf32>, %arg28: tensor<3072xf32>, %arg29: tensor<73728xf32>, %arg30: tensor<4096xf32>, %arg31: tensor<1024xf32>, %arg32: tensor<262144xf32>, %arg33: tensor<1024xf32>, %arg34: tensor<65536xf32>, %arg35: tensor<64xf32>, %arg36: tensor<768xf32>, %arg37: tensor<73728xf32>, %arg38: tensor<3072xf32>, %arg39: tensor<73728xf32>) -> (tensor<4096xf32> {jax.result_info = "result[0]"}, tensor<4096xf32> {jax.result_info = "result[1]"}, tensor<4096xf32> {jax.result_info = "result[2]"}, tensor<1024xf32> {jax.result_info = "result[3]"}, tensor<1024xf32> {jax.result_info = "result[4]"}, tensor<1024xf32> {jax.result_info = "result[5]"}, tensor<262144xf32> {jax.result_info = "result[6]"}, tensor<262144xf32> {jax.result_info = "result[7]"}, tensor<262144xf32> {jax.result_info = "result[8]"}, tensor<1024xf32> {jax.result_info = "result[9]"}, tensor<1024xf32> {jax.result_info = "result[10]"}, tensor<1024xf32> {jax.result_info = "result[11]"}, tensor<65536xf32> {jax.result_info = "result[12]"}, tensor<65536xf32> {jax.result_info = "result[13]"}, tensor<65536xf32> {jax.result_info = "result[14]"}, tensor<64xf32> {jax.result_info = "result[15]"}, tensor<64xf32> {jax.result_info = "result[16]"}, tensor<64xf32> {jax.result_info = "result[17]"}, tensor<768xf32> {jax.result_info = "result[18]"}, tensor<768xf32> {jax.result_info = "result[19]"}, tensor<768xf32> {jax.result_info = "result[20]"}, tensor<73728xf32> {jax.result_info = "result[21]"}, tensor<73728xf32> {jax.result_info = "result[22]"}, tensor<73728xf32> {jax.result_info = "result[23]"}, tensor<3072xf32> {jax.result_info = "result[24]"}, tensor<3072xf32> {jax.result_info = "result[25]"}, tensor<3072xf32> {jax.result_info = "result[26]"}, tensor<73728xf32> {jax.result_info = "result[27]"}, tensor<73728xf32> {jax.result_info = "result[28]"}, tensor<73728xf32> {jax.result_info = "result[29]"}) {
    %cst = stablehlo.constant dense<0.899999976> : tensor<f32>
    %0 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %1 = stablehlo.multiply %0, %arg20 : tensor<4096xf32>
    %cst_0 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %2 = stablehlo.broadcast_in_dim %cst_0, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %3 = stablehlo.multiply %2, %arg10 : tensor<4096xf32>
    %4 = stablehlo.add %1, %3 : tensor<4096xf32>
    %5 = stablehlo.abs %arg30 : tensor<4096xf32>
    %cst_1 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %6 = stablehlo.broadcast_in_dim %cst_1, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %7 = stablehlo.multiply %6, %5 : tensor<4096xf32>
    %cst_2 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %8 = stablehlo.broadcast_in_dim %cst_2, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %9 = stablehlo.multiply %8, %arg10 : tensor<4096xf32>
    %10 = stablehlo.multiply %9, %arg10 : tensor<4096xf32>
    %11 = stablehlo.add %7, %10 : tensor<4096xf32>
    %cst_3 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %12 = stablehlo.broadcast_in_dim %cst_3, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %13 = stablehlo.divide %4, %12 : tensor<4096xf32>
    %cst_4 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %14 = stablehlo.broadcast_in_dim %cst_4, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %15 = stablehlo.multiply %14, %13 : tensor<4096xf32>
    %cst_5 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %16 = stablehlo.broadcast_in_dim %cst_5, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %17 = stablehlo.divide %11, %16 : tensor<4096xf32>
    %18 = stablehlo.sqrt %17 : tensor<4096xf32>
    %cst_6 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %19 = stablehlo.broadcast_in_dim %cst_6, dims = [] : (tensor<f32>) -> tensor<4096xf32>
    %20 = stablehlo.add %18, %19 : tensor<4096xf32>
    %21 = stablehlo.divide %15, %20 : tensor<4096xf32>
    %22 = stablehlo.subtract %arg0, %21 : tensor<4096xf32>
    %cst_7 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %23 = stablehlo.broadcast_in_dim %cst_7, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %24 = stablehlo.multiply %23, %arg21 : tensor<1024xf32>
    %cst_8 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %25 = stablehlo.broadcast_in_dim %cst_8, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %26 = stablehlo.multiply %25, %arg11 : tensor<1024xf32>
    %27 = stablehlo.add %24, %26 : tensor<1024xf32>
    %28 = stablehlo.abs %arg31 : tensor<1024xf32>
    %cst_9 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %29 = stablehlo.broadcast_in_dim %cst_9, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %30 = stablehlo.multiply %29, %28 : tensor<1024xf32>
    %cst_10 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %31 = stablehlo.broadcast_in_dim %cst_10, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %32 = stablehlo.multiply %31, %arg11 : tensor<1024xf32>
    %33 = stablehlo.multiply %32, %arg11 : tensor<1024xf32>
    %34 = stablehlo.add %30, %33 : tensor<1024xf32>
    %cst_11 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %35 = stablehlo.broadcast_in_dim %cst_11, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %36 = stablehlo.divide %27, %35 : tensor<1024xf32>
    %cst_12 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %37 = stablehlo.broadcast_in_dim %cst_12, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %38 = stablehlo.multiply %37, %36 : tensor<1024xf32>
    %cst_13 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %39 = stablehlo.broadcast_in_dim %cst_13, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %40 = stablehlo.divide %34, %39 : tensor<1024xf32>
    %41 = stablehlo.sqrt %40 : tensor<1024xf32>
    %cst_14 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %42 = stablehlo.broadcast_in_dim %cst_14, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %43 = stablehlo.add %41, %42 : tensor<1024xf32>
    %44 = stablehlo.divide %38, %43 : tensor<1024xf32>
    %45 = stablehlo.subtract %arg1, %44 : tensor<1024xf32>
    %cst_15 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %46 = stablehlo.broadcast_in_dim %cst_15, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %47 = stablehlo.multiply %46, %arg22 : tensor<262144xf32>
    %cst_16 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %48 = stablehlo.broadcast_in_dim %cst_16, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %49 = stablehlo.multiply %48, %arg12 : tensor<262144xf32>
    %50 = stablehlo.add %47, %49 : tensor<262144xf32>
    %51 = stablehlo.abs %arg32 : tensor<262144xf32>
    %cst_17 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %52 = stablehlo.broadcast_in_dim %cst_17, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %53 = stablehlo.multiply %52, %51 : tensor<262144xf32>
    %cst_18 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %54 = stablehlo.broadcast_in_dim %cst_18, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %55 = stablehlo.multiply %54, %arg12 : tensor<262144xf32>
    %56 = stablehlo.multiply %55, %arg12 : tensor<262144xf32>
    %57 = stablehlo.add %53, %56 : tensor<262144xf32>
    %cst_19 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %58 = stablehlo.broadcast_in_dim %cst_19, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %59 = stablehlo.divide %50, %58 : tensor<262144xf32>
    %cst_20 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %60 = stablehlo.broadcast_in_dim %cst_20, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %61 = stablehlo.multiply %60, %59 : tensor<262144xf32>
    %cst_21 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %62 = stablehlo.broadcast_in_dim %cst_21, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %63 = stablehlo.divide %57, %62 : tensor<262144xf32>
    %64 = stablehlo.sqrt %63 : tensor<262144xf32>
    %cst_22 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %65 = stablehlo.broadcast_in_dim %cst_22, dims = [] : (tensor<f32>) -> tensor<262144xf32>
    %66 = stablehlo.add %64, %65 : tensor<262144xf32>
    %67 = stablehlo.divide %61, %66 : tensor<262144xf32>
    %68 = stablehlo.subtract %arg2, %67 : tensor<262144xf32>
    %cst_23 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %69 = stablehlo.broadcast_in_dim %cst_23, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %70 = stablehlo.multiply %69, %arg23 : tensor<1024xf32>
    %cst_24 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %71 = stablehlo.broadcast_in_dim %cst_24, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %72 = stablehlo.multiply %71, %arg13 : tensor<1024xf32>
    %73 = stablehlo.add %70, %72 : tensor<1024xf32>
    %74 = stablehlo.abs %arg33 : tensor<1024xf32>
    %cst_25 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %75 = stablehlo.broadcast_in_dim %cst_25, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %76 = stablehlo.multiply %75, %74 : tensor<1024xf32>
    %cst_26 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %77 = stablehlo.broadcast_in_dim %cst_26, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %78 = stablehlo.multiply %77, %arg13 : tensor<1024xf32>
    %79 = stablehlo.multiply %78, %arg13 : tensor<1024xf32>
    %80 = stablehlo.add %76, %79 : tensor<1024xf32>
    %cst_27 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %81 = stablehlo.broadcast_in_dim %cst_27, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %82 = stablehlo.divide %73, %81 : tensor<1024xf32>
    %cst_28 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %83 = stablehlo.broadcast_in_dim %cst_28, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %84 = stablehlo.multiply %83, %82 : tensor<1024xf32>
    %cst_29 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %85 = stablehlo.broadcast_in_dim %cst_29, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %86 = stablehlo.divide %80, %85 : tensor<1024xf32>
    %87 = stablehlo.sqrt %86 : tensor<1024xf32>
    %cst_30 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %88 = stablehlo.broadcast_in_dim %cst_30, dims = [] : (tensor<f32>) -> tensor<1024xf32>
    %89 = stablehlo.add %87, %88 : tensor<1024xf32>
    %90 = stablehlo.divide %84, %89 : tensor<1024xf32>
    %91 = stablehlo.subtract %arg3, %90 : tensor<1024xf32>
    %cst_31 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %92 = stablehlo.broadcast_in_dim %cst_31, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %93 = stablehlo.multiply %92, %arg24 : tensor<65536xf32>
    %cst_32 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %94 = stablehlo.broadcast_in_dim %cst_32, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %95 = stablehlo.multiply %94, %arg14 : tensor<65536xf32>
    %96 = stablehlo.add %93, %95 : tensor<65536xf32>
    %97 = stablehlo.abs %arg34 : tensor<65536xf32>
    %cst_33 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %98 = stablehlo.broadcast_in_dim %cst_33, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %99 = stablehlo.multiply %98, %97 : tensor<65536xf32>
    %cst_34 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %100 = stablehlo.broadcast_in_dim %cst_34, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %101 = stablehlo.multiply %100, %arg14 : tensor<65536xf32>
    %102 = stablehlo.multiply %101, %arg14 : tensor<65536xf32>
    %103 = stablehlo.add %99, %102 : tensor<65536xf32>
    %cst_35 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %104 = stablehlo.broadcast_in_dim %cst_35, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %105 = stablehlo.divide %96, %104 : tensor<65536xf32>
    %cst_36 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %106 = stablehlo.broadcast_in_dim %cst_36, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %107 = stablehlo.multiply %106, %105 : tensor<65536xf32>
    %cst_37 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %108 = stablehlo.broadcast_in_dim %cst_37, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %109 = stablehlo.divide %103, %108 : tensor<65536xf32>
    %110 = stablehlo.sqrt %109 : tensor<65536xf32>
    %cst_38 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %111 = stablehlo.broadcast_in_dim %cst_38, dims = [] : (tensor<f32>) -> tensor<65536xf32>
    %112 = stablehlo.add %110, %111 : tensor<65536xf32>
    %113 = stablehlo.divide %107, %112 : tensor<65536xf32>
    %114 = stablehlo.subtract %arg4, %113 : tensor<65536xf32>
    %cst_39 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %115 = stablehlo.broadcast_in_dim %cst_39, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %116 = stablehlo.multiply %115, %arg25 : tensor<64xf32>
    %cst_40 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %117 = stablehlo.broadcast_in_dim %cst_40, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %118 = stablehlo.multiply %117, %arg15 : tensor<64xf32>
    %119 = stablehlo.add %116, %118 : tensor<64xf32>
    %120 = stablehlo.abs %arg35 : tensor<64xf32>
    %cst_41 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %121 = stablehlo.broadcast_in_dim %cst_41, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %122 = stablehlo.multiply %121, %120 : tensor<64xf32>
    %cst_42 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %123 = stablehlo.broadcast_in_dim %cst_42, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %124 = stablehlo.multiply %123, %arg15 : tensor<64xf32>
    %125 = stablehlo.multiply %124, %arg15 : tensor<64xf32>
    %126 = stablehlo.add %122, %125 : tensor<64xf32>
    %cst_43 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %127 = stablehlo.broadcast_in_dim %cst_43, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %128 = stablehlo.divide %119, %127 : tensor<64xf32>
    %cst_44 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %129 = stablehlo.broadcast_in_dim %cst_44, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %130 = stablehlo.multiply %129, %128 : tensor<64xf32>
    %cst_45 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %131 = stablehlo.broadcast_in_dim %cst_45, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %132 = stablehlo.divide %126, %131 : tensor<64xf32>
    %133 = stablehlo.sqrt %132 : tensor<64xf32>
    %cst_46 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %134 = stablehlo.broadcast_in_dim %cst_46, dims = [] : (tensor<f32>) -> tensor<64xf32>
    %135 = stablehlo.add %133, %134 : tensor<64xf32>
    %136 = stablehlo.divide %130, %135 : tensor<64xf32>
    %137 = stablehlo.subtract %arg5, %136 : tensor<64xf32>
    %cst_47 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %138 = stablehlo.broadcast_in_dim %cst_47, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %139 = stablehlo.multiply %138, %arg26 : tensor<768xf32>
    %cst_48 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %140 = stablehlo.broadcast_in_dim %cst_48, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %141 = stablehlo.multiply %140, %arg16 : tensor<768xf32>
    %142 = stablehlo.add %139, %141 : tensor<768xf32>
    %143 = stablehlo.abs %arg36 : tensor<768xf32>
    %cst_49 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %144 = stablehlo.broadcast_in_dim %cst_49, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %145 = stablehlo.multiply %144, %143 : tensor<768xf32>
    %cst_50 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %146 = stablehlo.broadcast_in_dim %cst_50, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %147 = stablehlo.multiply %146, %arg16 : tensor<768xf32>
    %148 = stablehlo.multiply %147, %arg16 : tensor<768xf32>
    %149 = stablehlo.add %145, %148 : tensor<768xf32>
    %cst_51 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %150 = stablehlo.broadcast_in_dim %cst_51, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %151 = stablehlo.divide %142, %150 : tensor<768xf32>
    %cst_52 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %152 = stablehlo.broadcast_in_dim %cst_52, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %153 = stablehlo.multiply %152, %151 : tensor<768xf32>
    %cst_53 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %154 = stablehlo.broadcast_in_dim %cst_53, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %155 = stablehlo.divide %149, %154 : tensor<768xf32>
    %156 = stablehlo.sqrt %155 : tensor<768xf32>
    %cst_54 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %157 = stablehlo.broadcast_in_dim %cst_54, dims = [] : (tensor<f32>) -> tensor<768xf32>
    %158 = stablehlo.add %156, %157 : tensor<768xf32>
    %159 = stablehlo.divide %153, %158 : tensor<768xf32>
    %160 = stablehlo.subtract %arg6, %159 : tensor<768xf32>
    %cst_55 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %161 = stablehlo.broadcast_in_dim %cst_55, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %162 = stablehlo.multiply %161, %arg27 : tensor<73728xf32>
    %cst_56 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %163 = stablehlo.broadcast_in_dim %cst_56, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %164 = stablehlo.multiply %163, %arg17 : tensor<73728xf32>
    %165 = stablehlo.add %162, %164 : tensor<73728xf32>
    %166 = stablehlo.abs %arg37 : tensor<73728xf32>
    %cst_57 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %167 = stablehlo.broadcast_in_dim %cst_57, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %168 = stablehlo.multiply %167, %166 : tensor<73728xf32>
    %cst_58 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %169 = stablehlo.broadcast_in_dim %cst_58, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %170 = stablehlo.multiply %169, %arg17 : tensor<73728xf32>
    %171 = stablehlo.multiply %170, %arg17 : tensor<73728xf32>
    %172 = stablehlo.add %168, %171 : tensor<73728xf32>
    %cst_59 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %173 = stablehlo.broadcast_in_dim %cst_59, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %174 = stablehlo.divide %165, %173 : tensor<73728xf32>
    %cst_60 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %175 = stablehlo.broadcast_in_dim %cst_60, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %176 = stablehlo.multiply %175, %174 : tensor<73728xf32>
    %cst_61 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %177 = stablehlo.broadcast_in_dim %cst_61, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %178 = stablehlo.divide %172, %177 : tensor<73728xf32>
    %179 = stablehlo.sqrt %178 : tensor<73728xf32>
    %cst_62 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %180 = stablehlo.broadcast_in_dim %cst_62, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %181 = stablehlo.add %179, %180 : tensor<73728xf32>
    %182 = stablehlo.divide %176, %181 : tensor<73728xf32>
    %183 = stablehlo.subtract %arg7, %182 : tensor<73728xf32>
    %cst_63 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %184 = stablehlo.broadcast_in_dim %cst_63, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %185 = stablehlo.multiply %184, %arg28 : tensor<3072xf32>
    %cst_64 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %186 = stablehlo.broadcast_in_dim %cst_64, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %187 = stablehlo.multiply %186, %arg18 : tensor<3072xf32>
    %188 = stablehlo.add %185, %187 : tensor<3072xf32>
    %189 = stablehlo.abs %arg38 : tensor<3072xf32>
    %cst_65 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %190 = stablehlo.broadcast_in_dim %cst_65, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %191 = stablehlo.multiply %190, %189 : tensor<3072xf32>
    %cst_66 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %192 = stablehlo.broadcast_in_dim %cst_66, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %193 = stablehlo.multiply %192, %arg18 : tensor<3072xf32>
    %194 = stablehlo.multiply %193, %arg18 : tensor<3072xf32>
    %195 = stablehlo.add %191, %194 : tensor<3072xf32>
    %cst_67 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %196 = stablehlo.broadcast_in_dim %cst_67, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %197 = stablehlo.divide %188, %196 : tensor<3072xf32>
    %cst_68 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %198 = stablehlo.broadcast_in_dim %cst_68, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %199 = stablehlo.multiply %198, %197 : tensor<3072xf32>
    %cst_69 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %200 = stablehlo.broadcast_in_dim %cst_69, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %201 = stablehlo.divide %195, %200 : tensor<3072xf32>
    %202 = stablehlo.sqrt %201 : tensor<3072xf32>
    %cst_70 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %203 = stablehlo.broadcast_in_dim %cst_70, dims = [] : (tensor<f32>) -> tensor<3072xf32>
    %204 = stablehlo.add %202, %203 : tensor<3072xf32>
    %205 = stablehlo.divide %199, %204 : tensor<3072xf32>
    %206 = stablehlo.subtract %arg8, %205 : tensor<3072xf32>
    %cst_71 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %207 = stablehlo.broadcast_in_dim %cst_71, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %208 = stablehlo.multiply %207, %arg29 : tensor<73728xf32>
    %cst_72 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %209 = stablehlo.broadcast_in_dim %cst_72, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %210 = stablehlo.multiply %209, %arg19 : tensor<73728xf32>
    %211 = stablehlo.add %208, %210 : tensor<73728xf32>
    %212 = stablehlo.abs %arg39 : tensor<73728xf32>
    %cst_73 = stablehlo.constant dense<9.990000e-01> : tensor<f32>
    %213 = stablehlo.broadcast_in_dim %cst_73, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %214 = stablehlo.multiply %213, %212 : tensor<73728xf32>
    %cst_74 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %215 = stablehlo.broadcast_in_dim %cst_74, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %216 = stablehlo.multiply %215, %arg19 : tensor<73728xf32>
    %217 = stablehlo.multiply %216, %arg19 : tensor<73728xf32>
    %218 = stablehlo.add %214, %217 : tensor<73728xf32>
    %cst_75 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %219 = stablehlo.broadcast_in_dim %cst_75, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %220 = stablehlo.divide %211, %219 : tensor<73728xf32>
    %cst_76 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %221 = stablehlo.broadcast_in_dim %cst_76, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %222 = stablehlo.multiply %221, %220 : tensor<73728xf32>
    %cst_77 = stablehlo.constant dense<1.000000e-03> : tensor<f32>
    %223 = stablehlo.broadcast_in_dim %cst_77, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %224 = stablehlo.divide %218, %223 : tensor<73728xf32>
    %225 = stablehlo.sqrt %224 : tensor<73728xf32>
    %cst_78 = stablehlo.constant dense<9.99999993E-9> : tensor<f32>
    %226 = stablehlo.broadcast_in_dim %cst_78, dims = [] : (tensor<f32>) -> tensor<73728xf32>
    %227 = stablehlo.add %225, %226 : tensor<73728xf32>
    %228 = stablehlo.divide %222, %227 : tensor<73728xf32>
    %229 = stablehlo.subtract %arg9, %228 : tensor<73728xf32>
    return %22, %4, %11, %45, %27, %34, %68, %50, %57, %91, %73, %80, %114, %96, %103, %137, %119, %126, %160, %142, %149, %183, %165, %172, %206, %188, %195, %229, %211, %218 : tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>, tensor<1024xf32>, tensor<1024xf32>, tensor<1024xf32>, tensor<262144xf32>, tensor<262144xf32>, tensor<262144xf32>, tensor<1024xf32>, tensor<1024xf32>, tensor<1024xf32>, tensor<65536xf32>, tensor<65536xf32>, tensor<65536xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<768xf32>, tensor<768xf32>, tensor<768xf32>, tensor<73728xf32>, tensor<73728xf32>, tensor<73728xf32>, tensor<3072xf32>, tensor<3072xf32>, tensor<3072xf32>, tensor<73728xf32>, tensor<73728xf32>, tensor<73728xf32>
  }
}
