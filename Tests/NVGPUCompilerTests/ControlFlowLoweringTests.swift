import Compiler
import Foundation
@testable import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// `while`, `if` and `case` become device loop and branch steps whose regions are lowered
/// like any block; the plans (which steps, which buffers, which condition) are checked
/// here, with no GPU.
@Suite struct ControlFlowLoweringTests {
    static let counterLoop = """
        func.func @main(%x: tensor<4xf32>) -> (tensor<i32>, tensor<4xf32>) {
          %zero = stablehlo.constant dense<0> : tensor<i32>
          %r:2 = stablehlo.while(%i = %zero, %acc = %x) : tensor<i32>, tensor<4xf32>
          cond {
            %limit = stablehlo.constant dense<10> : tensor<i32>
            %p = stablehlo.compare LT, %i, %limit : (tensor<i32>, tensor<i32>) -> tensor<i1>
            stablehlo.return %p : tensor<i1>
          } do {
            %one = stablehlo.constant dense<1> : tensor<i32>
            %next = stablehlo.add %i, %one : tensor<i32>
            %y = stablehlo.multiply %acc, %acc : tensor<4xf32>
            %z = stablehlo.add %y, %x : tensor<4xf32>
            stablehlo.return %next, %z : tensor<i32>, tensor<4xf32>
          }
          return %r#0, %r#1 : tensor<i32>, tensor<4xf32>
        }
        """

    static func loops(_ steps: [ExecutionStep]) -> [LoopStep] {
        steps.compactMap { if case .loop(let loop) = $0 { return loop } else { return nil } }
    }

    static func hostSteps(_ executable: Executable) -> Int {
        executable.allSteps.filter { if case .host = $0 { return true } else { return false } }.count
    }

    @Test("a counted loop is one device loop step: inits copied in, condition, body, results copied back")
    func countedLoop() throws {
        let (executable, report) = try TestPrograms.lower(Self.counterLoop)
        #expect(Self.hostSteps(executable) == 0)
        let loops = Self.loops(executable.steps)
        try #require(loops.count == 1)
        let loop = loops[0]
        #expect(loop.carried.count == 2)
        #expect(executable.outputs == loop.carried)
        #expect(executable.buffers[loop.predicate].elementTypeName == "i1")
        #expect(executable.kernels[loop.setCondition].entryPoint == ConditionKernel.entryPoint)
        // The condition is one fused compare; the body's elementwise kernels write the carried
        // buffers in place (CarriedInPlaceTests), so no copy ends the iteration.
        #expect(loop.condition.filter { if case .launch = $0 { return true } else { return false } }.count == 1)
        #expect(!loop.body.contains { if case .copy = $0 { return true } else { return false } })
        let written = Set(loop.body.flatMap { step -> [Int] in
            guard case .launch(let launch) = step else { return [] }
            return launch.arguments.compactMap { if case .buffer(let b) = $0 { return b } else { return nil } }
        })
        #expect(written.isSuperset(of: loop.carried))
        // Inits are copied into the carried buffers before the loop.
        let before = executable.steps.prefix { if case .loop = $0 { return false } else { return true } }
        #expect(before.contains { if case .copy(_, let to) = $0 { return to == loop.carried[1] } else { return false } })
        #expect(report.controlFlow.count == 1 && report.controlFlow[0].onDevice)
    }

    @Test("every buffer a loop touches stays live across the whole loop")
    func loopBuffersDoNotOverlap() throws {
        let (executable, _) = try TestPrograms.lower(Self.counterLoop)
        guard let loop = Self.loops(executable.steps).first else { Issue.record("no loop"); return }
        var touched = Set(loop.carried + [loop.predicate])
        for step in loop.condition + loop.body {
            switch step {
            case .launch(let launch):
                for case .buffer(let b) in launch.arguments { touched.insert(b) }
            case .copy(let from, let to): touched.formUnion([from, to])
            default: break
            }
        }
        let ranges = touched.compactMap { b -> (Int, Range<Int>)? in
            guard case .arena(let offset) = executable.buffers[b].placement, executable.buffers[b].byteSize > 0 else { return nil }
            return (b, offset..<(offset + executable.buffers[b].byteSize))
        }
        for (i, a) in ranges.enumerated() {
            for b in ranges[(i + 1)...] { #expect(!a.1.overlaps(b.1), "buffers \(a.0) and \(b.0) share arena bytes") }
        }
    }

    @Test("a body returning its carried values permuted copies through temporaries")
    func permutedCarriedValues() throws {
        let text = """
            func.func @main(%a: tensor<3xf32>, %b: tensor<3xf32>, %n: tensor<i32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<i32>) {
              %r:3 = stablehlo.while(%x = %a, %y = %b, %i = %n) : tensor<3xf32>, tensor<3xf32>, tensor<i32>
              cond {
                %zero = stablehlo.constant dense<0> : tensor<i32>
                %p = stablehlo.compare GT, %i, %zero : (tensor<i32>, tensor<i32>) -> tensor<i1>
                stablehlo.return %p : tensor<i1>
              } do {
                %one = stablehlo.constant dense<1> : tensor<i32>
                %j = stablehlo.subtract %i, %one : tensor<i32>
                stablehlo.return %y, %x, %j : tensor<3xf32>, tensor<3xf32>, tensor<i32>
              }
              return %r#0, %r#1, %r#2 : tensor<3xf32>, tensor<3xf32>, tensor<i32>
            }
            """
        let (executable, _) = try TestPrograms.lower(text)
        guard let loop = Self.loops(executable.steps).first else { Issue.record("no loop"); return }
        let copies = loop.body.compactMap { step -> (Int, Int)? in
            if case .copy(let from, let to) = step { return (from, to) } else { return nil }
        }
        // No copy reads a carried buffer that an earlier copy of the same iteration wrote.
        var written = Set<Int>()
        let carried = Set(loop.carried)
        for (from, to) in copies {
            if carried.contains(from) { #expect(!written.contains(from), "copy from b\(from) after it was overwritten") }
            written.insert(to)
        }
        #expect(written.isSuperset(of: Set(loop.carried.prefix(2))))
    }

    @Test("if and case become branch steps with a predicate or an index selector")
    func branches() throws {
        let text = """
            func.func @main(%p: tensor<i1>, %k: tensor<i32>, %x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
              %a = "stablehlo.if"(%p) ({
                %e = stablehlo.exponential %x : tensor<8xf32>
                stablehlo.return %e : tensor<8xf32>
              }, {
                stablehlo.return %x : tensor<8xf32>
              }) : (tensor<i1>) -> tensor<8xf32>
              %b = "stablehlo.case"(%k) ({
                %n = stablehlo.negate %a : tensor<8xf32>
                stablehlo.return %n : tensor<8xf32>
              }, {
                %s = stablehlo.sine %a : tensor<8xf32>
                stablehlo.return %s : tensor<8xf32>
              }, {
                stablehlo.return %a : tensor<8xf32>
              }) : (tensor<i32>) -> tensor<8xf32>
              return %a, %b : tensor<8xf32>, tensor<8xf32>
            }
            """
        let (executable, report) = try TestPrograms.lower(text)
        #expect(Self.hostSteps(executable) == 0)
        let branches = executable.steps.compactMap { step -> BranchStep? in
            if case .branch(let b) = step { return b } else { return nil }
        }
        try #require(branches.count == 2)
        #expect(branches[0].selectorKind == .predicate && branches[0].branches.count == 2)
        #expect(branches[1].selectorKind == .index && branches[1].branches.count == 3)
        // Each branch ends writing the op's result.
        for branch in branches {
            for steps in branch.branches {
                let writesResult = steps.contains { step in
                    switch step {
                    case .copy(_, let to): return to == branch.results[0]
                    case .launch(let l): return l.arguments.contains(.buffer(branch.results[0]))
                    default: return false
                    }
                }
                #expect(writesResult)
            }
        }
        #expect(branches[1].branch(forSelectorValue: 7) == 2 && branches[1].branch(forSelectorValue: -1) == 2)
        #expect(branches[0].branch(forSelectorValue: 1) == 0 && branches[0].branch(forSelectorValue: 0) == 1)
        #expect(report.controlFlow.map(\.operation) == ["stablehlo.if", "stablehlo.case"])
    }

    @Test("nested loops nest steps; kernel names stay unique")
    func nestedLoops() throws {
        let text = """
            func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
              %zero = stablehlo.constant dense<0> : tensor<i32>
              %r:2 = stablehlo.while(%i = %zero, %acc = %x) : tensor<i32>, tensor<4xf32>
              cond {
                %c = stablehlo.constant dense<3> : tensor<i32>
                %p = stablehlo.compare LT, %i, %c : (tensor<i32>, tensor<i32>) -> tensor<i1>
                stablehlo.return %p : tensor<i1>
              } do {
                %z = stablehlo.constant dense<0> : tensor<i32>
                %s:2 = stablehlo.while(%j = %z, %v = %acc) : tensor<i32>, tensor<4xf32>
                cond {
                  %c2 = stablehlo.constant dense<2> : tensor<i32>
                  %q = stablehlo.compare LT, %j, %c2 : (tensor<i32>, tensor<i32>) -> tensor<i1>
                  stablehlo.return %q : tensor<i1>
                } do {
                  %one = stablehlo.constant dense<1> : tensor<i32>
                  %j2 = stablehlo.add %j, %one : tensor<i32>
                  %v2 = stablehlo.add %v, %v : tensor<4xf32>
                  stablehlo.return %j2, %v2 : tensor<i32>, tensor<4xf32>
                }
                %one = stablehlo.constant dense<1> : tensor<i32>
                %i2 = stablehlo.add %i, %one : tensor<i32>
                stablehlo.return %i2, %s#1 : tensor<i32>, tensor<4xf32>
              }
              return %r#1 : tensor<4xf32>
            }
            """
        let (executable, report) = try TestPrograms.lower(text)
        #expect(Self.hostSteps(executable) == 0)
        guard let outer = Self.loops(executable.steps).first else { Issue.record("no loop"); return }
        #expect(Self.loops(outer.body).count == 1)
        let names = executable.kernels.map(\.entryPoint)
        #expect(Set(names).count == names.count, "kernel names repeat: \(names)")
        #expect(report.controlFlow.first?.nested.count == 1)
    }

    @Test("a loop carrying a token stays on the host, with the reason")
    func tokenLoopStaysOnHost() throws {
        let text = """
            func.func @main(%x: tensor<f32>) -> tensor<f32> {
              %t = stablehlo.after_all : !stablehlo.token
              %r:2 = stablehlo.while(%v = %x, %tok = %t) : tensor<f32>, !stablehlo.token
              cond {
                %c = stablehlo.constant dense<100.0> : tensor<f32>
                %p = stablehlo.compare LT, %v, %c : (tensor<f32>, tensor<f32>) -> tensor<i1>
                stablehlo.return %p : tensor<i1>
              } do {
                %w = stablehlo.add %v, %v : tensor<f32>
                stablehlo.return %w, %tok : tensor<f32>, !stablehlo.token
              }
              return %r#0 : tensor<f32>
            }
            """
        let (executable, _) = try TestPrograms.lower(text)
        #expect(Self.loops(executable.allSteps).isEmpty)
        let reasons = executable.allSteps.compactMap { step -> String? in
            if case .host(let call) = step { return call.reason } else { return nil }
        }
        #expect(reasons.contains { $0.contains("stablehlo.while") })
    }

    @Test("the set-condition kernel compiles with NVRTC for sm_90 (cudaGraphSetConditional resolved by ptxas)")
    func conditionKernelCompiles() throws {
        guard let compiler = try NVRTCCompileTests.compiler() else { return }
        let cubin = try compiler.compile(source: ConditionKernel.source, name: "condition.cu", architecture: "sm_90",
                                         options: KernelCompilation.options)
        #expect(!cubin.cubin.isEmpty)
    }

    @Test("every conformance program with while/if/case lowers its control flow to device steps")
    func conformanceControlFlowPlans() throws {
        let directory = TestPrograms.conformanceDirectory
        guard FileManager.default.fileExists(atPath: directory.path) else {
            print("SKIPPED: no conformance suite at \(directory.path)")
            return
        }
        var programs = 0, onDevice = 0
        var offDevice: [String] = []
        for sub in ["testdata", "interpret"] {
            for file in TestPrograms.mlirFiles(in: directory.appendingPathComponent(sub)) {
                guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
                for chunk in text.components(separatedBy: "// -----") {
                    guard chunk.contains("stablehlo.while") || chunk.contains("\"stablehlo.if\"") || chunk.contains("stablehlo.case"),
                          let module = try? Module.parse(chunk, file: file.lastPathComponent) else { continue }
                    for function in module.functions where function.visibility != "private" && function.inputTypes.isEmpty || function.name == "main" {
                        var options = CompileOptions(useVendorLibraries: true)
                        options.entry = function.name
                        guard let rewritten = try? CUDATarget.rewritten(module, options: options),
                              let (_, report) = try? ExecutableBuilder(options: options).build(rewritten),
                              !report.controlFlow.isEmpty else { continue }
                        programs += 1
                        if report.controlFlow.allSatisfy(\.onDevice) {
                            onDevice += 1
                        } else {
                            offDevice.append("\(file.lastPathComponent) @\(function.name): \(report.controlFlow.filter { !$0.onDevice }.map(\.detail))")
                        }
                    }
                }
            }
        }
        print("control flow: \(onDevice) of \(programs) conformance entry points lower every while/if/case to device steps")
        for line in offDevice { print("  host: \(line)") }
        #expect(programs > 0)
        #expect(onDevice * 10 >= programs * 9, "only \(onDevice) of \(programs) on the device")
    }

    /// Loops nested `depth` deep, each body doubling the value once.
    static func nestedLoops(depth: Int) -> String {
        func loop(_ level: Int, _ value: String, _ indent: String) -> ([String], String) {
            if level == 0 { return ([indent + "%y = stablehlo.add \(value), \(value) : tensor<f32>"], "%y") }
            let (inner, result) = loop(level - 1, "%a\(level)", indent + "  ")
            return ([
                indent + "%w\(level) = stablehlo.while(%a\(level) = \(value)) : tensor<f32>",
                indent + " cond {",
                indent + "  %c\(level) = stablehlo.constant dense<1.0> : tensor<f32>",
                indent + "  %p\(level) = stablehlo.compare LT, %a\(level), %c\(level) : (tensor<f32>, tensor<f32>) -> tensor<i1>",
                indent + "  stablehlo.return %p\(level) : tensor<i1>",
                indent + " } do {",
            ] + inner + [indent + "  stablehlo.return \(result) : tensor<f32>", indent + " }"], "%w\(level)")
        }
        let (body, result) = loop(depth, "%x", "  ")
        return (["func.func @main(%x: tensor<f32>) -> tensor<f32> {"] + body
            + ["  return \(result) : tensor<f32>", "}"]).joined(separator: "\n")
    }

    @Test("control flow nested past the depth limit stays on the host, and the executable still encodes")
    func deeplyNestedLoopsStayShallow() throws {
        let depth = ControlFlowLowering.maximumDepth + 16
        let (executable, _) = try TestPrograms.lower(Self.nestedLoops(depth: depth))
        var levels = 0
        var steps = executable.steps
        while let loop = Self.loops(steps).first {
            levels += 1
            steps = loop.body
        }
        #expect(levels == ControlFlowLowering.maximumDepth)
        let reasons = steps.compactMap { step -> String? in
            if case .host(let call) = step { return call.reason } else { return nil }
        }
        #expect(reasons.contains { $0.contains("nested more than \(ControlFlowLowering.maximumDepth) deep") }, "\(reasons)")
        let bytes = try executable.encoded()
        #expect(try Executable(decoding: bytes, file: "deep.nvx") == executable)
    }
}
