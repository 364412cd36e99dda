import Compiler
import Foundation
import Reference
import StableHLO
import Testing

/// Runs JAX-exported conformance programs through the standard pipeline and then the
/// reference interpreter: their `check.*` assertions must still hold.
@Suite("Standard pipeline keeps conformance programs passing")
struct StandardPipelineConformanceTests {
    /// `NVGPU_CONFORMANCE_DIR`, defaulting to `../shared/conformance`.
    static var conformanceDirectory: String {
        ProcessInfo.processInfo.environment["NVGPU_CONFORMANCE_DIR"] ?? "../shared/conformance"
    }

    /// About `count` programs spread evenly over the sorted file list (so across families).
    static func sample(count: Int) -> [String] {
        let directory = conformanceDirectory + "/testdata"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        let programs = names.filter { $0.hasSuffix(".mlir") }.sorted()
        guard !programs.isEmpty else { return [] }
        let stride = max(1, programs.count / max(1, count))
        return Swift.stride(from: 0, to: programs.count, by: stride).prefix(count).map { directory + "/" + programs[$0] }
    }

    static func checkCount(_ module: Module) -> Int {
        func count(_ region: Region) -> Int {
            region.blocks.reduce(0) { total, block in
                total + block.operations.reduce(0) { sum, op in
                    let target = op[attribute: "call_target_name"]?.stringValue ?? op.name
                    return sum + (target.hasPrefix("check.") ? 1 : 0) + op.regions.reduce(0) { $0 + count($1) }
                }
            }
        }
        return module.functions.reduce(0) { $0 + count($1.body) }
    }

    enum Variant: String, CaseIterable, Sendable {
        /// `Pipeline.standard` as compilations run it.
        case standard
        /// Without constant folding, so the other passes see the programs' real computations.
        case withoutFolding
    }

    /// `NVGPU_PIPELINE_SAMPLE` programs (default 50; `all` for every one).
    static var sampleSize: Int {
        let setting = ProcessInfo.processInfo.environment["NVGPU_PIPELINE_SAMPLE"]
        return setting == "all" ? Int.max : setting.flatMap { Int($0) } ?? 50
    }

    @Test("sampled programs (50 by default): checks pass after the pipeline", arguments: Variant.allCases)
    func sampledProgramsStillPass(_ variant: Variant) throws {
        let files = Self.sample(count: Self.sampleSize)
        guard !files.isEmpty else {
            print("skipped: no conformance programs under \(Self.conformanceDirectory)/testdata (set NVGPU_CONFORMANCE_DIR)")
            return
        }
        var session = try CompilerSession(registry: try PluginRegistry())
        session.verifiesAfterEachPass = true
        var passed = 0, skipped: [String] = [], failures: [String] = []
        var opsBefore = 0, opsAfter = 0
        let start = ContinuousClock.now
        for path in files {
            let name = (path as NSString).lastPathComponent
            let module = try Module.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
            do {
                _ = try Interpreter(module: module, deadline: .now + .seconds(20)).run("main", inputs: [])
            } catch {
                skipped.append("\(name): \(error)")
                continue
            }
            do {
                let lowered: Module
                switch variant {
                case .standard:
                    lowered = try session.lower(module, target: "cpu")
                case .withoutFolding:
                    var copy = module
                    try Pipeline(Pipeline.standard.passes.filter { !($0 is FoldConstantsPass) }).run(on: &copy)
                    try copy.verify()
                    lowered = copy
                }
                guard Self.checkCount(lowered) >= min(1, Self.checkCount(module)) else {
                    failures.append("\(name): the pipeline removed the checks")
                    continue
                }
                _ = try Interpreter(module: lowered, deadline: .now + .seconds(20)).run("main", inputs: [])
                opsBefore += Self.operationCount(module)
                opsAfter += Self.operationCount(lowered)
                passed += 1
            } catch {
                failures.append("\(name): \(error)")
            }
        }
        print("standard pipeline (\(variant.rawValue)): \(passed)/\(files.count) programs pass after the pipeline, \(skipped.count) skipped (fail before it), ops \(opsBefore) → \(opsAfter), \(ContinuousClock.now - start)")
        for line in skipped { print("  skipped \(line)") }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(passed >= files.count * 8 / 10, "too few programs ran: \(passed) of \(files.count)")
    }

    /// About `count` `// -----` chunks of the interpreter tests, spread evenly.
    static func chunkSample(count: Int) -> [(name: String, chunk: SourceChunk)] {
        let directory = conformanceDirectory + "/interpret"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var chunks: [(name: String, chunk: SourceChunk)] = []
        for name in names.filter({ $0.hasSuffix(".mlir") }).sorted() {
            guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else { continue }
            for (i, chunk) in SourceChunk.split(text).enumerated() { chunks.append(("\(name)#\(i)", chunk)) }
        }
        let stride = max(1, chunks.count / max(1, count))
        return Swift.stride(from: 0, to: chunks.count, by: stride).prefix(count).map { chunks[$0] }
    }

    @Test("sampled interpreter-test chunks (50 by default): checks pass after the pipeline")
    func sampledChunksStillPass() throws {
        let chunks = Self.chunkSample(count: Self.sampleSize)
        guard !chunks.isEmpty else {
            print("skipped: no interpreter tests under \(Self.conformanceDirectory)/interpret (set NVGPU_CONFORMANCE_DIR)")
            return
        }
        var session = try CompilerSession(registry: try PluginRegistry())
        session.verifiesAfterEachPass = true
        var passed = 0, skipped = 0, failures: [String] = []
        for (name, chunk) in chunks {
            let entries: [String]
            let module: Module
            do {
                module = try Module.parse(chunk.text, file: name, firstLine: chunk.firstLine)
                try module.verify()
                entries = module.functions.filter { $0.inputTypes.isEmpty && !$0.body.blocks.isEmpty }.map(\.name)
                for entry in entries {
                    _ = try Interpreter(module: module, deadline: .now + .seconds(20)).run(entry, inputs: [])
                }
            } catch {
                skipped += 1
                continue
            }
            do {
                let lowered = try session.lower(module, target: "cpu")
                for entry in entries where lowered.function(named: entry) != nil {
                    _ = try Interpreter(module: lowered, deadline: .now + .seconds(20)).run(entry, inputs: [])
                }
                passed += 1
            } catch {
                failures.append("\(name): \(error)")
            }
        }
        print("standard pipeline (interpreter tests): \(passed)/\(chunks.count) chunks pass after the pipeline, \(skipped) skipped (fail before it)")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(passed >= chunks.count / 2, "too few chunks ran: \(passed) of \(chunks.count)")
    }

    static func operationCount(_ module: Module) -> Int {
        func count(_ region: Region) -> Int {
            region.blocks.reduce(0) { total, block in
                total + block.operations.reduce(0) { $0 + 1 + $1.regions.reduce(0) { $0 + count($1) } }
            }
        }
        return module.functions.reduce(0) { $0 + count($1.body) }
    }
}
