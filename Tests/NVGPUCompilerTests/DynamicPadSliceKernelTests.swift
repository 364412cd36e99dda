import CUDA
import Foundation
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// `dynamic_pad` and `real_dynamic_slice` whose padding or bounds are function arguments
/// (not constants, so `dynamic-to-static` leaves them): one indexed kernel each, reading the
/// configs from device memory, equal bit for bit to the reference when run as host C++ (the
/// `LinalgHostEmulationTests` harness), and compiled by NVRTC for sm_90 where it is present.
@Suite struct DynamicPadSliceKernelTests {
    static func pad(_ element: String, _ operand: String, _ result: String, config: String) -> String {
        """
        func.func @main(%x: tensor<\(operand)x\(element)>, %v: tensor<\(element)>, %lo: tensor<2x\(config)>, %hi: tensor<2x\(config)>, %in: tensor<2x\(config)>) -> tensor<\(result)x\(element)> {
          %0 = stablehlo.dynamic_pad %x, %v, %lo, %hi, %in : (tensor<\(operand)x\(element)>, tensor<\(element)>, tensor<2x\(config)>, tensor<2x\(config)>, tensor<2x\(config)>) -> tensor<\(result)x\(element)>
          return %0 : tensor<\(result)x\(element)>
        }
        """
    }

    static func slice(_ element: String, _ operand: String, _ result: String, config: String) -> String {
        """
        func.func @main(%x: tensor<\(operand)x\(element)>, %s: tensor<2x\(config)>, %l: tensor<2x\(config)>, %t: tensor<2x\(config)>) -> tensor<\(result)x\(element)> {
          %0 = "stablehlo.real_dynamic_slice"(%x, %s, %l, %t) : (tensor<\(operand)x\(element)>, tensor<2x\(config)>, tensor<2x\(config)>, tensor<2x\(config)>) -> tensor<\(result)x\(element)>
          return %0 : tensor<\(result)x\(element)>
        }
        """
    }

    static func ints(_ values: [Int64], _ element: ElementType) -> Tensor {
        Tensor(type: TensorType(shape: [values.count], elementType: element), storage: .ints(values))
    }

    static func cases() throws -> [LinalgHostEmulationTests.Case] {
        var numbers = LinalgHostEmulationTests.Numbers(state: 777)
        func data(_ shape: [Int], _ element: ElementType) -> Tensor {
            let type = TensorType(shape: shape, elementType: element)
            let n = type.elementCount
            if element.isFloat {
                return Tensor(type: type, storage: .floats((0..<n).map { _ in (numbers.next() * 64).rounded() / 8 }))
            }
            return Tensor(type: type, storage: .ints((0..<n).map { _ in Int64((numbers.next() * 100).rounded()) }))
        }
        return [
            .init(name: "pad_f32_negative_edges", text: pad("f32", "5x4", "7x5", config: "i64"),
                  inputs: [data([5, 4], .float(.f32)), data([], .float(.f32)), ints([1, -1], .si(64)), ints([1, -1], .si(64)), ints([0, 1], .si(64))]),
            .init(name: "pad_i32_interior", text: pad("i32", "3x3", "6x8", config: "i32"),
                  inputs: [data([3, 3], .si(32)), data([], .si(32)), ints([2, 0], .si(32)), ints([-1, 1], .si(32)), ints([1, 2], .si(32))]),
            .init(name: "slice_f32_strided", text: slice("f32", "6x5", "2x3", config: "i64"),
                  inputs: [data([6, 5], .float(.f32)), ints([1, 0], .si(64)), ints([5, 5], .si(64)), ints([2, 2], .si(64))]),
            .init(name: "slice_i64_ui32_bounds", text: slice("i64", "7x4", "3x3", config: "ui32"),
                  inputs: [data([7, 4], .si(64)), ints([0, 1], .ui(32)), ints([7, 4], .ui(32)), ints([3, 1], .ui(32))]),
        ]
    }

    @Test func eachIsOneKernelReadingItsConfigs() throws {
        for c in try Self.cases() {
            let (e, _) = try TestPrograms.lower(c.text)
            #expect(TestPrograms.hostSteps(e).isEmpty, "\(c.name): \(TestPrograms.hostSteps(e).map(\.reason))")
            #expect(TestPrograms.launches(e) == 1, "\(c.name)")
        }
    }

    @Test func kernelsMatchTheReferenceBitForBit() throws {
        guard ProcessInfo.processInfo.environment["NVGPU_HOST_EMULATION"] != "0" else { return }
        guard let cxx = LinalgHostEmulationTests.compiler() else {
            print("SKIPPED: no C++ compiler (set CXX) to run the dynamic pad/slice kernels as host C++")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-dynpad-emulation-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases = try Self.cases()
        var source = LinalgHostEmulationTests.shim + "\n" + WideElement.helpers + "\n"
        for (i, c) in cases.enumerated() { source += try LinalgHostEmulationTests.program(c, index: i, directory: directory) }
        source += "int main() {\n  int bad = 0;\n"
        for i in cases.indices { source += "  if (case\(i)()) ++bad;\n" }
        source += "  return bad ? 1 : 0;\n}\n"
        let file = directory.appendingPathComponent("emulation.cpp"), binary = directory.appendingPathComponent("emulation")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let build = try LinalgHostEmulationTests.run(cxx, ["-std=c++20", "-O1", "-pthread", "-w", "-o", binary.path, file.path])
        try #require(build.status == 0, "\(build.output.prefix(3000))")
        let result = try LinalgHostEmulationTests.run(binary.path, [])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.split(separator: "\n").count == cases.count, "\(result.output)")
    }

    @Test func kernelsCompileWithNVRTC() throws {
        guard let compiler = try NVRTCCompileTests.compiler() else { return }
        let programs = try Self.cases().map { c in
            (name: c.name, source: try TestPrograms.lower(c.text).0.kernels[0].source)
        }
        let cache = KernelCache(directory: FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-test-kernels"))
        for (program, result) in zip(programs, KernelCompilation.compileAll(programs, architecture: "sm_90", compiler: compiler, cache: cache)) {
            if case .failure(let error) = result { Issue.record("\(program.name): \(error.log.prefix(1500))") }
        }
    }
}

/// A dynamic shape at the entry function's boundary is a clear compile error for the CUDA
/// target (its buffers are planned before the run), naming the type and the way to run it.
@Suite struct DynamicBoundaryTests {
    @Test func dynamicResultIsAClearError() throws {
        let text = """
        func.func @main(%x: tensor<1x10x2xf32>, %k: tensor<3x2x4xf32>, %p: tensor<1x2xi64>) -> tensor<1x?x4xf32> {
          %c = "stablehlo.dynamic_conv"(%x, %k, %p) {dimension_numbers = #stablehlo.conv<[b, 0, f]x[0, i, o]->[b, 0, f]>, feature_group_count = 1 : i64, batch_group_count = 1 : i64} : (tensor<1x10x2xf32>, tensor<3x2x4xf32>, tensor<1x2xi64>) -> tensor<1x?x4xf32>
          return %c : tensor<1x?x4xf32>
        }
        """
        do {
            _ = try TestPrograms.lower(text)
            Issue.record("a dynamic result compiled")
        } catch {
            #expect("\(error)".contains("tensor<1x?x4xf32>, whose size is known only at run time"), "\(error)")
        }
    }
}
