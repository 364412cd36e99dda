import StableHLO

/// Elementwise, conversion and constant ops of StableHLO and CHLO: one table merged
/// from the per-family tables (unary, binary, comparison, conversion, constants, CHLO).
///
/// Every kernel works in the interpreter's domains (see `Tensor`): integer results are
/// wrapped to the element type's width, float results are rounded to the element type
/// after each op, complex results component by component.
enum ElementwiseKernels {
    static let table: [String: Kernel] = {
        var t: [String: Kernel] = [:]
        for part in [unaryTable, binaryTable, comparisonTable, conversionTable, constantTable, chloTable] {
            t.merge(part) { first, _ in first }
        }
        return t
    }()
}

/// Per-domain element functions of one elementwise op. A nil domain means the op does
/// not accept that element type.
struct ElementFunctions {
    /// Integers and `i1`: receives the operands as stored and the element type; the
    /// result is re-normalized to the result type's width.
    var ints: (@Sendable ([Int64], ElementType) -> Int64)?
    /// Floats: receives exact values; the result is rounded to the result type.
    var floats: (@Sendable ([Double]) -> Double)?
    /// Complex numbers: the result is rounded component-wise.
    var complexes: (@Sendable ([Complex]) -> Complex)?
}

extension ElementwiseKernels {
    /// A rounding function for results of element type `type` (identity for non-floats).
    static func rounding(_ type: ElementType) -> @Sendable (Double) -> Double {
        switch type {
        case .float(.f64), .complex(.f64): return { $0 }
        case .float(.f32), .complex(.f32): return { Double(Float($0)) }
        case .float(let f), .complex(let f): return { f.round($0) }
        default: return { $0 }
        }
    }

    /// The result type of an elementwise op: the op's result element type with the
    /// runtime shape of `operand` (so dynamic result types get their real shape).
    static func resultType(_ call: KernelCall, shapeOf operand: Tensor, index: Int = 0) throws -> TensorType {
        let declared = try call.resultType(index)
        if declared.isStatic && declared.shape != operand.shape {
            throw call.error("result shape \(declared) does not match operand shape \(operand.type)")
        }
        return TensorType(shape: operand.shape, elementType: declared.elementType)
    }

    /// Applies `functions` element by element to all operands (which must share one
    /// shape and one domain) and produces one result of the op's result type.
    static func map(_ call: KernelCall, _ functions: ElementFunctions) throws -> [RuntimeValue] {
        let operands = try call.tensors()
        guard let first = operands.first else { throw call.error("expects at least one operand") }
        for t in operands.dropFirst() where t.shape != first.shape {
            throw call.error("operand shapes differ: \(first.type) vs \(t.type)")
        }
        let type = try resultType(call, shapeOf: first)
        let n = first.elementCount
        let et = first.elementType
        switch first.storage {
        case .ints:
            guard let f = functions.ints else { throw unsupported(call, et) }
            let columns = try operands.map { t -> [Int64] in
                guard let v = t.ints else { throw call.error("operand types differ") }
                return v
            }
            var out = [Int64](repeating: 0, count: n)
            var args = [Int64](repeating: 0, count: columns.count)
            let rt = type.elementType
            for i in 0..<n {
                for k in 0..<columns.count { args[k] = columns[k][i] }
                out[i] = Tensor.normalize(UInt64(bitPattern: f(args, et)), rt)
            }
            return [.tensor(Tensor(type: type, storage: .ints(out)))]
        case .floats:
            guard let f = functions.floats else { throw unsupported(call, et) }
            let columns = try operands.map { t -> [Double] in
                guard let v = t.floats else { throw call.error("operand types differ") }
                return v
            }
            let round = rounding(type.elementType)
            var out = [Double](repeating: 0, count: n)
            var args = [Double](repeating: 0, count: columns.count)
            for i in 0..<n {
                for k in 0..<columns.count { args[k] = columns[k][i] }
                out[i] = round(f(args))
            }
            return [.tensor(try storing(out, as: type, call))]
        case .complexes:
            guard let f = functions.complexes else { throw unsupported(call, et) }
            let columns = try operands.map { t -> [Double] in
                guard let v = t.complexes else { throw call.error("operand types differ") }
                return v
            }
            let round = rounding(type.elementType)
            var out = [Double](repeating: 0, count: 2 * n)
            var args = [Complex](repeating: .zero, count: columns.count)
            for i in 0..<n {
                for k in 0..<columns.count { args[k] = Complex(columns[k][2 * i], columns[k][2 * i + 1]) }
                let r = f(args)
                out[2 * i] = round(r.re)
                out[2 * i + 1] = round(r.im)
            }
            return [.tensor(Tensor(type: type, storage: .complexes(out)))]
        }
    }

    /// Wraps float results as a tensor of `type`, which must be a float type (ops such
    /// as `abs` of a complex operand produce floats).
    static func storing(_ values: [Double], as type: TensorType, _ call: KernelCall) throws -> Tensor {
        switch type.elementType {
        case .float: return Tensor(type: type, storage: .floats(values))
        case .complex:
            var out = [Double](repeating: 0, count: 2 * values.count)
            for (i, v) in values.enumerated() { out[2 * i] = v }
            return Tensor(type: type, storage: .complexes(out))
        default:
            throw call.error("result type \(type) is not a floating-point type")
        }
    }

    static func unsupported(_ call: KernelCall, _ type: ElementType) -> InterpreterError {
        call.error("does not support element type \(type)")
    }

    /// A unary op given per-domain functions of one argument.
    static func unary(
        ints: (@Sendable (Int64, ElementType) -> Int64)? = nil,
        floats: (@Sendable (Double) -> Double)? = nil,
        complexes: (@Sendable (Complex) -> Complex)? = nil
    ) -> Kernel {
        let functions = ElementFunctions(
            ints: ints.map { f in { @Sendable a, t in f(a[0], t) } },
            floats: floats.map { f in { @Sendable a in f(a[0]) } },
            complexes: complexes.map { f in { @Sendable a in f(a[0]) } })
        return { call in try map(call, functions) }
    }

    /// A binary op given per-domain functions of two arguments.
    static func binary(
        ints: (@Sendable (Int64, Int64, ElementType) -> Int64)? = nil,
        floats: (@Sendable (Double, Double) -> Double)? = nil,
        complexes: (@Sendable (Complex, Complex) -> Complex)? = nil
    ) -> Kernel {
        let functions = ElementFunctions(
            ints: ints.map { f in { @Sendable a, t in f(a[0], a[1], t) } },
            floats: floats.map { f in { @Sendable a in f(a[0], a[1]) } },
            complexes: complexes.map { f in { @Sendable a in f(a[0], a[1]) } })
        return { call in
            guard call.operands.count == 2 else { throw call.error("expects 2 operands, got \(call.operands.count)") }
            return try map(call, functions)
        }
    }

    /// Element `i` of a complex storage.
    @inline(__always)
    static func complex(_ v: [Double], _ i: Int) -> Complex { Complex(v[2 * i], v[2 * i + 1]) }
}
