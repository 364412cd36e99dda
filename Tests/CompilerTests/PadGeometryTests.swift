@testable import Compiler
import Testing

/// `PadGeometry` reads padding from program constants: values at the ends of Int64 give nil
/// (the op stays dynamic), never a trap.
@Suite struct PadGeometryTests {
    @Test func validPaddingGivesTheShape() {
        #expect(PadGeometry.shape([5, 4], low: [1, -1], high: [1, -1], interior: [0, 1]) == [7, 5])
    }

    @Test(arguments: [
        ([4], [Int.min], [0], [0]),
        ([4], [0], [Int.max], [0]),
        ([1 << 39], [0], [0], [(1 << 40) - 1]),
        ([3], [0], [0], [Int.max]),
        ([3], [-10], [0], [0]),
    ] as [([Int], [Int], [Int], [Int])])
    func extremePaddingIsRefused(_ input: [Int], _ low: [Int], _ high: [Int], _ interior: [Int]) {
        #expect(PadGeometry.shape(input, low: low, high: high, interior: interior) == nil)
    }
}
