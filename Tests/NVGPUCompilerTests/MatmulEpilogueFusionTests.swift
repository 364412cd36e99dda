import Foundation
import NVGPUCompiler
import Runtime
import Testing

/// Bias, ReLU and tanh-GELU after a `dot_general` fold into the cuBLASLt matmul's epilogue.
@Suite struct MatmulEpilogueFusionTests {
    static let floatTypes = ["bf16", "f16", "f32"]

    /// `dot(arg0, arg1)` (4×8 · 8×16), then `tail` (which reads `%0` and may read `%bias`,
    /// the bias `arg2` broadcast to 4×16), returning `results`.
    static func program(_ t: String, tail: String, results: String, resultTypes: String) -> String {
        """
        func.func public @main(%arg0: tensor<4x8x\(t)>, %arg1: tensor<8x16x\(t)>, %arg2: tensor<16x\(t)>) -> (\(resultTypes)) {
          %0 = stablehlo.dot_general %arg0, %arg1, contracting_dims = [1] x [0] : (tensor<4x8x\(t)>, tensor<8x16x\(t)>) -> tensor<4x16x\(t)>
          %b1 = stablehlo.broadcast_in_dim %arg2, dims = [1] : (tensor<16x\(t)>) -> tensor<1x16x\(t)>
          %bias = stablehlo.broadcast_in_dim %b1, dims = [0, 1] : (tensor<1x16x\(t)>) -> tensor<4x16x\(t)>
        \(tail)
          return \(results) : \(resultTypes)
        }
        """
    }

    static func relu(_ t: String, input: String = "%1") -> String {
        """
          %z = stablehlo.constant dense<0.000000e+00> : tensor<\(t)>
          %zb = stablehlo.broadcast_in_dim %z, dims = [] : (tensor<\(t)>) -> tensor<4x16x\(t)>
          %2 = stablehlo.maximum \(input), %zb : tensor<4x16x\(t)>
        """
    }

    static func gelu(_ t: String, input x: String = "%1") -> String {
        let s = "tensor<4x16x\(t)>"
        func literal(_ name: String, _ value: String) -> String {
            """
              %\(name) = stablehlo.constant dense<\(value)> : tensor<\(t)>
              %\(name)b = stablehlo.broadcast_in_dim %\(name), dims = [] : (tensor<\(t)>) -> \(s)
            """
        }
        return """
          %g4 = stablehlo.multiply \(x), \(x) : \(s)
          %g5 = stablehlo.multiply %g4, \(x) : \(s)
        \(literal("c0", "4.467770e-02"))
          %g7 = stablehlo.multiply %c0b, %g5 : \(s)
          %g8 = stablehlo.add \(x), %g7 : \(s)
        \(literal("c1", "7.968750e-01"))
          %g10 = stablehlo.multiply %c1b, %g8 : \(s)
          %g11 = stablehlo.tanh %g10 : \(s)
        \(literal("c2", "1.000000e+00"))
          %g13 = stablehlo.add %c2b, %g11 : \(s)
        \(literal("c3", "5.000000e-01"))
          %g15 = stablehlo.multiply %c3b, %g13 : \(s)
          %2 = stablehlo.multiply \(x), %g15 : \(s)
        """
    }

    static func matmulCalls(_ e: Executable) -> [MatmulCall] {
        e.steps.compactMap { if case .matmul(let call) = $0 { return call } else { return nil } }
    }

    static let biasAdd = "  %1 = stablehlo.add %0, %bias : tensor<4x16x%T>"

    /// Lowers `tail` and returns the matmul calls and the kernel launch count.
    static func lower(_ t: String, _ tail: String, results: String = "%2", count: Int = 1,
                      vendor: Bool = true) throws -> ([MatmulCall], Int, Executable) {
        let types = Array(repeating: "tensor<4x16x\(t)>", count: count).joined(separator: ", ")
        let text = program(t, tail: tail.replacingOccurrences(of: "%T", with: t), results: results, resultTypes: types)
        let (executable, _) = try TestPrograms.lower(text, vendor: vendor)
        return (matmulCalls(executable), TestPrograms.launches(executable), executable)
    }

    /// A matrix-vector product's last dimension is m, not n: an added vector is no cuBLASLt
    /// bias there (the hessian-vector product of a tanh network has this shape).
    @Test(arguments: floatTypes)
    func matrixVectorProductKeepsItsAdd(_ t: String) throws {
        let text = """
            func.func public @main(%a: tensor<6x6x\(t)>, %v: tensor<6x\(t)>, %c: tensor<6x\(t)>) -> tensor<6x\(t)> {
              %0 = stablehlo.dot_general %a, %v, contracting_dims = [1] x [0] : (tensor<6x6x\(t)>, tensor<6x\(t)>) -> tensor<6x\(t)>
              %1 = stablehlo.add %0, %c : tensor<6x\(t)>
              return %1 : tensor<6x\(t)>
            }
            """
        let (executable, _) = try TestPrograms.lower(text)
        #expect(Self.matmulCalls(executable).count == 1, "\(executable.inspection())")
        for call in Self.matmulCalls(executable) {
            #expect(call.epilogue == .none, "\(executable.inspection())")
            #expect(call.bias == nil)
        }
    }

    /// `u·A + v·A`: both products end in the same add; one takes the other as its bias and
    /// the other stays a plain product (both folding into the add lost one of them).
    @Test(arguments: floatTypes)
    func twoProductsIntoOneAddKeepBoth(_ t: String) throws {
        let text = """
            func.func public @main(%a: tensor<6x6x\(t)>, %u: tensor<6x\(t)>, %v: tensor<6x\(t)>) -> tensor<6x\(t)> {
              %0 = stablehlo.dot_general %u, %a, contracting_dims = [0] x [0] : (tensor<6x\(t)>, tensor<6x6x\(t)>) -> tensor<6x\(t)>
              %1 = stablehlo.dot_general %v, %a, contracting_dims = [0] x [0] : (tensor<6x\(t)>, tensor<6x6x\(t)>) -> tensor<6x\(t)>
              %2 = stablehlo.add %1, %0 : tensor<6x\(t)>
              return %2 : tensor<6x\(t)>
            }
            """
        let (executable, _) = try TestPrograms.lower(text)
        let calls = Self.matmulCalls(executable)
        #expect(calls.count == 2, "\(executable.inspection())")
        #expect(calls.filter { $0.bias != nil }.count == 1)
        // The bias is the plain product's output, written by a step before the fused one.
        if let fused = calls.firstIndex(where: { $0.bias != nil }), let plain = calls.firstIndex(where: { $0.bias == nil }) {
            #expect(calls[fused].bias == calls[plain].c)
            #expect(plain < fused)
        }
    }

    @Test func mlpGeluWorkloadFusesBiasGelu() throws {
        let url = TestPrograms.workloadsDirectory.appendingPathComponent("mlp_gelu_bf16.mlir")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            print("skipping: \(url.path) is absent")
            return
        }
        let (executable, _) = try TestPrograms.lower(text)
        let calls = Self.matmulCalls(executable)
        #expect(executable.steps.count == 2, "\(executable.inspection())")
        #expect(calls.map(\.epilogue) == [.biasGelu, MatmulCall.Epilogue.none])
        let bias = try #require(calls.first?.bias)
        #expect(executable.buffers[bias].placement == .input(index: 2))
        #expect(executable.buffers[bias].shape == [16384])
        // The second matmul reads what the first wrote.
        #expect(calls.count == 2 && calls[1].a == calls[0].c)
    }

    @Test(arguments: floatTypes)
    func biasGeluFuses(_ t: String) throws {
        let (calls, launches, executable) = try Self.lower(t, Self.biasAdd + "\n" + Self.gelu(t))
        #expect(launches == 0, "\(executable.inspection())")
        #expect(calls.map(\.epilogue) == [.biasGelu])
        #expect(calls.first?.bias.map { executable.buffers[$0].placement } == .input(index: 2))
        #expect(calls.first.map { executable.outputs == [$0.c] } == true)
    }

    @Test(arguments: floatTypes)
    func geluWithoutBiasFuses(_ t: String) throws {
        let (calls, launches, _) = try Self.lower(t, Self.gelu(t, input: "%0"))
        #expect(launches == 0)
        #expect(calls.map(\.epilogue) == [.gelu])
        #expect(calls.first?.bias == nil)
    }

    @Test(arguments: floatTypes)
    func biasReluFuses(_ t: String) throws {
        let (calls, launches, executable) = try Self.lower(t, Self.biasAdd + "\n" + Self.relu(t))
        #expect(launches == 0, "\(executable.inspection())")
        #expect(calls.map(\.epilogue) == [.biasRelu])
        #expect(calls.first?.bias.map { executable.buffers[$0].placement } == .input(index: 2))
    }

    @Test(arguments: floatTypes)
    func reluAndBiasAloneFuse(_ t: String) throws {
        let (relu, reluLaunches, _) = try Self.lower(t, Self.relu(t, input: "%0"))
        #expect(reluLaunches == 0)
        #expect(relu.map(\.epilogue) == [.relu])
        let (bias, biasLaunches, _) = try Self.lower(t, Self.biasAdd, results: "%1")
        #expect(biasLaunches == 0)
        #expect(bias.map(\.epilogue) == [.bias])
    }

    @Test(arguments: floatTypes)
    func addWithSecondUserKeepsActivationOut(_ t: String) throws {
        // %1 is returned too, so it must be stored: the bias folds, the ReLU stays a kernel.
        let (calls, launches, executable) = try Self.lower(
            t, Self.biasAdd + "\n" + Self.relu(t), results: "%1, %2", count: 2)
        #expect(calls.map(\.epilogue) == [.bias], "\(executable.inspection())")
        #expect(launches == 1)
        #expect(calls.first.map { executable.outputs.first == $0.c } == true)
    }

    @Test func productWithSecondUserIsNotFused() throws {
        let tail = "  %1 = stablehlo.add %0, %bias : tensor<4x16xf32>\n  %2 = stablehlo.multiply %1, %0 : tensor<4x16xf32>"
        let (calls, launches, _) = try Self.lower("f32", tail)
        #expect(calls.map(\.epilogue) == [MatmulCall.Epilogue.none])
        #expect(launches == 1)
    }

    @Test func almostGeluIsNotFused() throws {
        // 0.25 instead of 0.5: not GELU, but the bias still folds.
        let tail = Self.biasAdd + "\n" + Self.gelu("f32").replacingOccurrences(of: "5.000000e-01", with: "2.500000e-01")
        let (calls, launches, _) = try Self.lower("f32", tail)
        #expect(calls.map(\.epilogue) == [.bias])
        #expect(launches == 1)
    }

    @Test(arguments: floatTypes)
    func noVendorLibrariesChangesNothing(_ t: String) throws {
        let (calls, launches, _) = try Self.lower(t, Self.biasAdd + "\n" + Self.gelu(t), vendor: false)
        #expect(calls.isEmpty)
        #expect(launches == 2)
    }
}
