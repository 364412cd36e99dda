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

/// `rng_bit_generator` THREE_FRY against the Random123 Threefry-2x32-20 known answers, and
/// THREE_FRY and PHILOX streams against jaxlib's.
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

    func generate(_ algorithm: String, state words: [UInt64], output: ElementType, count: Int) throws -> (state: [UInt64], bits: [UInt64]) {
        let state = P.tensor(.ui(64), [words.count], ints: words.map { Int64(bitPattern: $0) })
        let out = try P.run("stablehlo.rng_bit_generator", [state], results: [state.type, P.type([count], output)],
                            ["rng_algorithm": .enumCase(dialect: "stablehlo", kind: "rng_algorithm", value: algorithm)])
        let mask: UInt64 = output.bitWidth == 64 ? .max : (1 << UInt64(output.bitWidth)) - 1
        return ((out[0].ints ?? []).map { UInt64(bitPattern: $0) }, (out[1].ints ?? []).map { UInt64(bitPattern: $0) & mask })
    }

    /// Streams jaxlib 0.10 computes on CPU (`lax.rng_bit_generator` with a u32[4] key, which
    /// it bitcasts to this u64[2] state); the second crosses 2^64 in the counter.
    @Test(arguments: [
        ("PHILOX", [0x1234_5678_90AB_CDEF, 0x42] as [UInt64], ElementType.ui(64),
         [0x4643_DE5F_9B00_0C82, 0x753E_69FE_A666_3ACA, 0x8929_5353_D078_A6B1] as [UInt64], 0x44 as UInt64),
        ("THREE_FRY", [0x1234_5678_90AB_CDEF, 0x42], .ui(64), [0xAAEA_33EF_6E88_6528, 0xCA40_A955_78F3_3BA1, 0xD2E9_79EC_5CE6_E6E6], 0x45),
        ("PHILOX", [0x1234_5678_90AB_CDEF, 0x42], .ui(32), [0x9B00_0C82, 0x4643_DE5F, 0xA666_3ACA], 0x43),
        ("THREE_FRY", [0x1234_5678_90AB_CDEF, 0x42], .ui(32), [0x6E88_6528, 0xAAEA_33EF, 0x78F3_3BA1], 0x44),
        ("PHILOX", [7, .max], .ui(64), [0xAE9E_750F_E404_EA31, 0x33A7_1289_F06E_4C03, 0x1D55_AD4C_A222_1DCE,
                                         0x46B5_5614_0DA7_336F, 0x4FA3_D97A_FBD6_BAE8], 2),
        ("THREE_FRY", [7, .max], .ui(64), [0x5F52_2293_D03E_9607, 0xBC3B_53B9_E892_296A, 0x4F8B_93D0_B0B8_A12F,
                                            0x12C0_F677_184F_8EB1, 0xFDDE_3554_2B8F_90B4], 4),
        ("PHILOX", [7, .max], .ui(32), [0xE404_EA31, 0xAE9E_750F, 0xF06E_4C03, 0x33A7_1289, 0xA222_1DCE], 1),
        ("PHILOX", [0x0000_0002_0000_0001, 0x0000_0004_0000_0003], .ui(64),
         [0x4D5E_0BD7_1E8F_E864, 0x2D68_9201_4B87_C9BE, 0x61C0_5696_5273_487B, 0x806F_D7EF_A448_6574], 0x0000_0004_0000_0005),
    ])
    func streamsOfJax(_ algorithm: String, state: [UInt64], output: ElementType, expected: [UInt64], counter: UInt64) throws {
        let (newState, bits) = try generate(algorithm, state: state, output: output, count: expected.count)
        #expect(bits == expected)
        #expect(newState == [state[0], counter])
    }

    @Test func philoxTakesATwoWordStateOnly() throws {
        #expect(throws: (any Error).self) { try generate("PHILOX", state: [7, 1, 0], output: .ui(64), count: 5) }
    }

    @Test func continuingFromTheNewStateGivesTheNextElements() throws {
        let both = try generate(key: 42, counter: 7, count: 4)
        let first = try generate(key: 42, counter: 7, count: 2)
        let next = try generate(key: 42, counter: 9, count: 2)
        #expect(both[1].ints == (first[1].ints ?? []) + (next[1].ints ?? []))
        #expect(first[0].storage == .ints([42, 9]))
    }
}
