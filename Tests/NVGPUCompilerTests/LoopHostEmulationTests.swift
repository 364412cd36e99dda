import Foundation
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// Loops, branches and the buffer reuse inside them, run without a GPU: the executable's
/// kernels are compiled as host C++ (the shim of `NarrowHostEmulationTests`) and its steps
/// (launches, copies, counted and condition-driven loops, branches) replayed in order, on
/// one host buffer per executable buffer. Results must match the reference (f32 within a
/// few rounding steps, other types exactly).
/// This checks what the CUDA target decides inside loop bodies — carried values computed
/// in place, `dynamic_update_slice` of a stack in place, reshapes reading their input's
/// buffer, counted loops without their condition. (The shim has no warp shuffles, so
/// programs here keep reductions to shapes whose kernels do not shuffle.)
/// Skips without a C++20 compiler; `NVGPU_HOST_EMULATION=0` turns it off.
@Suite struct LoopHostEmulationTests {
    static let programs: [(name: String, text: String)] = lanePrograms + [
        ("fori", """
        func.func @main(%x: tensor<1000xf32>) -> tensor<1000xf32> {
          %c0 = stablehlo.constant dense<0> : tensor<i32>
          %w:2 = stablehlo.while(%i = %c0, %v = %x) : tensor<i32>, tensor<1000xf32>
           cond {
            %n = stablehlo.constant dense<17> : tensor<i32>
            %p = stablehlo.compare LT, %i, %n, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
            stablehlo.return %p : tensor<i1>
          } do {
            %a = stablehlo.constant dense<0.75> : tensor<1000xf32>
            %b = stablehlo.constant dense<0.5> : tensor<1000xf32>
            %m = stablehlo.multiply %v, %a : tensor<1000xf32>
            %s = stablehlo.add %m, %b : tensor<1000xf32>
            %one = stablehlo.constant dense<1> : tensor<i32>
            %j = stablehlo.add %i, %one : tensor<i32>
            stablehlo.return %j, %s : tensor<i32>, tensor<1000xf32>
          }
          return %w#1 : tensor<1000xf32>
        }
        """),
        ("scan_stack", """
        func.func @main(%h0: tensor<8x16xf32>, %xs: tensor<12x8x16xf32>) -> (tensor<8x16xf32>, tensor<12x8x16xf32>, tensor<12x8xf32>) {
          %c0 = stablehlo.constant dense<0> : tensor<i32>
          %ys0 = stablehlo.constant dense<0.0> : tensor<12x8x16xf32>
          %ss0 = stablehlo.constant dense<0.0> : tensor<12x8xf32>
          %w:4 = stablehlo.while(%i = %c0, %h = %h0, %ys = %ys0, %ss = %ss0) : tensor<i32>, tensor<8x16xf32>, tensor<12x8x16xf32>, tensor<12x8xf32>
           cond {
            %n = stablehlo.constant dense<12> : tensor<i32>
            %p = stablehlo.compare LT, %i, %n, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
            stablehlo.return %p : tensor<i1>
          } do {
            %z = stablehlo.constant dense<0> : tensor<i32>
            %zf = stablehlo.constant dense<0.0> : tensor<f32>
            %x3 = stablehlo.dynamic_slice %xs, %i, %z, %z, sizes = [1, 8, 16] : (tensor<12x8x16xf32>, tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<1x8x16xf32>
            %x = stablehlo.reshape %x3 : (tensor<1x8x16xf32>) -> tensor<8x16xf32>
            %r = stablehlo.reduce(%h init: %zf) applies stablehlo.add across dimensions = [1] : (tensor<8x16xf32>, tensor<f32>) -> tensor<8xf32>
            %half = stablehlo.constant dense<0.5> : tensor<8x16xf32>
            %hh = stablehlo.multiply %h, %half : tensor<8x16xf32>
            %s = stablehlo.add %hh, %x : tensor<8x16xf32>
            %t = stablehlo.tanh %s : tensor<8x16xf32>
            %y = stablehlo.reshape %t : (tensor<8x16xf32>) -> tensor<1x8x16xf32>
            %ys1 = stablehlo.dynamic_update_slice %ys, %y, %i, %z, %z : (tensor<12x8x16xf32>, tensor<1x8x16xf32>, tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<12x8x16xf32>
            %r2 = stablehlo.reshape %r : (tensor<8xf32>) -> tensor<1x8xf32>
            %ss1 = stablehlo.dynamic_update_slice %ss, %r2, %i, %z : (tensor<12x8xf32>, tensor<1x8xf32>, tensor<i32>, tensor<i32>) -> tensor<12x8xf32>
            %one = stablehlo.constant dense<1> : tensor<i32>
            %j = stablehlo.add %i, %one : tensor<i32>
            stablehlo.return %j, %t, %ys1, %ss1 : tensor<i32>, tensor<8x16xf32>, tensor<12x8x16xf32>, tensor<12x8xf32>
          }
          return %w#1, %w#2, %w#3 : tensor<8x16xf32>, tensor<12x8x16xf32>, tensor<12x8xf32>
        }
        """),
        ("while_data", """
        func.func @main(%x: tensor<300xf32>) -> tensor<300xf32> {
          %w = stablehlo.while(%v = %x) : tensor<300xf32>
           cond {
            %z = stablehlo.constant dense<0.0> : tensor<f32>
            %m = stablehlo.reduce(%v init: %z) applies stablehlo.maximum across dimensions = [0] : (tensor<300xf32>, tensor<f32>) -> tensor<f32>
            %one = stablehlo.constant dense<1.0> : tensor<f32>
            %p = stablehlo.compare GE, %m, %one, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
            stablehlo.return %p : tensor<i1>
          } do {
            %h = stablehlo.constant dense<0.5> : tensor<300xf32>
            %n = stablehlo.multiply %v, %h : tensor<300xf32>
            stablehlo.return %n : tensor<300xf32>
          }
          return %w : tensor<300xf32>
        }
        """),
    ]

    /// C++ replaying `steps` of `e` (kernels in namespace `c<index>k<k>`).
    static func replay(_ steps: [ExecutionStep], _ e: Executable, index: Int, indent: String) throws -> String {
        var cpp = ""
        for step in steps {
            switch step {
            case .launch(let launch):
                let kernel = e.kernels[launch.kernel]
                let arguments = launch.arguments.map { a -> String in
                    switch a {
                    case .buffer(let b): return "AnyPtr{B[\(b)].data()}"
                    case .int64(let v): return "(long long)\(v)"
                    case .int32(let v): return "(int)\(v)"
                    case .float32(let v): return "__uint_as_float(\(v.bitPattern)u)"
                    }
                }
                let grid = launch.grid + Array(repeating: 1, count: max(0, 3 - launch.grid.count))
                cpp += "\(indent)launch(dim3{\(grid[0]), \(grid[1]), \(grid[2])}, \(launch.block[0]), \(kernel.source.contains("__syncthreads")), [&] { "
                    + "c\(index)k\(launch.kernel)::\(kernel.entryPoint)(\(arguments.joined(separator: ", "))); });\n"
            case .copy(let from, let to):
                cpp += "\(indent)std::copy(B[\(from)].begin(), B[\(from)].begin() + \(e.buffers[from].byteSize), B[\(to)].begin());\n"
            case .loop(let loop):
                if let trips = loop.tripCount {
                    cpp += "\(indent)for (int trip = 0; trip < \(trips); ++trip) {\n" + (try replay(loop.body, e, index: index, indent: indent + "  ")) + "\(indent)}\n"
                } else {
                    cpp += "\(indent)for (;;) {\n" + (try replay(loop.condition, e, index: index, indent: indent + "  "))
                        + "\(indent)  if (!B[\(loop.predicate)][0]) break;\n" + (try replay(loop.body, e, index: index, indent: indent + "  ")) + "\(indent)}\n"
                }
            default:
                throw CodeGenError("the host replay has no step like \(step)")
            }
        }
        return cpp
    }

    /// f32 results that differ from the reference's by more than a few rounding steps: the
    /// host compiler may contract multiply-adds as NVRTC does, so equality is not bitwise;
    /// a wrong trip count or a stale carried value is far outside this.
    /// Loop kernels whose reads keep the minor dimension contiguous (one vector per
    /// operand and thread: transposes of the other dimensions, reshapes, broadcasts), next to
    /// a minor extent the lanes do not divide. One rounding per result, so bf16/f16 results
    /// are exact with or without excess precision.
    static let lanePrograms: [(name: String, text: String)] = [
        ("lanes_head_split_bf16", """
        func.func @main(%x: tensor<2x16x64xbf16>, %b: tensor<64xbf16>) -> tensor<2x4x16x16xbf16> {
          %bb = stablehlo.broadcast_in_dim %b, dims = [2] : (tensor<64xbf16>) -> tensor<2x16x64xbf16>
          %s = stablehlo.add %x, %bb : tensor<2x16x64xbf16>
          %r = stablehlo.reshape %s : (tensor<2x16x64xbf16>) -> tensor<2x16x4x16xbf16>
          %t = stablehlo.transpose %r, dims = [0, 2, 1, 3] : (tensor<2x16x4x16xbf16>) -> tensor<2x4x16x16xbf16>
          return %t : tensor<2x4x16x16xbf16>
        }
        """),
        ("lanes_row_and_column_f32", """
        func.func @main(%x: tensor<3x7x64xf32>, %y: tensor<7x3x64xf32>, %r: tensor<3x7xf32>, %c: tensor<64xf32>) -> tensor<3x7x64xf32> {
          %t = stablehlo.transpose %y, dims = [1, 0, 2] : (tensor<7x3x64xf32>) -> tensor<3x7x64xf32>
          %rb = stablehlo.broadcast_in_dim %r, dims = [0, 1] : (tensor<3x7xf32>) -> tensor<3x7x64xf32>
          %cb = stablehlo.broadcast_in_dim %c, dims = [2] : (tensor<64xf32>) -> tensor<3x7x64xf32>
          %a = stablehlo.multiply %x, %rb : tensor<3x7x64xf32>
          %b = stablehlo.add %a, %t : tensor<3x7x64xf32>
          %d = stablehlo.subtract %b, %cb : tensor<3x7x64xf32>
          return %d : tensor<3x7x64xf32>
        }
        """),
        ("lanes_odd_minor_f16", """
        func.func @main(%x: tensor<16x10x6xf16>, %y: tensor<10x16x6xf16>) -> tensor<16x10x6xf16> {
          %t = stablehlo.transpose %y, dims = [1, 0, 2] : (tensor<10x16x6xf16>) -> tensor<16x10x6xf16>
          %s = stablehlo.add %x, %t : tensor<16x10x6xf16>
          return %s : tensor<16x10x6xf16>
        }
        """),
        ("lanes_minor_split_f32", """
        func.func @main(%x: tensor<32x64xf32>, %g: tensor<32x8xf32>) -> tensor<32x8x8xf32> {
          %r = stablehlo.reshape %x : (tensor<32x64xf32>) -> tensor<32x8x8xf32>
          %gb = stablehlo.broadcast_in_dim %g, dims = [0, 1] : (tensor<32x8xf32>) -> tensor<32x8x8xf32>
          %m = stablehlo.multiply %r, %gb : tensor<32x8x8xf32>
          return %m : tensor<32x8x8xf32>
        }
        """),
        ("lanes_mixed_widths_bf16", """
        func.func @main(%q: tensor<8x128xf16>, %s: tensor<1024xf32>) -> tensor<8x128xbf16> {
          %qf = stablehlo.convert %q : (tensor<8x128xf16>) -> tensor<8x128xbf16>
          %sr = stablehlo.reshape %s : (tensor<1024xf32>) -> tensor<8x128xf32>
          %sb = stablehlo.convert %sr : (tensor<8x128xf32>) -> tensor<8x128xbf16>
          %m = stablehlo.multiply %qf, %sb : tensor<8x128xbf16>
          return %m : tensor<8x128xbf16>
        }
        """),
        ("gather_rows_f32", """
        func.func @main(%table: tensor<50x32xf32>, %ids: tensor<20xf32>) -> tensor<20x32xf32> {
          %i = stablehlo.convert %ids : (tensor<20xf32>) -> tensor<20xi32>
          %r = stablehlo.reshape %i : (tensor<20xi32>) -> tensor<20x1xi32>
          %e = stablehlo.exponential %table : tensor<50x32xf32>
          %g = "stablehlo.gather"(%e, %r) <{dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, indices_are_sorted = false, slice_sizes = array<i64: 1, 32>}> : (tensor<50x32xf32>, tensor<20x1xi32>) -> tensor<20x32xf32>
          return %g : tensor<20x32xf32>
        }
        """),
    ]

    static func mismatches(_ got: [UInt8], _ want: Tensor) -> [String] {
        guard case .floats(let expected) = want.storage, want.elementType == .float(.f32),
              got.count >= 4 * expected.count else { return NarrowHostEmulationTests.mismatches(got, want) }
        var out: [String] = []
        for (i, w) in expected.enumerated() {
            let bits = UInt32(got[4 * i]) | UInt32(got[4 * i + 1]) << 8 | UInt32(got[4 * i + 2]) << 16 | UInt32(got[4 * i + 3]) << 24
            let g = Double(Float(bitPattern: bits))
            if abs(g - w) > 1e-5 * max(1, abs(w)) { out.append("[\(i)] \(g), expected \(w)") }
        }
        return out
    }

    @Test func loopsMatchTheReference() throws {
        let setting = ProcessInfo.processInfo.environment["NVGPU_HOST_EMULATION"]
        guard setting != "0" else { return }
        guard let cxx = LinalgHostEmulationTests.compiler() else {
            if setting == "1" { Issue.record("no C++ compiler for the host emulation (set CXX)") }
            print("SKIPPED: no C++ compiler (set CXX) to replay loop executables as host C++")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-loop-emulation-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var bits = NarrowHostEmulationTests.Bits(state: 11)
        var cpp = NarrowHostEmulationTests.shim + "\n" + (try NarrowHostEmulationTests.hostPrelude()) + "\n" + NarrowPrelude.source + "\n"
        var cases: [(name: String, text: String, inputs: [Tensor], executable: Executable)] = []
        for (index, program) in Self.programs.enumerated() {
            let module = try Module.parse(program.text, file: "\(program.name).mlir")
            let function = try #require(module.function(named: "main"))
            let inputs = function.inputTypes.compactMap(\.tensorType).map { type in
                // Values the element type holds exactly, so the reference reads what the kernels read.
                Tensor(type: type, storage: .floats((0..<type.elementCount).map { _ in
                    let value = Double(Int(bits.next() % 2001) - 1000) / 125
                    if case .float(let format) = type.elementType { return format.round(value) }
                    return value
                }))
            }
            let (e, _) = try TestPrograms.lower(program.text)
            #expect(TestPrograms.hostSteps(e).isEmpty, "\(program.name)")
            let path = { (file: String) in directory.appendingPathComponent("\(index)_\(file)").path }
            for (k, kernel) in e.kernels.enumerated() where !kernel.source.isEmpty && kernel.entryPoint != ConditionKernel.entryPoint {
                cpp += "namespace c\(index)k\(k) {\n\(kernel.source.replacingOccurrences(of: "extern \"C\" ", with: ""))\n}\n"
            }
            cpp += "void case\(index)() {\n  std::vector<std::vector<unsigned char>> B(\(e.buffers.count));\n"
            for (i, b) in e.buffers.enumerated() { cpp += "  B[\(i)].assign(\(max(16, b.byteSize)), 0xAB);\n" }
            for (k, constant) in e.constants.enumerated() {
                try constant.bytes.write(to: URL(fileURLWithPath: path("const\(k)")))
                cpp += "  { auto v = readFile(\"\(path("const\(k)"))\"); std::copy(v.begin(), v.end(), B[\(constant.buffer)].begin()); }\n"
            }
            for (k, i) in e.inputs.enumerated() {
                try Data(inputs[k].hostTensor.bytes).write(to: URL(fileURLWithPath: path("in\(k)")))
                cpp += "  { auto v = readFile(\"\(path("in\(k)"))\"); std::copy(v.begin(), v.end(), B[\(i)].begin()); }\n"
            }
            cpp += try Self.replay(e.steps, e, index: index, indent: "  ")
            for (k, o) in e.outputs.enumerated() { cpp += "  writeFile(\"\(path("out\(k)"))\", B[\(o)], \(e.buffers[o].byteSize));\n" }
            cpp += "}\n"
            cases.append((program.name, program.text, inputs, e))
        }
        cpp += "int main() {\n" + cases.indices.map { "  case\($0)();\n" }.joined() + "  return 0;\n}\n"
        let source = directory.appendingPathComponent("loops.cpp").path, binary = directory.appendingPathComponent("loops").path
        try cpp.write(toFile: source, atomically: true, encoding: .utf8)
        let (built, log) = try LinalgHostEmulationTests.run(cxx, ["-std=c++20", "-O1", "-ffp-contract=off", "-w", "-pthread",
                                                                  source, "-o", binary, "-lm"])
        try #require(built == 0, "host build failed: \(log.prefix(4000))")
        let (status, output) = try LinalgHostEmulationTests.run(binary, [])
        try #require(status == 0, "\(output.prefix(2000))")
        for (index, c) in cases.enumerated() {
            let expected = try Interpreter(module: Module.parse(c.text, file: "\(c.name).mlir")).run("main", inputs: c.inputs)
            for k in c.executable.outputs.indices {
                let got = [UInt8](try Data(contentsOf: directory.appendingPathComponent("\(index)_out\(k)")))
                let bad = Self.mismatches(got, expected[k])
                #expect(bad.isEmpty, "\(c.name) result \(k): \(bad.count) differ: \(bad.prefix(6))")
            }
        }
    }
}
