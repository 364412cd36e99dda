import Reference
import StableHLO
import Testing

/// `sort`, `chlo.top_k` and `fft` against results worked out by hand.
@Suite struct StructuralSortFFTTests {
    typealias P = StructuralProgram

    func sort(_ inputs: [Tensor], _ comparator: Region, dimension: Int = 0) throws -> [Tensor] {
        try P.run("stablehlo.sort", inputs, results: inputs.map(\.type),
                  ["dimension": P.int(dimension), "is_stable": .bool(true)], regions: [comparator])
    }

    @Test(arguments: [ElementType.si(8), .si(64), .ui(16), .float(.f16), .float(.f32)])
    func sortDescending(_ et: ElementType) throws {
        let x = et.isFloat ? P.tensor(et, [4], floats: [3, -1, 7, 2]) : P.tensor(et, [4], ints: [3, 1, 7, 2])
        let y = try sort([x], P.comparator("GT", [et]))[0]
        #expect(y == (et.isFloat ? P.tensor(et, [4], floats: [7, 3, 2, -1]) : P.tensor(et, [4], ints: [7, 3, 2, 1])))
    }

    @Test func sortIsStableAndMovesEveryOperand() throws {
        let keys = P.tensor(.si(32), [4], ints: [2, 1, 2, 1])
        let values = P.sample(.complex(.f32), [4])
        let out = try sort([keys, values], P.comparator("LT", [.si(32), .complex(.f32)]))
        #expect(out[0].storage == .ints([1, 1, 2, 2]))
        #expect(out[1] == P.sample(.complex(.f32), [4], [1, 3, 0, 2]))
    }

    @Test func sortAlongTheFirstDimension() throws {
        let a = P.tensor(.si(64), [2, 3], ints: [1, 2, 3, 3, 2, 1]), b = P.tensor(.si(64), [2, 3], ints: [3, 2, 1, 1, 2, 3])
        let out = try sort([a, b], P.comparator("GT", [.si(64), .si(64)]), dimension: 0)
        #expect(out[0].storage == .ints([3, 2, 3, 1, 2, 1]))
        #expect(out[1].storage == .ints([1, 2, 1, 3, 2, 3]))
    }

    @Test func sortByTheSecondOperandKey() throws {
        let a = P.tensor(.si(32), [3], ints: [10, 20, 30]), b = P.tensor(.ui(32), [3], ints: [0xFFFF_FFFF, 5, 7])
        let out = try sort([a, b], P.comparator("LT", [.si(32), .ui(32)], key: 1))
        #expect(out[0].storage == .ints([20, 30, 10]))
    }

    @Test func totalOrderSortPlacesNaNAndSignedZeros() throws {
        let x = P.tensor(.float(.f32), [5], floats: [.nan, 1, 0, -0.0, -.infinity])
        let y = try sort([x], P.comparator("LT", [.float(.f32)], compareType: "TOTALORDER"))[0]
        guard let v = y.floats else { Issue.record("not floats"); return }
        #expect(v[0] == -.infinity)
        #expect(v[1] == 0 && v[1].sign == .minus)
        #expect(v[2] == 0 && v[2].sign == .plus)
        #expect(v[3] == 1)
        #expect(v[4].isNaN)
    }

    @Test(arguments: [ElementType.si(8), .ui(32), .float(.bf16), .float(.f32)])
    func topK(_ et: ElementType) throws {
        let x = et.isFloat ? P.tensor(et, [2, 4], floats: [1, 3, 3, 2, -1, -2, 5, 0]) : P.tensor(et, [2, 4], ints: [1, 3, 3, 2, 9, 8, 5, 0])
        let out = try P.run("chlo.top_k", [x], results: [P.type([2, 2], et), P.type([2, 2], .si(32))], ["k": P.int(2)])
        #expect(out[0] == (et.isFloat ? P.tensor(et, [2, 2], floats: [3, 3, 5, 0]) : P.tensor(et, [2, 2], ints: [3, 3, 9, 8])))
        #expect(out[1].storage == .ints(et.isFloat ? [1, 2, 2, 3] : [1, 2, 0, 1]))
    }

    // MARK: fft

    func fft(_ x: Tensor, _ kind: String, _ lengths: [Int], _ result: TensorType) throws -> Tensor {
        try P.run1("stablehlo.fft", [x], result, ["fft_type": P.enumAttribute("fft_type", kind), "fft_length": P.i64s(lengths)])
    }

    func close(_ a: [Double]?, _ b: [Double], tolerance: Double = 1e-9) -> Bool {
        guard let a, a.count == b.count else { return false }
        return zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    @Test func complexTransformAndInverse() throws {
        let et = ElementType.complex(.f64)
        let x = P.tensor(et, [4], complexes: [1, 0, 2, 0, 3, 0, 4, 0])
        let y = try fft(x, "FFT", [4], P.type([4], et))
        #expect(close(y.complexes, [10, 0, -2, 2, -2, 0, -2, -2]))
        let z = try fft(y, "IFFT", [4], P.type([4], et))
        #expect(close(z.complexes, [1, 0, 2, 0, 3, 0, 4, 0]))
    }

    @Test func twoDimensionalTransformOverTheLastAxes() throws {
        let et = ElementType.complex(.f32)
        // Batch of two 2×2 transforms: [[1,2],[3,4]] and the unit impulse.
        let x = P.tensor(et, [2, 2, 2], complexes: [1, 0, 2, 0, 3, 0, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0])
        let y = try fft(x, "FFT", [2, 2], P.type([2, 2, 2], et))
        #expect(close(y.complexes, [10, 0, -2, 0, -4, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0], tolerance: 1e-6))
    }

    @Test(arguments: [4, 3])
    func realTransformRoundTrips(_ n: Int) throws {
        let values: [Double] = Array([1, 2, 3, 4].prefix(n))
        let x = P.tensor(.float(.f64), [n], floats: values)
        let half = n / 2 + 1
        let y = try fft(x, "RFFT", [n], P.type([half], .complex(.f64)))
        let expected: [Double] = n == 4 ? [10, 0, -2, 2, -2, 0] : [6, 0, -1.5, 0.8660254037844386]
        #expect(close(y.complexes, expected))
        let z = try fft(y, "IRFFT", [n], P.type([n], .float(.f64)))
        #expect(close(z.floats, values))
    }

    @Test func realTransformOfEmptyBatch() throws {
        let x = P.tensor(.float(.f32), [0, 4], floats: [])
        let y = try fft(x, "RFFT", [4], P.type([0, 3], .complex(.f32)))
        #expect(y.elementCount == 0)
        let z = try fft(y, "IRFFT", [4], P.type([0, 4], .float(.f32)))
        #expect(z.elementCount == 0)
    }
}

/// `rng_bit_generator` THREE_FRY against the Random123 Threefry-2x32-20 known answers.
@Suite struct StructuralRandomBitTests {
    typealias P = StructuralProgram

    func generate(key: UInt64, counter: UInt64, count: Int) throws -> [Tensor] {
        let state = P.tensor(.ui(64), [2], ints: [Int64(bitPattern: key), Int64(bitPattern: counter)])
        return try P.run("stablehlo.rng_bit_generator", [state], results: [state.type, P.type([count], .ui(64))],
                         ["rng_algorithm": .enumCase(dialect: "stablehlo", kind: "rng_algorithm", value: "THREE_FRY")])
    }

    @Test func knownAnswers() throws {
        let zero = try generate(key: 0, counter: 0, count: 2)
        #expect(zero[1].ints?.first.map { UInt64(bitPattern: $0) } == 0x99BA_4EFE_6B20_0159)
        #expect(zero[0].storage == .ints([0, 2]))
        let ones = try generate(key: .max, counter: .max, count: 1)
        #expect(ones[1].ints?.first.map { UInt64(bitPattern: $0) } == 0xBB00_2BE7_1CB9_96FC)
        #expect(ones[0].storage == .ints([-1, 0]))
    }

    @Test func continuingFromTheNewStateGivesTheNextElements() throws {
        let both = try generate(key: 42, counter: 7, count: 4)
        let first = try generate(key: 42, counter: 7, count: 2)
        let next = try generate(key: 42, counter: 9, count: 2)
        #expect(both[1].ints == (first[1].ints ?? []) + (next[1].ints ?? []))
        #expect(first[0].storage == .ints([42, 9]))
    }
}
