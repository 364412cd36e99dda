import Runtime
import StableHLO

/// `constant`, `iota` and `map`.
extension ElementwiseKernels {
    static let constantTable: [String: Kernel] = [
        "stablehlo.constant": constant,
        "stablehlo.iota": iota,
        "stablehlo.map": mapRegion,
    ]

    /// `constant`: the `value` attribute (a `dense` literal) decoded into the working form.
    static func constant(_ call: KernelCall) throws -> [RuntimeValue] {
        guard case .dense(let dense)? = call.op[attribute: "value"] else {
            throw call.error("expects a dense 'value' attribute")
        }
        return [.tensor(try constantTensor(dense, call))]
    }

    /// A `dense` literal decoded into the working form (a malformed one is an error).
    static func constantTensor(_ dense: DenseElements, _ call: KernelCall) throws -> Tensor {
        let expected = dense.type.elementCount * dense.type.elementType.storageBytes
        let have = dense.isSplat ? dense.bytes.count * dense.type.elementCount : dense.bytes.count
        guard have == expected else {
            throw call.error("literal of type \(dense.type) has \(have) bytes, expected \(expected)")
        }
        do {
            return try Tensor(HostTensor(dense))
        } catch {
            throw call.error("invalid literal: \(error)")
        }
    }

    /// `iota`: element values are their index along `iota_dimension`.
    static func iota(_ call: KernelCall) throws -> [RuntimeValue] {
        let type = try call.resultType()
        guard type.isStatic else { throw call.error("result type \(type) must be static") }
        guard let d = call.op[attribute: "iota_dimension"]?.intValue, d >= 0, Int(d) < type.rank else {
            throw call.error("iota_dimension missing or out of range for \(type)")
        }
        let dim = Int(d)
        let strides = Indexing.strides(type.shape)
        let n = type.elementCount
        let indices = (0..<n).map { i in (i / strides[dim]) % type.shape[dim] }
        switch type.elementType {
        case .float(let f):
            return [.tensor(Tensor(type: type, storage: .floats(indices.map { f.round(Double($0)) })))]
        case .complex(let f):
            var out = [Double](repeating: 0, count: 2 * n)
            for (i, v) in indices.enumerated() { out[2 * i] = f.round(Double(v)) }
            return [.tensor(Tensor(type: type, storage: .complexes(out)))]
        case let et:
            return [.tensor(Tensor(type: type, storage: .ints(indices.map { Tensor.normalize(UInt64($0), et) })))]
        }
    }

    /// `map`: applies the op's region to each element (its block takes one scalar
    /// tensor per operand and returns one scalar).
    static func mapRegion(_ call: KernelCall) throws -> [RuntimeValue] {
        let operands = try call.tensors()
        guard let first = operands.first else { throw call.error("expects at least one operand") }
        for t in operands.dropFirst() where t.shape != first.shape {
            throw call.error("operand shapes differ: \(first.type) vs \(t.type)")
        }
        guard let region = call.op.regions.first else { throw call.error("expects a computation region") }
        let type = try resultType(call, shapeOf: first)
        let n = first.elementCount
        var results: [Tensor] = []
        results.reserveCapacity(n)
        for i in 0..<n {
            let out = try call.evaluate(region, tensors: operands.map { $0.scalar(at: i) })
            guard out.count == 1, out[0].elementCount == 1 else {
                throw call.error("computation must return one scalar tensor")
            }
            results.append(out[0])
        }
        return [.tensor(try concatenatingScalars(results, type: type, call))]
    }

    /// Joins scalar tensors of one domain into a tensor of `type`.
    static func concatenatingScalars(_ scalars: [Tensor], type: TensorType, _ call: KernelCall) throws -> Tensor {
        switch type.elementType {
        case .float:
            return Tensor(type: type, storage: .floats(try scalars.map { t in
                guard let v = t.floats?.first else { throw call.error("computation returned \(t.type), expected \(type.elementType)") }
                return v
            }))
        case .complex:
            var out: [Double] = []
            out.reserveCapacity(2 * scalars.count)
            for t in scalars {
                guard let v = t.complexes, v.count == 2 else { throw call.error("computation returned \(t.type), expected \(type.elementType)") }
                out.append(contentsOf: v)
            }
            return Tensor(type: type, storage: .complexes(out))
        default:
            return Tensor(type: type, storage: .ints(try scalars.map { t in
                guard let v = t.ints?.first else { throw call.error("computation returned \(t.type), expected \(type.elementType)") }
                return v
            }))
        }
    }
}
