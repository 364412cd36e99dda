module @jit_many_tiny_ops attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<64x64xf32>, %arg1: tensor<64x64xf32>) -> (tensor<64x64xf32> {jax.result_info = "result[0]"}, tensor<64x64xf32> {jax.result_info = "result[1]"}) {
    %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %0 = stablehlo.reduce(%arg0 init: %cst) applies stablehlo.add across dimensions = [0] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %1 = stablehlo.broadcast_in_dim %0, dims = [1] : (tensor<64xf32>) -> tensor<1x64xf32>
    %cst_0 = stablehlo.constant dense<6.400000e+01> : tensor<f32>
    %2 = stablehlo.broadcast_in_dim %cst_0, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %3 = stablehlo.divide %1, %2 : tensor<1x64xf32>
    %4 = stablehlo.broadcast_in_dim %3, dims = [0, 1] : (tensor<1x64xf32>) -> tensor<64x64xf32>
    %5 = stablehlo.subtract %arg0, %4 : tensor<64x64xf32>
    %6 = stablehlo.tanh %5 : tensor<64x64xf32>
    %7 = stablehlo.multiply %6, %arg1 : tensor<64x64xf32>
    %cst_1 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %8 = stablehlo.broadcast_in_dim %cst_1, dims = [] : (tensor<f32>) -> tensor<64x64xf32>
    %9 = stablehlo.add %7, %8 : tensor<64x64xf32>
    %cst_2 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %10 = stablehlo.reduce(%9 init: %cst_2) applies stablehlo.maximum across dimensions = [1] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %11 = stablehlo.broadcast_in_dim %10, dims = [0] : (tensor<64xf32>) -> tensor<64x1xf32>
    %12 = stablehlo.negate %11 : tensor<64x1xf32>
    %13 = stablehlo.exponential %12 : tensor<64x1xf32>
    %cst_3 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %14 = stablehlo.broadcast_in_dim %cst_3, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %15 = stablehlo.add %14, %13 : tensor<64x1xf32>
    %cst_4 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %16 = stablehlo.broadcast_in_dim %cst_4, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %17 = stablehlo.divide %16, %15 : tensor<64x1xf32>
    %18 = stablehlo.broadcast_in_dim %17, dims = [0, 1] : (tensor<64x1xf32>) -> tensor<64x64xf32>
    %19 = stablehlo.multiply %arg1, %18 : tensor<64x64xf32>
    %20 = stablehlo.add %19, %9 : tensor<64x64xf32>
    %cst_5 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %21 = stablehlo.reduce(%9 init: %cst_5) applies stablehlo.add across dimensions = [1] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %22 = stablehlo.broadcast_in_dim %21, dims = [0] : (tensor<64xf32>) -> tensor<64x1xf32>
    %cst_6 = stablehlo.constant dense<6.400000e+01> : tensor<f32>
    %23 = stablehlo.broadcast_in_dim %cst_6, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %24 = stablehlo.divide %22, %23 : tensor<64x1xf32>
    %25 = stablehlo.broadcast_in_dim %24, dims = [0, 1] : (tensor<64x1xf32>) -> tensor<64x64xf32>
    %26 = stablehlo.subtract %9, %25 : tensor<64x64xf32>
    %27 = stablehlo.tanh %26 : tensor<64x64xf32>
    %28 = stablehlo.multiply %27, %20 : tensor<64x64xf32>
    %cst_7 = stablehlo.constant dense<1.000000e-01> : tensor<f32>
    %29 = stablehlo.broadcast_in_dim %cst_7, dims = [] : (tensor<f32>) -> tensor<64x64xf32>
    %30 = stablehlo.add %28, %29 : tensor<64x64xf32>
    %cst_8 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %31 = stablehlo.reduce(%30 init: %cst_8) applies stablehlo.maximum across dimensions = [0] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %32 = stablehlo.broadcast_in_dim %31, dims = [1] : (tensor<64xf32>) -> tensor<1x64xf32>
    %33 = stablehlo.negate %32 : tensor<1x64xf32>
    %34 = stablehlo.exponential %33 : tensor<1x64xf32>
    %cst_9 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %35 = stablehlo.broadcast_in_dim %cst_9, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %36 = stablehlo.add %35, %34 : tensor<1x64xf32>
    %cst_10 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %37 = stablehlo.broadcast_in_dim %cst_10, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %38 = stablehlo.divide %37, %36 : tensor<1x64xf32>
    %39 = stablehlo.broadcast_in_dim %38, dims = [0, 1] : (tensor<1x64xf32>) -> tensor<64x64xf32>
    %40 = stablehlo.multiply %20, %39 : tensor<64x64xf32>
    %41 = stablehlo.add %40, %30 : tensor<64x64xf32>
    %cst_11 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %42 = stablehlo.reduce(%30 init: %cst_11) applies stablehlo.add across dimensions = [0] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %43 = stablehlo.broadcast_in_dim %42, dims = [1] : (tensor<64xf32>) -> tensor<1x64xf32>
    %cst_12 = stablehlo.constant dense<6.400000e+01> : tensor<f32>
    %44 = stablehlo.broadcast_in_dim %cst_12, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %45 = stablehlo.divide %43, %44 : tensor<1x64xf32>
    %46 = stablehlo.broadcast_in_dim %45, dims = [0, 1] : (tensor<1x64xf32>) -> tensor<64x64xf32>
    %47 = stablehlo.subtract %30, %46 : tensor<64x64xf32>
    %48 = stablehlo.tanh %47 : tensor<64x64xf32>
    %49 = stablehlo.multiply %48, %41 : tensor<64x64xf32>
    %cst_13 = stablehlo.constant dense<2.000000e-01> : tensor<f32>
    %50 = stablehlo.broadcast_in_dim %cst_13, dims = [] : (tensor<f32>) -> tensor<64x64xf32>
    %51 = stablehlo.add %49, %50 : tensor<64x64xf32>
    %cst_14 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %52 = stablehlo.reduce(%51 init: %cst_14) applies stablehlo.maximum across dimensions = [1] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %53 = stablehlo.broadcast_in_dim %52, dims = [0] : (tensor<64xf32>) -> tensor<64x1xf32>
    %54 = stablehlo.negate %53 : tensor<64x1xf32>
    %55 = stablehlo.exponential %54 : tensor<64x1xf32>
    %cst_15 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %56 = stablehlo.broadcast_in_dim %cst_15, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %57 = stablehlo.add %56, %55 : tensor<64x1xf32>
    %cst_16 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %58 = stablehlo.broadcast_in_dim %cst_16, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %59 = stablehlo.divide %58, %57 : tensor<64x1xf32>
    %60 = stablehlo.broadcast_in_dim %59, dims = [0, 1] : (tensor<64x1xf32>) -> tensor<64x64xf32>
    %61 = stablehlo.multiply %41, %60 : tensor<64x64xf32>
    %62 = stablehlo.add %61, %51 : tensor<64x64xf32>
    %cst_17 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %63 = stablehlo.reduce(%51 init: %cst_17) applies stablehlo.add across dimensions = [1] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %64 = stablehlo.broadcast_in_dim %63, dims = [0] : (tensor<64xf32>) -> tensor<64x1xf32>
    %cst_18 = stablehlo.constant dense<6.400000e+01> : tensor<f32>
    %65 = stablehlo.broadcast_in_dim %cst_18, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %66 = stablehlo.divide %64, %65 : tensor<64x1xf32>
    %67 = stablehlo.broadcast_in_dim %66, dims = [0, 1] : (tensor<64x1xf32>) -> tensor<64x64xf32>
    %68 = stablehlo.subtract %51, %67 : tensor<64x64xf32>
    %69 = stablehlo.tanh %68 : tensor<64x64xf32>
    %70 = stablehlo.multiply %69, %62 : tensor<64x64xf32>
    %cst_19 = stablehlo.constant dense<3.000000e-01> : tensor<f32>
    %71 = stablehlo.broadcast_in_dim %cst_19, dims = [] : (tensor<f32>) -> tensor<64x64xf32>
    %72 = stablehlo.add %70, %71 : tensor<64x64xf32>
    %cst_20 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %73 = stablehlo.reduce(%72 init: %cst_20) applies stablehlo.maximum across dimensions = [0] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %74 = stablehlo.broadcast_in_dim %73, dims = [1] : (tensor<64xf32>) -> tensor<1x64xf32>
    %75 = stablehlo.negate %74 : tensor<1x64xf32>
    %76 = stablehlo.exponential %75 : tensor<1x64xf32>
    %cst_21 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %77 = stablehlo.broadcast_in_dim %cst_21, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %78 = stablehlo.add %77, %76 : tensor<1x64xf32>
    %cst_22 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %79 = stablehlo.broadcast_in_dim %cst_22, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %80 = stablehlo.divide %79, %78 : tensor<1x64xf32>
    %81 = stablehlo.broadcast_in_dim %80, dims = [0, 1] : (tensor<1x64xf32>) -> tensor<64x64xf32>
    %82 = stablehlo.multiply %62, %81 : tensor<64x64xf32>
    %83 = stablehlo.add %82, %72 : tensor<64x64xf32>
    %cst_23 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %84 = stablehlo.reduce(%72 init: %cst_23) applies stablehlo.add across dimensions = [0] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %85 = stablehlo.broadcast_in_dim %84, dims = [1] : (tensor<64xf32>) -> tensor<1x64xf32>
    %cst_24 = stablehlo.constant dense<6.400000e+01> : tensor<f32>
    %86 = stablehlo.broadcast_in_dim %cst_24, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %87 = stablehlo.divide %85, %86 : tensor<1x64xf32>
    %88 = stablehlo.broadcast_in_dim %87, dims = [0, 1] : (tensor<1x64xf32>) -> tensor<64x64xf32>
    %89 = stablehlo.subtract %72, %88 : tensor<64x64xf32>
    %90 = stablehlo.tanh %89 : tensor<64x64xf32>
    %91 = stablehlo.multiply %90, %83 : tensor<64x64xf32>
    %cst_25 = stablehlo.constant dense<4.000000e-01> : tensor<f32>
    %92 = stablehlo.broadcast_in_dim %cst_25, dims = [] : (tensor<f32>) -> tensor<64x64xf32>
    %93 = stablehlo.add %91, %92 : tensor<64x64xf32>
    %cst_26 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %94 = stablehlo.reduce(%93 init: %cst_26) applies stablehlo.maximum across dimensions = [1] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %95 = stablehlo.broadcast_in_dim %94, dims = [0] : (tensor<64xf32>) -> tensor<64x1xf32>
    %96 = stablehlo.negate %95 : tensor<64x1xf32>
    %97 = stablehlo.exponential %96 : tensor<64x1xf32>
    %cst_27 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %98 = stablehlo.broadcast_in_dim %cst_27, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %99 = stablehlo.add %98, %97 : tensor<64x1xf32>
    %cst_28 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %100 = stablehlo.broadcast_in_dim %cst_28, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %101 = stablehlo.divide %100, %99 : tensor<64x1xf32>
    %102 = stablehlo.broadcast_in_dim %101, dims = [0, 1] : (tensor<64x1xf32>) -> tensor<64x64xf32>
    %103 = stablehlo.multiply %83, %102 : tensor<64x64xf32>
    %104 = stablehlo.add %103, %93 : tensor<64x64xf32>
    %cst_29 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %105 = stablehlo.reduce(%93 init: %cst_29) applies stablehlo.add across dimensions = [1] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %106 = stablehlo.broadcast_in_dim %105, dims = [0] : (tensor<64xf32>) -> tensor<64x1xf32>
    %cst_30 = stablehlo.constant dense<6.400000e+01> : tensor<f32>
    %107 = stablehlo.broadcast_in_dim %cst_30, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %108 = stablehlo.divide %106, %107 : tensor<64x1xf32>
    %109 = stablehlo.broadcast_in_dim %108, dims = [0, 1] : (tensor<64x1xf32>) -> tensor<64x64xf32>
    %110 = stablehlo.subtract %93, %109 : tensor<64x64xf32>
    %111 = stablehlo.tanh %110 : tensor<64x64xf32>
    %112 = stablehlo.multiply %111, %104 : tensor<64x64xf32>
    %cst_31 = stablehlo.constant dense<5.000000e-01> : tensor<f32>
    %113 = stablehlo.broadcast_in_dim %cst_31, dims = [] : (tensor<f32>) -> tensor<64x64xf32>
    %114 = stablehlo.add %112, %113 : tensor<64x64xf32>
    %cst_32 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %115 = stablehlo.reduce(%114 init: %cst_32) applies stablehlo.maximum across dimensions = [0] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %116 = stablehlo.broadcast_in_dim %115, dims = [1] : (tensor<64xf32>) -> tensor<1x64xf32>
    %117 = stablehlo.negate %116 : tensor<1x64xf32>
    %118 = stablehlo.exponential %117 : tensor<1x64xf32>
    %cst_33 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %119 = stablehlo.broadcast_in_dim %cst_33, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %120 = stablehlo.add %119, %118 : tensor<1x64xf32>
    %cst_34 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %121 = stablehlo.broadcast_in_dim %cst_34, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %122 = stablehlo.divide %121, %120 : tensor<1x64xf32>
    %123 = stablehlo.broadcast_in_dim %122, dims = [0, 1] : (tensor<1x64xf32>) -> tensor<64x64xf32>
    %124 = stablehlo.multiply %104, %123 : tensor<64x64xf32>
    %125 = stablehlo.add %124, %114 : tensor<64x64xf32>
    %cst_35 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %126 = stablehlo.reduce(%114 init: %cst_35) applies stablehlo.add across dimensions = [0] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %127 = stablehlo.broadcast_in_dim %126, dims = [1] : (tensor<64xf32>) -> tensor<1x64xf32>
    %cst_36 = stablehlo.constant dense<6.400000e+01> : tensor<f32>
    %128 = stablehlo.broadcast_in_dim %cst_36, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %129 = stablehlo.divide %127, %128 : tensor<1x64xf32>
    %130 = stablehlo.broadcast_in_dim %129, dims = [0, 1] : (tensor<1x64xf32>) -> tensor<64x64xf32>
    %131 = stablehlo.subtract %114, %130 : tensor<64x64xf32>
    %132 = stablehlo.tanh %131 : tensor<64x64xf32>
    %133 = stablehlo.multiply %132, %125 : tensor<64x64xf32>
    %cst_37 = stablehlo.constant dense<6.000000e-01> : tensor<f32>
    %134 = stablehlo.broadcast_in_dim %cst_37, dims = [] : (tensor<f32>) -> tensor<64x64xf32>
    %135 = stablehlo.add %133, %134 : tensor<64x64xf32>
    %cst_38 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %136 = stablehlo.reduce(%135 init: %cst_38) applies stablehlo.maximum across dimensions = [1] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %137 = stablehlo.broadcast_in_dim %136, dims = [0] : (tensor<64xf32>) -> tensor<64x1xf32>
    %138 = stablehlo.negate %137 : tensor<64x1xf32>
    %139 = stablehlo.exponential %138 : tensor<64x1xf32>
    %cst_39 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %140 = stablehlo.broadcast_in_dim %cst_39, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %141 = stablehlo.add %140, %139 : tensor<64x1xf32>
    %cst_40 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %142 = stablehlo.broadcast_in_dim %cst_40, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %143 = stablehlo.divide %142, %141 : tensor<64x1xf32>
    %144 = stablehlo.broadcast_in_dim %143, dims = [0, 1] : (tensor<64x1xf32>) -> tensor<64x64xf32>
    %145 = stablehlo.multiply %125, %144 : tensor<64x64xf32>
    %146 = stablehlo.add %145, %135 : tensor<64x64xf32>
    %cst_41 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %147 = stablehlo.reduce(%135 init: %cst_41) applies stablehlo.add across dimensions = [1] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %148 = stablehlo.broadcast_in_dim %147, dims = [0] : (tensor<64xf32>) -> tensor<64x1xf32>
    %cst_42 = stablehlo.constant dense<6.400000e+01> : tensor<f32>
    %149 = stablehlo.broadcast_in_dim %cst_42, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %150 = stablehlo.divide %148, %149 : tensor<64x1xf32>
    %151 = stablehlo.broadcast_in_dim %150, dims = [0, 1] : (tensor<64x1xf32>) -> tensor<64x64xf32>
    %152 = stablehlo.subtract %135, %151 : tensor<64x64xf32>
    %153 = stablehlo.tanh %152 : tensor<64x64xf32>
    %154 = stablehlo.multiply %153, %146 : tensor<64x64xf32>
    %cst_43 = stablehlo.constant dense<0.699999988> : tensor<f32>
    %155 = stablehlo.broadcast_in_dim %cst_43, dims = [] : (tensor<f32>) -> tensor<64x64xf32>
    %156 = stablehlo.add %154, %155 : tensor<64x64xf32>
    %cst_44 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %157 = stablehlo.reduce(%156 init: %cst_44) applies stablehlo.maximum across dimensions = [0] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %158 = stablehlo.broadcast_in_dim %157, dims = [1] : (tensor<64xf32>) -> tensor<1x64xf32>
    %159 = stablehlo.negate %158 : tensor<1x64xf32>
    %160 = stablehlo.exponential %159 : tensor<1x64xf32>
    %cst_45 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %161 = stablehlo.broadcast_in_dim %cst_45, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %162 = stablehlo.add %161, %160 : tensor<1x64xf32>
    %cst_46 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %163 = stablehlo.broadcast_in_dim %cst_46, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %164 = stablehlo.divide %163, %162 : tensor<1x64xf32>
    %165 = stablehlo.broadcast_in_dim %164, dims = [0, 1] : (tensor<1x64xf32>) -> tensor<64x64xf32>
    %166 = stablehlo.multiply %146, %165 : tensor<64x64xf32>
    %167 = stablehlo.add %166, %156 : tensor<64x64xf32>
    %cst_47 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %168 = stablehlo.reduce(%156 init: %cst_47) applies stablehlo.add across dimensions = [0] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %169 = stablehlo.broadcast_in_dim %168, dims = [1] : (tensor<64xf32>) -> tensor<1x64xf32>
    %cst_48 = stablehlo.constant dense<6.400000e+01> : tensor<f32>
    %170 = stablehlo.broadcast_in_dim %cst_48, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %171 = stablehlo.divide %169, %170 : tensor<1x64xf32>
    %172 = stablehlo.broadcast_in_dim %171, dims = [0, 1] : (tensor<1x64xf32>) -> tensor<64x64xf32>
    %173 = stablehlo.subtract %156, %172 : tensor<64x64xf32>
    %174 = stablehlo.tanh %173 : tensor<64x64xf32>
    %175 = stablehlo.multiply %174, %167 : tensor<64x64xf32>
    %cst_49 = stablehlo.constant dense<8.000000e-01> : tensor<f32>
    %176 = stablehlo.broadcast_in_dim %cst_49, dims = [] : (tensor<f32>) -> tensor<64x64xf32>
    %177 = stablehlo.add %175, %176 : tensor<64x64xf32>
    %cst_50 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %178 = stablehlo.reduce(%177 init: %cst_50) applies stablehlo.maximum across dimensions = [1] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %179 = stablehlo.broadcast_in_dim %178, dims = [0] : (tensor<64xf32>) -> tensor<64x1xf32>
    %180 = stablehlo.negate %179 : tensor<64x1xf32>
    %181 = stablehlo.exponential %180 : tensor<64x1xf32>
    %cst_51 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %182 = stablehlo.broadcast_in_dim %cst_51, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %183 = stablehlo.add %182, %181 : tensor<64x1xf32>
    %cst_52 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %184 = stablehlo.broadcast_in_dim %cst_52, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %185 = stablehlo.divide %184, %183 : tensor<64x1xf32>
    %186 = stablehlo.broadcast_in_dim %185, dims = [0, 1] : (tensor<64x1xf32>) -> tensor<64x64xf32>
    %187 = stablehlo.multiply %167, %186 : tensor<64x64xf32>
    %188 = stablehlo.add %187, %177 : tensor<64x64xf32>
    %cst_53 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %189 = stablehlo.reduce(%177 init: %cst_53) applies stablehlo.add across dimensions = [1] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %190 = stablehlo.broadcast_in_dim %189, dims = [0] : (tensor<64xf32>) -> tensor<64x1xf32>
    %cst_54 = stablehlo.constant dense<6.400000e+01> : tensor<f32>
    %191 = stablehlo.broadcast_in_dim %cst_54, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %192 = stablehlo.divide %190, %191 : tensor<64x1xf32>
    %193 = stablehlo.broadcast_in_dim %192, dims = [0, 1] : (tensor<64x1xf32>) -> tensor<64x64xf32>
    %194 = stablehlo.subtract %177, %193 : tensor<64x64xf32>
    %195 = stablehlo.tanh %194 : tensor<64x64xf32>
    %196 = stablehlo.multiply %195, %188 : tensor<64x64xf32>
    %cst_55 = stablehlo.constant dense<0.899999976> : tensor<f32>
    %197 = stablehlo.broadcast_in_dim %cst_55, dims = [] : (tensor<f32>) -> tensor<64x64xf32>
    %198 = stablehlo.add %196, %197 : tensor<64x64xf32>
    %cst_56 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %199 = stablehlo.reduce(%198 init: %cst_56) applies stablehlo.maximum across dimensions = [0] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %200 = stablehlo.broadcast_in_dim %199, dims = [1] : (tensor<64xf32>) -> tensor<1x64xf32>
    %201 = stablehlo.negate %200 : tensor<1x64xf32>
    %202 = stablehlo.exponential %201 : tensor<1x64xf32>
    %cst_57 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %203 = stablehlo.broadcast_in_dim %cst_57, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %204 = stablehlo.add %203, %202 : tensor<1x64xf32>
    %cst_58 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %205 = stablehlo.broadcast_in_dim %cst_58, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %206 = stablehlo.divide %205, %204 : tensor<1x64xf32>
    %207 = stablehlo.broadcast_in_dim %206, dims = [0, 1] : (tensor<1x64xf32>) -> tensor<64x64xf32>
    %208 = stablehlo.multiply %188, %207 : tensor<64x64xf32>
    %209 = stablehlo.add %208, %198 : tensor<64x64xf32>
    %cst_59 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %210 = stablehlo.reduce(%198 init: %cst_59) applies stablehlo.add across dimensions = [0] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %211 = stablehlo.broadcast_in_dim %210, dims = [1] : (tensor<64xf32>) -> tensor<1x64xf32>
    %cst_60 = stablehlo.constant dense<6.400000e+01> : tensor<f32>
    %212 = stablehlo.broadcast_in_dim %cst_60, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %213 = stablehlo.divide %211, %212 : tensor<1x64xf32>
    %214 = stablehlo.broadcast_in_dim %213, dims = [0, 1] : (tensor<1x64xf32>) -> tensor<64x64xf32>
    %215 = stablehlo.subtract %198, %214 : tensor<64x64xf32>
    %216 = stablehlo.tanh %215 : tensor<64x64xf32>
    %217 = stablehlo.multiply %216, %209 : tensor<64x64xf32>
    %cst_61 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %218 = stablehlo.broadcast_in_dim %cst_61, dims = [] : (tensor<f32>) -> tensor<64x64xf32>
    %219 = stablehlo.add %217, %218 : tensor<64x64xf32>
    %cst_62 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %220 = stablehlo.reduce(%219 init: %cst_62) applies stablehlo.maximum across dimensions = [1] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %221 = stablehlo.broadcast_in_dim %220, dims = [0] : (tensor<64xf32>) -> tensor<64x1xf32>
    %222 = stablehlo.negate %221 : tensor<64x1xf32>
    %223 = stablehlo.exponential %222 : tensor<64x1xf32>
    %cst_63 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %224 = stablehlo.broadcast_in_dim %cst_63, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %225 = stablehlo.add %224, %223 : tensor<64x1xf32>
    %cst_64 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %226 = stablehlo.broadcast_in_dim %cst_64, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %227 = stablehlo.divide %226, %225 : tensor<64x1xf32>
    %228 = stablehlo.broadcast_in_dim %227, dims = [0, 1] : (tensor<64x1xf32>) -> tensor<64x64xf32>
    %229 = stablehlo.multiply %209, %228 : tensor<64x64xf32>
    %230 = stablehlo.add %229, %219 : tensor<64x64xf32>
    %cst_65 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %231 = stablehlo.reduce(%219 init: %cst_65) applies stablehlo.add across dimensions = [1] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %232 = stablehlo.broadcast_in_dim %231, dims = [0] : (tensor<64xf32>) -> tensor<64x1xf32>
    %cst_66 = stablehlo.constant dense<6.400000e+01> : tensor<f32>
    %233 = stablehlo.broadcast_in_dim %cst_66, dims = [] : (tensor<f32>) -> tensor<64x1xf32>
    %234 = stablehlo.divide %232, %233 : tensor<64x1xf32>
    %235 = stablehlo.broadcast_in_dim %234, dims = [0, 1] : (tensor<64x1xf32>) -> tensor<64x64xf32>
    %236 = stablehlo.subtract %219, %235 : tensor<64x64xf32>
    %237 = stablehlo.tanh %236 : tensor<64x64xf32>
    %238 = stablehlo.multiply %237, %230 : tensor<64x64xf32>
    %cst_67 = stablehlo.constant dense<1.100000e+00> : tensor<f32>
    %239 = stablehlo.broadcast_in_dim %cst_67, dims = [] : (tensor<f32>) -> tensor<64x64xf32>
    %240 = stablehlo.add %238, %239 : tensor<64x64xf32>
    %cst_68 = stablehlo.constant dense<0xFF800000> : tensor<f32>
    %241 = stablehlo.reduce(%240 init: %cst_68) applies stablehlo.maximum across dimensions = [0] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
    %242 = stablehlo.broadcast_in_dim %241, dims = [1] : (tensor<64xf32>) -> tensor<1x64xf32>
    %243 = stablehlo.negate %242 : tensor<1x64xf32>
    %244 = stablehlo.exponential %243 : tensor<1x64xf32>
    %cst_69 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %245 = stablehlo.broadcast_in_dim %cst_69, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %246 = stablehlo.add %245, %244 : tensor<1x64xf32>
    %cst_70 = stablehlo.constant dense<1.000000e+00> : tensor<f32>
    %247 = stablehlo.broadcast_in_dim %cst_70, dims = [] : (tensor<f32>) -> tensor<1x64xf32>
    %248 = stablehlo.divide %247, %246 : tensor<1x64xf32>
    %249 = stablehlo.broadcast_in_dim %248, dims = [0, 1] : (tensor<1x64xf32>) -> tensor<64x64xf32>
    %250 = stablehlo.multiply %230, %249 : tensor<64x64xf32>
    %251 = stablehlo.add %250, %240 : tensor<64x64xf32>
    return %240, %251 : tensor<64x64xf32>, tensor<64x64xf32>
  }
}
