import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// Gathers fused with their producers and consumers (`FusedGather`), and the planner rule
/// that keeps reductions of different shapes in different groups.
@Suite struct FusedGatherTests {
    /// A log-softmax whose only reader is a gather of one label per row (JAX's
    /// `take_along_axis` form, batching dims and a NaN mask for out-of-range labels).
    static func crossEntropy(rows: Int, columns: Int, type: String) -> String {
        """
        func.func @main(%x: tensor<\(rows)x\(columns)x\(type)>, %labels: tensor<\(rows)xi32>) -> tensor<f32> {
          %f = stablehlo.convert %x : (tensor<\(rows)x\(columns)x\(type)>) -> tensor<\(rows)x\(columns)xf32>
          %ninf = stablehlo.constant dense<0xFF800000> : tensor<f32>
          %max = stablehlo.reduce(%f init: %ninf) applies stablehlo.maximum across dimensions = [1] : (tensor<\(rows)x\(columns)xf32>, tensor<f32>) -> tensor<\(rows)xf32>
          %mb = stablehlo.broadcast_in_dim %max, dims = [0] : (tensor<\(rows)xf32>) -> tensor<\(rows)x\(columns)xf32>
          %s = stablehlo.subtract %f, %mb : tensor<\(rows)x\(columns)xf32>
          %e = stablehlo.exponential %s : tensor<\(rows)x\(columns)xf32>
          %zero = stablehlo.constant dense<0.0> : tensor<f32>
          %sum = stablehlo.reduce(%e init: %zero) applies stablehlo.add across dimensions = [1] : (tensor<\(rows)x\(columns)xf32>, tensor<f32>) -> tensor<\(rows)xf32>
          %log = stablehlo.log %sum : tensor<\(rows)xf32>
          %lb = stablehlo.broadcast_in_dim %log, dims = [0] : (tensor<\(rows)xf32>) -> tensor<\(rows)x\(columns)xf32>
          %ls = stablehlo.subtract %s, %lb : tensor<\(rows)x\(columns)xf32>
          %i = stablehlo.reshape %labels : (tensor<\(rows)xi32>) -> tensor<\(rows)x1x1xi32>
          %g = "stablehlo.gather"(%ls, %i) <{dimension_numbers = #stablehlo.gather<collapsed_slice_dims = [1], operand_batching_dims = [0], start_indices_batching_dims = [0], start_index_map = [1], index_vector_dim = 2>, indices_are_sorted = false, slice_sizes = array<i64: 1, 1>}> : (tensor<\(rows)x\(columns)xf32>, tensor<\(rows)x1x1xi32>) -> tensor<\(rows)x1xf32>
          %r = stablehlo.reshape %g : (tensor<\(rows)x1xf32>) -> tensor<\(rows)xf32>
          %total = stablehlo.reduce(%r init: %zero) applies stablehlo.add across dimensions = [0] : (tensor<\(rows)xf32>, tensor<f32>) -> tensor<f32>
          %n = stablehlo.negate %total : tensor<f32>
          return %n : tensor<f32>
        }
        """
    }

    /// The log-softmax is never written: the row kernel computes each row's statistics and
    /// the gathered element, and a second kernel sums the rows.
    @Test(arguments: [(64, 1000, "f32"), (8, 32000, "bf16"), (3, 4095, "f16")])
    func logSoftmaxFeedingAGatherIsNotWritten(rows: Int, columns: Int, type: String) throws {
        let (e, report) = try TestPrograms.lower(Self.crossEntropy(rows: rows, columns: columns, type: type))
        #expect(TestPrograms.hostSteps(e).isEmpty)
        #expect(report.rounds == 1)
        let full: [Int] = [rows, columns]
        let written = e.buffers.filter { (slot: BufferSlot) -> Bool in 
            guard case .arena = slot.placement else { return false }
            return slot.shape == full && slot.elementTypeName == "f32"
        }
        #expect(written.isEmpty)
        #expect(TestPrograms.launches(e) == 2)
        #expect(e.kernels.contains { $0.source.contains("\(columns - 1)LL ? \(columns - 1)LL") })
    }

    /// An embedding lookup (rows of a table at computed ids) is one loop kernel that reads
    /// the ids where it uses them; the 1-D ids are no transposed read to tile.
    @Test func embeddingIsOneLoopKernel() throws {
        let text = """
        func.func @main(%table: tensor<1000x256xbf16>, %ids: tensor<64xi32>) -> tensor<64x256xbf16> {
          %c = stablehlo.constant dense<999> : tensor<64xi32>
          %m = stablehlo.minimum %ids, %c : tensor<64xi32>
          %i = stablehlo.reshape %m : (tensor<64xi32>) -> tensor<64x1xi32>
          %g = "stablehlo.gather"(%table, %i) <{dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, indices_are_sorted = false, slice_sizes = array<i64: 1, 256>}> : (tensor<1000x256xbf16>, tensor<64x1xi32>) -> tensor<64x256xbf16>
          return %g : tensor<64x256xbf16>
        }
        """
        let (e, _) = try TestPrograms.lower(text)
        #expect(TestPrograms.launches(e) == 1)
        #expect(e.kernels.count == 1)
        #expect(e.kernels.first?.source.contains("loop over [64, 256]") == true)
        #expect(e.kernels.first?.source.contains("__shared__") == false)
    }

    /// A reduction of a reduction's results (row sums, then their total) plans as two groups
    /// at once, rather than one group that fails to build and seals its reductions.
    @Test func reductionsOfDifferentShapesPlanApart() throws {
        let text = """
        func.func @main(%x: tensor<64x128xf32>) -> (tensor<64xf32>, tensor<f32>) {
          %zero = stablehlo.constant dense<0.0> : tensor<f32>
          %rows = stablehlo.reduce(%x init: %zero) applies stablehlo.add across dimensions = [1] : (tensor<64x128xf32>, tensor<f32>) -> tensor<64xf32>
          %e = stablehlo.exponential %rows : tensor<64xf32>
          %total = stablehlo.reduce(%e init: %zero) applies stablehlo.add across dimensions = [0] : (tensor<64xf32>, tensor<f32>) -> tensor<f32>
          return %rows, %total : tensor<64xf32>, tensor<f32>
        }
        """
        let (e, report) = try TestPrograms.lower(text)
        #expect(report.rounds == 1)
        #expect(TestPrograms.launches(e) == 2)
        #expect(report.groups.filter { $0.kind == .fusion }.count == 2)
    }

    /// Batch-norm statistics over the kept channels (column reductions): the mean's sum and
    /// the variance's sum of squares each keep their divide; the sum feeding the variance is
    /// the only reduction given a pass of its own (4 launches: two two-stage reductions).
    @Test func aMeanFeedingAVarianceKeepsTheConsumersFused() throws {
        let text = """
        func.func @main(%x: tensor<8x14x14x64xbf16>) -> (tensor<64xf32>, tensor<64xf32>) {
          %f = stablehlo.convert %x : (tensor<8x14x14x64xbf16>) -> tensor<8x14x14x64xf32>
          %zero = stablehlo.constant dense<0.0> : tensor<f32>
          %n = stablehlo.constant dense<1568.0> : tensor<64xf32>
          %s = stablehlo.reduce(%f init: %zero) applies stablehlo.add across dimensions = [0, 1, 2] : (tensor<8x14x14x64xf32>, tensor<f32>) -> tensor<64xf32>
          %mean = stablehlo.divide %s, %n : tensor<64xf32>
          %s2 = stablehlo.reduce(%f init: %zero) applies stablehlo.add across dimensions = [0, 1, 2] : (tensor<8x14x14x64xf32>, tensor<f32>) -> tensor<64xf32>
          %m2 = stablehlo.divide %s2, %n : tensor<64xf32>
          %mb = stablehlo.broadcast_in_dim %m2, dims = [3] : (tensor<64xf32>) -> tensor<8x14x14x64xf32>
          %d = stablehlo.subtract %f, %mb : tensor<8x14x14x64xf32>
          %q = stablehlo.multiply %d, %d : tensor<8x14x14x64xf32>
          %v = stablehlo.reduce(%q init: %zero) applies stablehlo.add across dimensions = [0, 1, 2] : (tensor<8x14x14x64xf32>, tensor<f32>) -> tensor<64xf32>
          %var = stablehlo.divide %v, %n : tensor<64xf32>
          return %mean, %var : tensor<64xf32>, tensor<64xf32>
        }
        """
        let (e, _) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(e).isEmpty)
        let loops = e.kernels.filter { $0.source.contains("loop over [64]") }
        #expect(loops.isEmpty, "divides left in kernels of their own: \(loops.map(\.entryPoint))")
        #expect(TestPrograms.launches(e) <= 4)
    }

    /// Fused gathers run as host C++ (`LinalgHostEmulationTests`) equal the reference bit for
    /// bit: a row max whose centred row is gathered at one label per row inside the row
    /// kernel (labels clamped into the row), and rows of a computed table gathered by ids.
    @Test func fusedGathersMatchTheReferenceBitForBit() throws {
        let rowGather = """
        func.func @main(%x: tensor<6x1000xf32>, %labels: tensor<6xi32>) -> (tensor<6x1xf32>, tensor<6xf32>) {
          %ninf = stablehlo.constant dense<0xFF800000> : tensor<f32>
          %max = stablehlo.reduce(%x init: %ninf) applies stablehlo.maximum across dimensions = [1] : (tensor<6x1000xf32>, tensor<f32>) -> tensor<6xf32>
          %mb = stablehlo.broadcast_in_dim %max, dims = [0] : (tensor<6xf32>) -> tensor<6x1000xf32>
          %d = stablehlo.subtract %x, %mb : tensor<6x1000xf32>
          %c = stablehlo.constant dense<7> : tensor<6xi32>
          %l = stablehlo.multiply %labels, %c : tensor<6xi32>
          %i = stablehlo.reshape %l : (tensor<6xi32>) -> tensor<6x1x1xi32>
          %g = "stablehlo.gather"(%d, %i) <{dimension_numbers = #stablehlo.gather<collapsed_slice_dims = [1], operand_batching_dims = [0], start_indices_batching_dims = [0], start_index_map = [1], index_vector_dim = 2>, indices_are_sorted = false, slice_sizes = array<i64: 1, 1>}> : (tensor<6x1000xf32>, tensor<6x1x1xi32>) -> tensor<6x1xf32>
          return %g, %max : tensor<6x1xf32>, tensor<6xf32>
        }
        """
        let tableGather = """
        func.func @main(%table: tensor<40x24xf32>, %ids: tensor<9x2xi32>) -> tensor<9x2x24xf32> {
          %two = stablehlo.constant dense<2.0> : tensor<40x24xf32>
          %t = stablehlo.multiply %table, %two : tensor<40x24xf32>
          %i = stablehlo.reshape %ids : (tensor<9x2xi32>) -> tensor<9x2x1xi32>
          %g = "stablehlo.gather"(%t, %i) <{dimension_numbers = #stablehlo.gather<offset_dims = [2], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 2>, indices_are_sorted = false, slice_sizes = array<i64: 1, 24>}> : (tensor<40x24xf32>, tensor<9x2x1xi32>) -> tensor<9x2x24xf32>
          return %g : tensor<9x2x24xf32>
        }
        """
        let cases = LinalgHostEmulationTests.exactCases([("row_gather", rowGather), ("table_gather", tableGather)], seed: 77, range: 50)
        try LinalgHostEmulationTests.expectBitForBit(cases, label: "fused gather", prelude: ["nv_fmax", "nv_imul"])
    }
}
