import Runtime
import StableHLO

/// A `dot_general` read as a batched matrix product: which dims are batch, rows (M),
/// contraction (K) and columns (N), and whether each operand is stored transposed.
struct DotShape {
    var lhsBatch: [Int], rhsBatch: [Int]
    var lhsContracting: [Int], rhsContracting: [Int]
    var lhsFree: [Int], rhsFree: [Int]
    var lhsShape: [Int], rhsShape: [Int], resultShape: [Int]
    var batch: Int, m: Int, n: Int, k: Int

    init(_ op: Operation) throws {
        guard op.operands.count == 2, let lhs = op.operandTensorType(0), let rhs = op.operandTensorType(1),
              let result = op.resultTensorType(0) else {
            throw CodeGenError("dot_general needs two tensor operands", at: op.location)
        }
        let numbers = op[attribute: "dot_dimension_numbers"]
        func ints(_ name: String) -> [Int] { (numbers?[parameter: name]?.intArray ?? []).map { Int($0) } }
        lhsBatch = ints("lhs_batching_dimensions")
        rhsBatch = ints("rhs_batching_dimensions")
        lhsContracting = ints("lhs_contracting_dimensions")
        rhsContracting = ints("rhs_contracting_dimensions")
        lhsShape = lhs.shape
        rhsShape = rhs.shape
        resultShape = result.shape
        let lb = lhsBatch, lc = lhsContracting, rb = rhsBatch, rc = rhsContracting
        lhsFree = lhs.shape.indices.filter { !lb.contains($0) && !lc.contains($0) }
        rhsFree = rhs.shape.indices.filter { !rb.contains($0) && !rc.contains($0) }
        let all = lhsBatch + lhsContracting + rhsBatch + rhsContracting
        guard lhsBatch.count == rhsBatch.count, lhsContracting.count == rhsContracting.count,
              all.allSatisfy({ $0 >= 0 }), (lhsBatch + lhsContracting).allSatisfy({ $0 < lhs.shape.count }),
              (rhsBatch + rhsContracting).allSatisfy({ $0 < rhs.shape.count }) else {
            throw CodeGenError("dot_general dimension numbers do not match the operands", at: op.location)
        }
        let lhsShape = lhs.shape, rhsShape = rhs.shape
        batch = lhsBatch.map { lhsShape[$0] }.reduce(1, *)
        m = lhsFree.map { lhsShape[$0] }.reduce(1, *)
        n = rhsFree.map { rhsShape[$0] }.reduce(1, *)
        k = lhsContracting.map { lhsShape[$0] }.reduce(1, *)
        guard resultShape == lhsBatch.map({ lhsShape[$0] }) + lhsFree.map({ lhsShape[$0] }) + rhsFree.map({ rhsShape[$0] }) else {
            throw CodeGenError("dot_general result shape \(resultShape) is not batch × lhs free × rhs free", at: op.location)
        }
    }

    /// (transposeA, transposeB) when both operands are row-major batched matrices, else nil.
    var vendorLayout: (Bool, Bool)? {
        let nb = lhsBatch.count
        guard lhsBatch == Array(0..<nb), rhsBatch == Array(0..<nb) else { return nil }
        let lhsRest = Array(nb..<lhsShape.count), rhsRest = Array(nb..<rhsShape.count)
        let transposeA: Bool
        if lhsRest == lhsFree + lhsContracting { transposeA = false }
        else if lhsRest == lhsContracting + lhsFree { transposeA = true }
        else { return nil }
        let transposeB: Bool
        if rhsRest == rhsContracting + rhsFree { transposeB = false }
        else if rhsRest == rhsFree + rhsContracting { transposeB = true }
        else { return nil }
        return (transposeA, transposeB)
    }
}

/// `dot_general` → a cuBLASLt `.matmul` step when the types and layout allow.
enum MatmulLowering {
    static let vendorTypes: Set<String> = ["f32", "f16", "bf16"]

    /// The call for `op` with buffers `a`, `b`, `c`, or nil when cuBLASLt cannot run it.
    static func vendorCall(_ op: Operation, a: Int, b: Int, c: Int) -> MatmulCall? {
        guard let shape = try? DotShape(op), let (transposeA, transposeB) = shape.vendorLayout,
              shape.m > 0, shape.n > 0, shape.k > 0,
              let lhs = op.operandTensorType(0), let rhs = op.operandTensorType(1), let result = op.resultTensorType(0),
              lhs.elementType == rhs.elementType,
              vendorTypes.contains(lhs.elementType.description), vendorTypes.contains(result.elementType.description)
        else { return nil }
        var allowsTF32 = true
        if case .array(let items)? = op[attribute: "precision_config"] {
            for case .enumCase(_, _, let value) in items where value != "DEFAULT" { allowsTF32 = false }
        }
        return MatmulCall(
            a: a, b: b, c: c, m: shape.m, n: shape.n, k: shape.k, batch: shape.batch,
            transposeA: transposeA, transposeB: transposeB,
            inputType: lhs.elementType.description, outputType: result.elementType.description,
            allowsTF32: lhs.elementType == .float(.f32) ? allowsTF32 : nil)
    }
}
