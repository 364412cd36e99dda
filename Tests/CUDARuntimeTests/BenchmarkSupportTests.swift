import Foundation
import Runtime
import StableHLO
import Testing
@testable import CUDARuntime

@Suite("Benchmark support: random inputs, comparison, floors, device opening")
struct BenchmarkSupportTests {
    static let types: [ElementType] = [.float(.f32), .float(.bf16), .float(.f16), .float(.f64), .si(32), .si(8), .ui(16), .i1,
                                       .complex(.f32)]

    @Test("random inputs: right size, reproducible, in range", arguments: types)
    func randomInputs(elementType: ElementType) throws {
        let type = TensorType(shape: [3, 50], elementType: elementType)
        var first = RandomInputs(seed: 7)
        var second = RandomInputs(seed: 7)
        var other = RandomInputs(seed: 8)
        let a = try first.tensor(of: type)
        #expect(a.bytes.count == 150 * elementType.storageBytes)
        #expect(a == (try second.tensor(of: type)))
        #expect(a != (try other.tensor(of: type)))
        for value in a.elements {
            switch value {
            case .float(let x): #expect(x >= -1 && x <= 1)
            case .complex(let re, let im): #expect(abs(re) <= 1 && abs(im) <= 1)
            case .signed(let x): #expect(x >= -8 && x < 8)
            case .unsigned(let x): #expect(x < 16)
            case .bool: break
            }
        }
    }

    @Test("bf16 random values are f32 values rounded to nearest even")
    func bf16Rounding() throws {
        var generator = RandomInputs(seed: 3)
        let tensor = try generator.tensor(of: TensorType(shape: [1000], elementType: .float(.bf16)))
        let distinct = Set(tensor.elements)
        #expect(distinct.count > 100)
    }

    func tensor(_ values: [Float], _ type: ElementType = .float(.f32)) -> HostTensor {
        let bytes = values.flatMap { type.encode(.float(Double($0))) ?? [] }
        return HostTensor(type: TensorType(shape: [values.count], elementType: type), bytes: bytes)
    }

    @Test("comparison: relative for large values, absolute near zero, per-dtype tolerance")
    func comparison() throws {
        let close = try OutputComparison(actual: tensor([1000.05, 0.00005, -2]), expected: tensor([1000, 0, -2]))
        #expect(close.passed)
        #expect(abs(close.maxError - 5e-5) < 1e-6)
        let far = try OutputComparison(actual: tensor([1, 2.01, 3]), expected: tensor([1, 2, 3]))
        #expect(!far.passed)
        #expect(far.worstIndex == 1)
        let bf16 = try OutputComparison(actual: tensor([1.0078125], .float(.bf16)), expected: tensor([1], .float(.bf16)))
        #expect(bf16.tolerance == 0.1)  // elementwise bound: ten times the bf16 normwise bound
        #expect(bf16.passed)
        let nan = try OutputComparison(actual: tensor([.nan, 1]), expected: tensor([.nan, .nan]))
        #expect(!nan.passed)
        #expect(nan.worstIndex == 1)
        let ints = HostTensor(type: TensorType(shape: [2], elementType: .si(32)), bytes: [1, 0, 0, 0, 2, 0, 0, 0])
        var off = ints
        off.bytes[4] = 3
        #expect(try OutputComparison(actual: ints, expected: ints).passed)
        #expect(!(try OutputComparison(actual: off, expected: ints).passed))
        #expect(throws: RuntimeError.self) { try OutputComparison(actual: ints, expected: tensor([1, 2])) }
    }

    @Test("timing summary: nearest-rank percentiles")
    func summary() {
        let summary = TimingSummary((1...11).map(Double.init).reversed())
        #expect(summary.median == 6)
        #expect(summary.p10 == 2)
        #expect(summary.p90 == 10)
        #expect(summary.minimum == 1)
    }

    @Test("floor: the larger of bytes at bandwidth and flops at the matrix rate")
    func floor() {
        let memory = PerformanceFloor(bytes: 3 * 4 << 26, flops: 0, bandwidth: 2.89e12, matrixRate: 739e12)
        #expect(abs(memory.milliseconds - 0.2786) < 1e-3)
        #expect(memory.bound == "bytes")
        let compute = PerformanceFloor(bytes: 402_653_184, flops: 1_099_511_627_776, bandwidth: 2.89e12, matrixRate: 739e12)
        #expect(abs(compute.milliseconds - 1.4878) < 1e-3)
        #expect(compute.bound == "flops")
    }

    @Test("matrix flops of dot_general (also through calls) and convolution")
    func flops() throws {
        let text = """
            func.func @main(%a: tensor<4x8x16xbf16>, %b: tensor<4x16x32xbf16>, %x: tensor<2x10x10x3xf32>, %w: tensor<3x3x3x5xf32>) -> (tensor<4x8x32xbf16>, tensor<2x8x8x5xf32>) {
              %0 = stablehlo.dot_general %a, %b, batching_dims = [0] x [0], contracting_dims = [2] x [1] : (tensor<4x8x16xbf16>, tensor<4x16x32xbf16>) -> tensor<4x8x32xbf16>
              %1 = func.call @twice(%0) : (tensor<4x8x32xbf16>) -> tensor<4x8x32xbf16>
              %2 = stablehlo.convolution(%x, %w) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {stride = [1, 1]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<2x10x10x3xf32>, tensor<3x3x3x5xf32>) -> tensor<2x8x8x5xf32>
              return %1, %2 : tensor<4x8x32xbf16>, tensor<2x8x8x5xf32>
            }
            func.func private @twice(%c: tensor<4x8x32xbf16>) -> tensor<4x8x32xbf16> {
              %0 = stablehlo.add %c, %c : tensor<4x8x32xbf16>
              return %0 : tensor<4x8x32xbf16>
            }
            """
        let module = try Module.parse(text, file: "flops.mlir")
        let (flops, dominant) = MatrixFlops.count(in: module, function: "main")
        let dot = 2.0 * 4 * 8 * 32 * 16
        let conv = 2.0 * (2 * 8 * 8 * 5) * (3 * 3 * 3)
        #expect(flops == dot + conv)
        #expect(dominant == .float(.f32))  // the convolution does more work
        #expect(MatrixFlops.defaultRate(for: .float(.bf16)) == 739e12)
        #expect(MatrixFlops.count(in: module, function: "absent").flops == 0)
    }

    @Test("--device=cuda with no driver: one line naming the cause")
    func noDriver() {
        #expect {
            _ = try CUDADeviceOpening.openQueue(driverPath: "/nonexistent/libcuda.so.1")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("--device=cuda: no CUDA driver found (/nonexistent/libcuda.so.1)") && !text.contains("\n")
        }
    }

    @Test("a compiled module runs through CUDAComputeDevice with the injected compiler")
    func computeDevice() throws {
        let queue = FakeDeviceQueue()
        let device = CUDAComputeDevice(queue: queue, compiler: { _, function, architecture in
            var executable = SampleExecutables.everyStepKind()
            executable.entry = function
            executable.architecture = architecture
            return executable
        }, hostFallback: FakeHostFallback())
        #expect(device.platform == "cuda")
        #expect(device.name == "Fake GPU (sm_90)")
        let module = try Module.parse("func.func @main() -> () {\n  return\n}", file: "m.mlir")
        let program = try device.load(module)
        let x = SampleExecutables.hostTensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let w = SampleExecutables.hostTensor([1, 0, 0, 1, 1, 1], shape: [3, 2])
        let first = try program.invoke(function: "main", inputs: [x, w])
        let second = try program.invoke(function: "main", inputs: [x, w])
        #expect(first == second)
        #expect(queue.log.filter { $0.hasPrefix("load") }.count == 1)
        var other = SampleExecutables.everyStepKind()
        other.architecture = "sm_80"
        #expect { _ = try device.load(other) } throws: { "\($0)".contains("compiled for sm_80, this GPU is sm_90") }
    }
}
