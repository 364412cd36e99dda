import Runtime
import StableHLO

/// A high-precision oracle for checking GPU results: the same program with every float type
/// narrower than f64 (f32, f16, bf16, the f8 types; complex<f32>) computed in f64, its
/// results rounded back to the declared types at the end.
///
/// The reference backend itself rounds every op to the declared type, as the StableHLO
/// interpreter does: a bf16 `dot_general` accumulates in bf16 and an f32 `reduce` sums
/// sequentially in f32. GPUs (and XLA) accumulate in f32 with tree reductions, so they sit
/// closer to the exact value than the spec-exact reference does. `nvgpu bench --check`
/// compares against this oracle, so the tolerance measures the GPU's error, not the
/// reference's.
public struct PromotedOracle: Sendable {
    public let original: Module
    public let promoted: Module

    public init(_ module: Module) {
        original = module
        var m = module
        m.functions = module.functions.map(Self.promote)
        promoted = m
    }

    /// Runs `function` in f64 and rounds its results to the original result types.
    public func invoke(function name: String, inputs: [HostTensor], timeLimit: Duration?) throws -> [HostTensor] {
        guard let f = original.function(named: name) else {
            throw RuntimeError("no function named @\(name)")
        }
        let deadline = timeLimit.map { ContinuousClock.now + $0 }
        let promotedInputs = try inputs.map { try Self.widen(Tensor($0)) }
        let results = try Interpreter(module: promoted, deadline: deadline).run(name, inputs: promotedInputs)
        return try zip(results, f.resultTypes).map { result, declared in
            guard let type = declared.tensorType else { throw RuntimeError("result of @\(name) is not a tensor") }
            return Self.narrow(result, to: type).hostTensor
        }
    }

    static func promote(_ type: ElementType) -> ElementType {
        switch type {
        case .float(let f) where f != .f64: return .float(.f64)
        case .complex(.f32): return .complex(.f64)
        default: return type
        }
    }

    static func promote(_ type: TensorType) -> TensorType {
        TensorType(shape: type.shape, elementType: promote(type.elementType), encoding: type.encoding)
    }

    static func promote(_ type: IRType) -> IRType {
        switch type {
        case .tensor(let t): return .tensor(promote(t))
        case .tuple(let ts): return .tuple(ts.map(promote))
        case .scalar(let e): return .scalar(promote(e))
        case .function(let ins, let outs): return .function(inputs: ins.map(promote), results: outs.map(promote))
        case .token, .opaque: return type
        }
    }

    static func promote(_ value: Value) -> Value { Value(id: value.id, type: promote(value.type)) }

    static func promote(_ attribute: Attribute) -> Attribute {
        switch attribute {
        case .dense(let d):
            let wide = promote(d.type)
            guard wide != d.type, let tensor = try? Tensor(HostTensor(d)) else { return attribute }
            return .dense(DenseElements(type: wide, bytes: Tensor(type: wide, storage: tensor.storage).hostTensor.bytes))
        case .type(let t): return .type(promote(t))
        case .array(let items): return .array(items.map(promote))
        case .dictionary(let entries): return .dictionary(entries.map { NamedAttribute($0.name, promote($0.value)) })
        default: return attribute
        }
    }

    static func promote(_ region: Region) -> Region {
        Region(blocks: region.blocks.map { block in
            Block(arguments: block.arguments.map(promote), operations: block.operations.map(promote))
        })
    }

    static func promote(_ op: Operation) -> Operation {
        var op = op
        op.operands = op.operands.map(promote)
        op.results = op.results.map(promote)
        op.attributes = op.attributes.map { NamedAttribute($0.name, promote($0.value)) }
        op.regions = op.regions.map(promote)
        return op
    }

    static func promote(_ function: Function) -> Function {
        var f = function
        f.inputTypes = function.inputTypes.map(promote)
        f.resultTypes = function.resultTypes.map(promote)
        f.body = promote(function.body)
        return f
    }

    static func widen(_ tensor: Tensor) -> Tensor {
        Tensor(type: promote(tensor.type), storage: tensor.storage)
    }

    static func narrow(_ tensor: Tensor, to type: TensorType) -> Tensor {
        switch (tensor.storage, type.elementType) {
        case (.floats(let v), .float(let f)):
            return Tensor(type: type, storage: .floats(v.map { f.round($0) }))
        case (.complexes(let v), .complex(let f)):
            return Tensor(type: type, storage: .complexes(v.map { f.round($0) }))
        default:
            return Tensor(type: type, storage: tensor.storage)
        }
    }
}
