import Foundation
import Reference
import StableHLO
import Testing

/// `dot_general`, `dot` and `convolution` against products worked out by hand.
@Suite struct StructuralContractionTests {
    typealias P = StructuralProgram

    static func dims(lb: [Int] = [], rb: [Int] = [], lc: [Int], rc: [Int]) -> Attribute {
        .dialect(name: "stablehlo.dot", parameters: [
            NamedAttribute("lhs_batching_dimensions", .array(lb.map { .integer(Int64($0), type: nil) })),
            NamedAttribute("rhs_batching_dimensions", .array(rb.map { .integer(Int64($0), type: nil) })),
            NamedAttribute("lhs_contracting_dimensions", .array(lc.map { .integer(Int64($0), type: nil) })),
            NamedAttribute("rhs_contracting_dimensions", .array(rc.map { .integer(Int64($0), type: nil) })),
        ])
    }

    func dot(_ a: Tensor, _ b: Tensor, _ result: TensorType, _ numbers: Attribute) throws -> Tensor {
        try P.run1("stablehlo.dot_general", [a, b], result, ["dot_dimension_numbers": numbers])
    }

    @Test(arguments: [ElementType.si(32), .ui(16), .si(64)])
    func matrixProductOfIntegers(_ et: ElementType) throws {
        let a = P.tensor(et, [2, 3], ints: [1, 2, 3, 4, 5, 6]), b = P.tensor(et, [3, 2], ints: [7, 8, 9, 10, 11, 12])
        #expect(try dot(a, b, P.type([2, 2], et), Self.dims(lc: [1], rc: [0])) == P.tensor(et, [2, 2], ints: [58, 64, 139, 154]))
        // Contracting the first dimensions gives aᵀ-style products: result[i][j] = Σ_k a[k][i] b'[k][j].
        let c = P.tensor(et, [2, 2], ints: [1, 2, 3, 4])
        #expect(try dot(c, c, P.type([2, 2], et), Self.dims(lc: [0], rc: [0])) == P.tensor(et, [2, 2], ints: [10, 14, 14, 20]))
        #expect(try P.run1("stablehlo.dot", [a, b], P.type([2, 2], et)) == P.tensor(et, [2, 2], ints: [58, 64, 139, 154]))
    }

    @Test(arguments: [FloatFormat.f16, .bf16, .f32, .f64])
    func batchedFloatProduct(_ f: FloatFormat) throws {
        let a = P.tensor(.float(f), [2, 1, 2], floats: [1, 2, 5, 6]), b = P.tensor(.float(f), [2, 2, 1], floats: [3, 4, 7, 8])
        let y = try dot(a, b, P.type([2, 1, 1], .float(f)), Self.dims(lb: [0], rb: [0], lc: [2], rc: [1]))
        #expect(y.storage == .floats([11, 83]))
    }

    @Test func resultDimensionOrderIsBatchThenLhsThenRhs() throws {
        // lhs [k=2, b=2, m=1], rhs [n=3, b=2, k=2] → result [b, m, n].
        let et = ElementType.si(32)
        let a = P.tensor(et, [2, 2, 1], ints: [1, 2, 3, 4])  // a[k][b][0]
        let b = P.tensor(et, [3, 2, 2], ints: Array(1...12))  // b[n][b][k]
        let y = try dot(a, b, P.type([2, 1, 3], et), Self.dims(lb: [1], rb: [1], lc: [0], rc: [2]))
        // batch 0: a = [1, 3]; rows of b[n][0] = [1,2], [5,6], [9,10] → 7, 23, 39.
        // batch 1: a = [2, 4]; rows of b[n][1] = [3,4], [7,8], [11,12] → 22, 46, 70.
        #expect(y.storage == .ints([7, 23, 39, 22, 46, 70]))
    }

    @Test func integerProductsWrapToTheResultWidth() throws {
        let a = P.tensor(.si(8), [1], ints: [100]), b = P.tensor(.si(8), [1], ints: [2])
        #expect(try dot(a, b, P.type([], .si(8)), Self.dims(lc: [0], rc: [0])).storage == .ints([-56]))
        let t = P.tensor(.i1, [3], ints: [1, 0, 1]), u = P.tensor(.i1, [3], ints: [0, 1, 1])
        #expect(try dot(t, u, P.type([], .i1), Self.dims(lc: [0], rc: [0])).storage == .ints([1]))
    }

    @Test func floatsAccumulateInTheResultType() throws {
        // In f32, 1e8 + 1 rounds back to 1e8, so the sum is 0; in f64 it is 1.
        let a = P.tensor(.float(.f32), [3], floats: [1e8, 1, -1e8]), b = P.tensor(.float(.f32), [3], floats: [1, 1, 1])
        #expect(try dot(a, b, P.type([], .float(.f32)), Self.dims(lc: [0], rc: [0])).storage == .floats([0]))
        let c64 = P.tensor(.float(.f64), [3], floats: [1e8, 1, -1e8]), d64 = P.tensor(.float(.f64), [3], floats: [1, 1, 1])
        #expect(try dot(c64, d64, P.type([], .float(.f64)), Self.dims(lc: [0], rc: [0])).storage == .floats([1]))
        // f16: 2048 + 1 rounds to 2048 at every step.
        let h = P.tensor(.float(.f16), [3], floats: [2048, 1, 1]), o = P.tensor(.float(.f16), [3], floats: [1, 1, 1])
        #expect(try dot(h, o, P.type([], .float(.f16)), Self.dims(lc: [0], rc: [0])).storage == .floats([2048]))
        // bf16 operands into an f32 result.
        let c = P.tensor(.float(.bf16), [2], floats: [1.5, 2]), d = P.tensor(.float(.bf16), [2], floats: [2, 0.25])
        #expect(try dot(c, d, P.type([], .float(.f32)), Self.dims(lc: [0], rc: [0])).storage == .floats([3.5]))
    }

    @Test(arguments: [FloatFormat.f32, .f64])
    func complexProduct(_ f: FloatFormat) throws {
        let et = ElementType.complex(f)
        let a = P.tensor(et, [2], complexes: [1, 2, 0, 1]), b = P.tensor(et, [2], complexes: [3, 4, 0, 1])
        // (1+2i)(3+4i) + i·i = -5+10i - 1.
        #expect(try dot(a, b, P.type([], et), Self.dims(lc: [0], rc: [0])).storage == .complexes([-6, 10]))
    }

    @Test func largeProductIsFast() throws {
        let n = 256
        let a = P.tensor(.float(.f32), [n, n], floats: (0..<(n * n)).map { Double($0 % 7) })
        let b = P.tensor(.float(.f32), [n, n], floats: (0..<(n * n)).map { Double($0 % 5) })
        let start = Date()
        let y = try dot(a, b, P.type([n, n], .float(.f32)), Self.dims(lc: [1], rc: [0]))
        let seconds = Date().timeIntervalSince(start)
        var expected: Double = 0
        for k in 0..<n { expected += Double((5 * n + k) % 7) * Double((k * n + 3) % 5) }
        #expect(y.floats?[5 * n + 3] == expected)
        #expect(seconds < 10, "256×256 dot_general took \(seconds) s")
    }

    // MARK: convolution

    /// Dimension numbers; `[b, f, spatial...]` layouts unless given.
    static func conv(_ spatial: Int, input: [Int]? = nil, kernel: [Int]? = nil, output: [Int]? = nil) -> Attribute {
        let i = input ?? Array(0..<(spatial + 2)), k = kernel ?? Array(0..<(spatial + 2)), o = output ?? Array(0..<(spatial + 2))
        func one(_ v: Int) -> Attribute { .integer(Int64(v), type: nil) }
        func list(_ v: ArraySlice<Int>) -> Attribute { .array(v.map { .integer(Int64($0), type: nil) }) }
        return .dialect(name: "stablehlo.conv", parameters: [
            NamedAttribute("input_batch_dimension", one(i[0])), NamedAttribute("input_feature_dimension", one(i[1])),
            NamedAttribute("input_spatial_dimensions", list(i[2...])),
            NamedAttribute("kernel_output_feature_dimension", one(k[0])), NamedAttribute("kernel_input_feature_dimension", one(k[1])),
            NamedAttribute("kernel_spatial_dimensions", list(k[2...])),
            NamedAttribute("output_batch_dimension", one(o[0])), NamedAttribute("output_feature_dimension", one(o[1])),
            NamedAttribute("output_spatial_dimensions", list(o[2...])),
        ])
    }

    func convolve(_ x: Tensor, _ w: Tensor, _ result: [Int], _ extra: [String: Attribute] = [:], numbers: Attribute? = nil) throws -> Tensor {
        var attrs = extra
        attrs["dimension_numbers"] = numbers ?? Self.conv(x.shape.count - 2)
        return try P.run1("stablehlo.convolution", [x, w], P.type(result, x.elementType), attrs)
    }

    @Test(arguments: [ElementType.si(32), .float(.f32), .float(.bf16)])
    func oneDimensionalConvolutions(_ et: ElementType) throws {
        func t(_ shape: [Int], _ v: [Int64]) -> Tensor { et.isFloat ? P.tensor(et, shape, floats: v.map(Double.init)) : P.tensor(et, shape, ints: v) }
        let x = t([1, 1, 5], [1, 2, 3, 4, 5]), w = t([1, 1, 3], [1, 0, -1])
        #expect(try convolve(x, w, [1, 1, 3]) == t([1, 1, 3], [-2, -2, -2]))
        #expect(try convolve(x, w, [1, 1, 5], ["padding": P.paddingAttribute([(1, 1)])]) == t([1, 1, 5], [-2, -2, -2, -2, 4]))
        #expect(try convolve(x, w, [1, 1, 3], ["window_reversal": .denseInts(.i1, [1])]) == t([1, 1, 3], [2, 2, 2]))
        let ones = t([1, 1, 2], [1, 1])
        #expect(try convolve(x, ones, [1, 1, 2], ["window_strides": P.i64s([2])]) == t([1, 1, 2], [3, 7]))
        #expect(try convolve(x, ones, [1, 1, 3], ["rhs_dilation": P.i64s([2])]) == t([1, 1, 3], [4, 6, 8]))
        #expect(try convolve(t([1, 1, 3], [1, 2, 3]), ones, [1, 1, 4], ["lhs_dilation": P.i64s([2])]) == t([1, 1, 4], [1, 2, 2, 3]))
        #expect(try convolve(x, ones, [1, 1, 3], ["padding": P.paddingAttribute([(-1, 0)])]) == t([1, 1, 3], [5, 7, 9]))
    }

    @Test func featureGroups() throws {
        let et = ElementType.si(32)
        let x = P.tensor(et, [1, 2, 3], ints: [1, 2, 3, 10, 20, 30]), w = P.tensor(et, [2, 1, 1], ints: [2, 3])
        let y = try convolve(x, w, [1, 2, 3], ["feature_group_count": P.int(2)])
        #expect(y.storage == .ints([2, 4, 6, 30, 60, 90]))
    }

    @Test func batchGroups() throws {
        let et = ElementType.si(32)
        let x = P.tensor(et, [2, 1, 2], ints: [1, 2, 3, 4]), w = P.tensor(et, [2, 1, 1], ints: [1, 10])
        let y = try convolve(x, w, [1, 2, 2], ["batch_group_count": P.int(2)])
        #expect(y.storage == .ints([1, 2, 30, 40]))
    }

    @Test func channelsLastTwoDimensional() throws {
        // Input [b, 0, 1, f] 1x2x3x2, kernel [0, 1, i, o] 2x2x2x1, output [b, 0, 1, f] 1x1x2x1.
        let et = ElementType.float(.f64)
        let x = P.tensor(et, [1, 2, 3, 2], floats: [1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60])
        let w = P.tensor(et, [2, 2, 2, 1], floats: [1, 0, 1, 0, 1, 0, 1, 1])
        let numbers = Self.conv(2, input: [0, 3, 1, 2], kernel: [3, 2, 0, 1], output: [0, 3, 1, 2])
        let y = try convolve(x, w, [1, 1, 2, 1], numbers: numbers)
        // Window at column 0: 1 + 2 + 4 + 5 + 50 = 62; at column 1: 2 + 3 + 5 + 6 + 60 = 76.
        #expect(y.storage == .floats([62, 76]))
    }

    @Test func convolutionRejectsBadGroupCounts() {
        let et = ElementType.si(32)
        let x = P.tensor(et, [1, 3, 3], ints: Array(0..<9)), w = P.tensor(et, [2, 1, 1], ints: [1, 1])
        #expect(throws: InterpreterError.self) { try convolve(x, w, [1, 2, 3], ["feature_group_count": P.int(2)]) }
    }
}
