import Compiler
import Foundation
import Reference
import StableHLO
import Testing

/// Writes random programs of elementwise, broadcast, reshape, transpose, convert, select
/// and call ops over small f32 tensors, with splat and non-splat constants, so that every
/// standard pass finds work.
struct RandomProgramWriter {
    /// The shapes values take, as MLIR type text.
    static let shapes = ["3", "2x3", "3x2", "6"]

    private var state: UInt64
    private var lines: [String] = []
    private var values: [String: [String]] = [:]
    private var count = 0

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    private mutating func next(_ bound: Int) -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % UInt64(bound))
    }

    /// A value of `shape`, one of the latest four half of the time (so chains grow).
    private mutating func pick(_ shape: String) -> String {
        let pool = values[shape] ?? []
        if next(2) == 0 { return pool[pool.count - 1 - next(min(pool.count, 4))] }
        return pool[next(pool.count)]
    }

    private mutating func define(_ shape: String, _ body: String) {
        let name = "%v\(count)"
        count += 1
        lines.append("    \(name) = \(body)")
        values[shape, default: []].append(name)
    }

    private static func type(_ shape: String, _ element: String = "f32") -> String { "tensor<\(shape)x\(element)>" }

    /// A program of `size` ops; `main` takes one argument per shape and returns the latest values.
    mutating func program(size: Int) -> String {
        var arguments: [String] = []
        for (i, shape) in Self.shapes.enumerated() {
            values[shape] = ["%arg\(i)"]
            arguments.append("%arg\(i): \(Self.type(shape))")
        }
        for _ in 0..<size { addOperation() }
        // The latest three values of each shape are results.
        let results: [(String, String)] = Self.shapes.flatMap { shape in
            (values[shape] ?? []).suffix(3).map { ($0, Self.type(shape)) }
        }
        return """
        func.func @main(\(arguments.joined(separator: ", "))) -> (\(results.map(\.1).joined(separator: ", "))) {
        \(lines.joined(separator: "\n"))
            return \(results.map(\.0).joined(separator: ", ")) : \(results.map(\.1).joined(separator: ", "))
        }
        func.func private @scale(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
            %c = stablehlo.constant dense<0.5> : tensor<3xf32>
            %0 = stablehlo.multiply %x, %c : tensor<3xf32>
            %1 = stablehlo.add %0, %y : tensor<3xf32>
            return %1 : tensor<3xf32>
        }
        """
    }

    private mutating func addOperation() {
        let shape = Self.shapes[next(Self.shapes.count)]
        let t = Self.type(shape)
        switch next(12) {
        case 0, 1:
            let op = ["add", "subtract", "multiply", "maximum", "minimum", "divide"][next(6)]
            define(shape, "stablehlo.\(op) \(pick(shape)), \(pick(shape)) : \(t)")
        case 2:
            let op = ["negate", "abs", "floor", "tanh"][next(4)]
            define(shape, "stablehlo.\(op) \(pick(shape)) : \(t)")
        case 3:
            let value = ["0.0", "1.0", "2.5", "-1.0"][next(4)]
            define(shape, "stablehlo.constant dense<\(value)> : \(t)")
        case 4:
            define("3", "stablehlo.constant dense<[1.0, -2.0, 0.25]> : \(Self.type("3"))")
        case 5:
            let (target, dims) = [("2x3", "[1]"), ("3x2", "[0]"), ("3", "[0]")][next(3)]
            define(target, "stablehlo.broadcast_in_dim \(pick("3")), dims = \(dims) : (\(Self.type("3"))) -> \(Self.type(target))")
        case 6:
            let (source, target) = [("2x3", "6"), ("6", "3x2"), ("3x2", "6"), ("6", "2x3"), ("2x3", "2x3")][next(5)]
            define(target, "stablehlo.reshape \(pick(source)) : (\(Self.type(source))) -> \(Self.type(target))")
        case 7:
            let (source, target) = [("2x3", "3x2"), ("3x2", "2x3")][next(2)]
            define(target, "\"stablehlo.transpose\"(\(pick(source))) {permutation = array<i64: 1, 0>} : (\(Self.type(source))) -> \(Self.type(target))")
        case 8:
            let x = pick(shape)
            let wide = "%v\(count)"
            count += 1
            lines.append("    \(wide) = stablehlo.convert \(x) : (\(t)) -> \(Self.type(shape, "f64"))")
            define(shape, "stablehlo.convert \(wide) : (\(Self.type(shape, "f64"))) -> \(t)")
        case 9:
            let (a, b) = (pick(shape), pick(shape))
            let predicate = "%v\(count)"
            count += 1
            lines.append("    \(predicate) = stablehlo.compare  GT, \(a), \(b),  FLOAT : (\(t), \(t)) -> \(Self.type(shape, "i1"))")
            define(shape, "stablehlo.select \(predicate), \(a), \(b) : \(Self.type(shape, "i1")), \(t)")
        case 10:
            define("3", "func.call @scale(\(pick("3")), \(pick("3"))) : (\(Self.type("3")), \(Self.type("3"))) -> \(Self.type("3"))")
        default:
            let x = pick("2x3")
            let initial = "%v\(count)"
            count += 1
            lines.append("    \(initial) = stablehlo.constant dense<0.0> : tensor<f32>")
            define("3", "stablehlo.reduce(\(x) init: \(initial)) applies stablehlo.add across dimensions = [0] : (\(Self.type("2x3")), tensor<f32>) -> \(Self.type("3"))")
        }
    }
}

@Suite("Standard pipeline on random programs")
struct RandomProgramTests {
    /// `NVGPU_RANDOM_PROGRAMS` seeds (default 40).
    static var seeds: Range<Int> {
        0..<(ProcessInfo.processInfo.environment["NVGPU_RANDOM_PROGRAMS"].flatMap { Int($0) } ?? 40)
    }

    @Test("results are bit-identical before and after the pipeline", arguments: seeds)
    func keepsResults(_ seed: Int) throws {
        var writer = RandomProgramWriter(seed: UInt64(seed) + 1)
        let text = writer.program(size: 30)
        let before = try Module.parse(text, file: "random-\(seed).mlir")
        try before.verify()
        var session = try CompilerSession(registry: try PluginRegistry())
        session.verifiesAfterEachPass = true
        let after = try session.lower(before, target: "cpu")
        #expect(after.functions.map(\.name) == ["main"])
        try PassTestSupport.expectSameResults(before, after, seeds: [UInt64(seed) + 7, UInt64(seed) + 8])
    }
}
