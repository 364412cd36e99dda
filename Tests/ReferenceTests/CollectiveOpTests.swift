import Reference
import Runtime
import StableHLO
import Testing

/// Each collective on 2, 4 and 8 processes, with replica groups, partitions, channel
/// handles and use_global_device_ids; expected values worked out by hand. Process
/// `(r, p)` holds `10 * r + p` unless a test says otherwise; results are listed in
/// replica-major process order.
@Suite struct CollectiveOpTests {
    typealias P = CollectiveProgram

    struct GroupCase: Sendable, CustomStringConvertible {
        var replicas: Int
        var partitions: Int
        var groups: String
        var channel: Int?
        var global: Bool
        var expected: [Int64]
        var description: String { "\(replicas)x\(partitions) \(groups) channel \(channel.map(String.init) ?? "-")\(global ? " global" : "")" }
    }

    static let allReduceCases: [GroupCase] = [
        // 2 processes.
        .init(replicas: 2, partitions: 1, groups: "[[0, 1]]", channel: nil, global: false, expected: [10, 10]),
        .init(replicas: 2, partitions: 1, groups: "[[0], [1]]", channel: nil, global: false, expected: [0, 10]),
        .init(replicas: 1, partitions: 2, groups: "[[0]]", channel: 1, global: false, expected: [1, 1]),
        .init(replicas: 1, partitions: 2, groups: "[[0]]", channel: nil, global: false, expected: [0, 1]),
        // 4 processes (2x2): cross_replica sums over replicas of one partition,
        // cross_replica_and_partition over all four, flattened ids over {0, 3} and {1, 2}.
        .init(replicas: 2, partitions: 2, groups: "[[0, 1]]", channel: nil, global: false, expected: [10, 12, 10, 12]),
        .init(replicas: 2, partitions: 2, groups: "[[0, 1]]", channel: 3, global: false, expected: [22, 22, 22, 22]),
        .init(replicas: 2, partitions: 2, groups: "[[0], [1]]", channel: 3, global: false, expected: [1, 1, 21, 21]),
        .init(replicas: 2, partitions: 2, groups: "[[0, 3], [1, 2]]", channel: 1, global: true, expected: [11, 11, 11, 11]),
        .init(replicas: 4, partitions: 1, groups: "[[0, 2], [1, 3]]", channel: nil, global: false, expected: [20, 40, 20, 40]),
        // 8 processes (4x2): the spec's examples.
        .init(replicas: 4, partitions: 2, groups: "[[0, 1], [2, 3]]", channel: nil, global: false,
              expected: [10, 12, 10, 12, 50, 52, 50, 52]),
        .init(replicas: 4, partitions: 2, groups: "[[0, 1], [2, 3]]", channel: 1, global: false,
              expected: [22, 22, 22, 22, 102, 102, 102, 102]),
        .init(replicas: 4, partitions: 2, groups: "[[0, 2, 4, 6], [1, 3, 5, 7]]", channel: 1, global: true,
              expected: [60, 64, 60, 64, 60, 64, 60, 64]),
        // 8 replicas, ragged groups padded with -1.
        .init(replicas: 8, partitions: 1, groups: "[[0, 1, 2], [3, 4, -1], [5, 6, 7]]", channel: nil, global: false,
              expected: [30, 30, 30, 70, 70, 180, 180, 180]),
    ]

    static func groupAttributes(_ c: GroupCase) -> String {
        let rows = c.groups.filter { $0 == "[" }.count - 1
        let columns = (c.groups.split(separator: "]").first?.split(separator: ",").count) ?? 1
        return "replica_groups = dense<\(c.groups)> : tensor<\(rows)x\(columns)xi64>"
            + P.channel(c.channel) + (c.global ? ", use_global_device_ids" : "")
    }

    @Test(arguments: allReduceCases)
    func allReduce(_ c: GroupCase) throws {
        let text = P.reducing("all_reduce", "tensor<1xi64>", "tensor<1xi64>", attributes: Self.groupAttributes(c))
        let out = try P.ints(text, replicas: c.replicas, partitions: c.partitions,
                             inputs: P.processNumbers(replicas: c.replicas, partitions: c.partitions))
        #expect(out == c.expected.map { [$0] })
    }

    /// Two operands, f32, and a region that is not a single op (compare + select: max),
    /// so the region runs per element; 1x4 partitions with global ids.
    @Test func allReduceVariadicWithGeneralRegion() throws {
        let text = """
        func.func @main(%x : tensor<2xf32>, %y : tensor<f32>) -> (tensor<2xf32>, tensor<f32>) {
          %r:2 = "stablehlo.all_reduce"(%x, %y) ({
            ^bb0(%a: tensor<f32>, %b: tensor<f32>):
              %c = stablehlo.compare GT, %a, %b : (tensor<f32>, tensor<f32>) -> tensor<i1>
              %s = stablehlo.select %c, %a, %b : tensor<i1>, tensor<f32>
              stablehlo.return %s : tensor<f32>
          }) {replica_groups = dense<[[0, 1], [2, 3]]> : tensor<2x2xi64>,
              channel_handle = #stablehlo.channel_handle<handle = 7, type = 1>, use_global_device_ids}
            : (tensor<2xf32>, tensor<f32>) -> (tensor<2xf32>, tensor<f32>)
          return %r#0, %r#1 : tensor<2xf32>, tensor<f32>
        }
        """
        let inputs: [[Tensor]] = [
            [P.f32([2], [1.5, -4]), P.f32([], [7])],
            [P.f32([2], [0.25, 3]), P.f32([], [-1])],
            [P.f32([2], [-2, -8]), P.f32([], [0.5])],
            [P.f32([2], [-3, -9]), P.f32([], [2.5])],
        ]
        let out = try P.run(text, replicas: 1, partitions: 4, inputs: inputs)
        #expect(out.map { $0[0].floats ?? [] } == [[1.5, 3], [1.5, 3], [-2, -8], [-2, -8]])
        #expect(out.map { $0[1].floats ?? [] } == [[7], [7], [2.5], [2.5]])
    }

    /// Integer sums wrap at the element width (ui8: 200 + 100 = 44).
    @Test func allReduceWrapsNarrowIntegers() throws {
        let text = P.reducing("all_reduce", "tensor<2xui8>", "tensor<2xui8>",
                              attributes: "replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>", element: "ui8")
        let u8 = { (v: [Int64]) in Tensor(type: TensorType(shape: [2], elementType: .ui(8)), storage: .ints(v)) }
        let out = try P.ints(text, replicas: 2, partitions: 1, inputs: [u8([200, 1]), u8([100, 2])])
        #expect(out == [[44, 3], [44, 3]])
    }

    @Test func allGather() throws {
        // 2 processes, the spec's example (dim 1, two operands).
        let text2 = """
        func.func @main(%x : tensor<2x2xi64>, %y : tensor<2x2xi64>) -> (tensor<2x4xi64>, tensor<2x4xi64>) {
          %r:2 = "stablehlo.all_gather"(%x, %y) {all_gather_dim = 1 : i64,
              replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>,
              channel_handle = #stablehlo.channel_handle<handle = 0, type = 0>}
            : (tensor<2x2xi64>, tensor<2x2xi64>) -> (tensor<2x4xi64>, tensor<2x4xi64>)
          return %r#0, %r#1 : tensor<2x4xi64>, tensor<2x4xi64>
        }
        """
        let out2 = try P.run(text2, replicas: 2, partitions: 1, inputs: [
            [P.i64([2, 2], [1, 2, 3, 4]), P.i64([2, 2], [11, 12, 13, 14])],
            [P.i64([2, 2], [5, 6, 7, 8]), P.i64([2, 2], [15, 16, 17, 18])],
        ])
        for process in out2 {
            #expect(process[0].ints == [1, 2, 5, 6, 3, 4, 7, 8])
            #expect(process[1].ints == [11, 12, 15, 16, 13, 14, 17, 18])
        }
        // 4 processes (2x2), cross_replica_and_partition: group order (0,0),(1,0),(0,1),(1,1).
        let text4 = P.plain("all_gather", "tensor<1xi64>", "tensor<4xi64>",
                            attributes: "all_gather_dim = 0 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>"
                                + P.channel(1))
        let out4 = try P.ints(text4, replicas: 2, partitions: 2, inputs: P.processNumbers(replicas: 2, partitions: 2))
        #expect(out4 == Array(repeating: [0, 10, 1, 11], count: 4))
        // 8 replicas, strided pairs, gathering along dimension 1 of a 2x1 operand.
        let text8 = P.plain("all_gather", "tensor<2x1xi64>", "tensor<2x2xi64>",
                            attributes: "all_gather_dim = 1 : i64, replica_groups = dense<[[0, 4], [5, 1], [2, 6], [3, 7]]> : tensor<4x2xi64>")
        let inputs8: [Tensor] = (0..<8).map { (r: Int) -> Tensor in P.i64([2, 1], [Int64(r), 100 + Int64(r)]) }
        let out8 = try P.ints(text8, replicas: 8, partitions: 1, inputs: inputs8)
        #expect(out8 == [
            [0, 4, 100, 104], [5, 1, 105, 101], [2, 6, 102, 106], [3, 7, 103, 107],
            [0, 4, 100, 104], [5, 1, 105, 101], [2, 6, 102, 106], [3, 7, 103, 107],
        ])
    }

    @Test func reduceScatter() throws {
        // 2 processes: the upstream example.
        let text2 = P.reducing("reduce_scatter", "tensor<2x4xi64>", "tensor<2x2xi64>",
                               attributes: "scatter_dimension = 1 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>")
        let out2 = try P.ints(text2, replicas: 2, partitions: 1,
                              inputs: [P.i64([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]), P.i64([2, 4], [9, 10, 11, 12, 13, 14, 15, 16])])
        #expect(out2 == [[10, 12, 18, 20], [14, 16, 22, 24]])
        // 4 replicas: process r holds [r, 10r, 100r, 1000r]; sums are [6, 60, 600, 6000].
        let text4 = P.reducing("reduce_scatter", "tensor<4xi64>", "tensor<1xi64>",
                               attributes: "scatter_dimension = 0 : i64, replica_groups = dense<[[0, 1, 2, 3]]> : tensor<1x4xi64>")
        let inputs4: [Tensor] = (0..<4).map { (r: Int) -> Tensor in
            let k = Int64(r)
            let values: [Int64] = [k, 10 * k, 100 * k, 1000 * k]
            return P.i64([4], values)
        }
        #expect(try P.ints(text4, replicas: 4, partitions: 1, inputs: inputs4) == [[6], [60], [600], [6000]])
        // 8 processes (2x4) with flattened ids {0, 5} {1, 4} {2, 7} {3, 6}: group [a, b]
        // holds a's operand then b's; a gets the first half of the sum, b the second.
        let text8 = P.reducing("reduce_scatter", "tensor<2xi64>", "tensor<1xi64>",
                               attributes: "scatter_dimension = 0 : i64, replica_groups = dense<[[0, 5], [4, 1], [2, 7], [3, 6]]> : tensor<4x2xi64>"
                                   + P.channel(2) + ", use_global_device_ids")
        let inputs8: [Tensor] = (0..<8).map { (f: Int) -> Tensor in P.i64([2], [Int64(f), 100 * Int64(f)]) }
        // {0,5}: [5, 500] → 0 gets 5, 5 gets 500. {4,1}: [5, 500] → 4 gets 5, 1 gets 500.
        // {2,7}: [9, 900] → 2 gets 9, 7 gets 900. {3,6}: [9, 900] → 3 gets 9, 6 gets 900.
        #expect(try P.ints(text8, replicas: 2, partitions: 4, inputs: inputs8)
            == [[5], [500], [9], [9], [5], [500], [900], [900]])
    }

    @Test func allToAll() throws {
        // 2 processes, the spec's example with two operands.
        let text2 = """
        func.func @main(%x : tensor<2x4xi64>, %y : tensor<2x4xi64>) -> (tensor<4x2xi64>, tensor<4x2xi64>) {
          %r:2 = "stablehlo.all_to_all"(%x, %y) {split_dimension = 1 : i64, concat_dimension = 0 : i64,
              split_count = 2 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>}
            : (tensor<2x4xi64>, tensor<2x4xi64>) -> (tensor<4x2xi64>, tensor<4x2xi64>)
          return %r#0, %r#1 : tensor<4x2xi64>, tensor<4x2xi64>
        }
        """
        let out2 = try P.run(text2, replicas: 2, partitions: 1, inputs: [
            [P.i64([2, 4], Array(1...8)), P.i64([2, 4], Array(17...24))],
            [P.i64([2, 4], Array(9...16)), P.i64([2, 4], Array(25...32))],
        ])
        #expect(out2[0][0].ints == [1, 2, 5, 6, 9, 10, 13, 14])
        #expect(out2[1][0].ints == [3, 4, 7, 8, 11, 12, 15, 16])
        #expect(out2[0][1].ints == [17, 18, 21, 22, 25, 26, 29, 30])
        #expect(out2[1][1].ints == [19, 20, 23, 24, 27, 28, 31, 32])
        // 4 partitions (channel > 0: cross_partition): partition s holds column
        // [10s, 10s+1, 10s+2, 10s+3]; partition q receives row q of every sender.
        let text4 = P.plain("all_to_all", "tensor<4x1xi64>", "tensor<1x4xi64>",
                            attributes: "split_dimension = 0 : i64, concat_dimension = 1 : i64, split_count = 4 : i64, "
                                + "replica_groups = dense<[[0, 1, 2, 3]]> : tensor<1x4xi64>" + P.channel(1))
        let inputs4: [Tensor] = (0..<4).map { (s: Int) -> Tensor in
            let column: [Int64] = (0..<4).map { (k: Int) -> Int64 in Int64(10 * s + k) }
            return P.i64([4, 1], column)
        }
        #expect(try P.ints(text4, replicas: 1, partitions: 4, inputs: inputs4)
            == [[0, 10, 20, 30], [1, 11, 21, 31], [2, 12, 22, 32], [3, 13, 23, 33]])
        // 8 processes (4x2), cross_replica groups {0,3} {2,1} per partition; same
        // split and concat dimension, so the shape is kept.
        let text8 = P.plain("all_to_all", "tensor<2xi64>", "tensor<2xi64>",
                            attributes: "split_dimension = 0 : i64, concat_dimension = 0 : i64, split_count = 2 : i64, "
                                + "replica_groups = dense<[[0, 3], [2, 1]]> : tensor<2x2xi64>")
        var inputs8: [Tensor] = []
        for r in 0..<4 {
            for p in 0..<2 {
                let n = Int64(10 * r + p)
                inputs8.append(P.i64([2], [n, 100 + n]))
            }
        }
        // Group [(0,p),(3,p)]: (0,p) gets [first of 0, first of 3], (3,p) gets [second of 0, second of 3].
        // Group [(2,p),(1,p)]: (2,p) gets [first of 2, first of 1], (1,p) gets [second of 2, second of 1].
        #expect(try P.ints(text8, replicas: 4, partitions: 2, inputs: inputs8) == [
            [0, 30], [1, 31], [120, 110], [121, 111], [20, 10], [21, 11], [100, 130], [101, 131],
        ])
    }

    @Test func collectivePermute() throws {
        // 8 replicas in a ring: r receives from r - 1.
        let ring = (0..<8).map { "[\($0), \(($0 + 1) % 8)]" }.joined(separator: ", ")
        let text8 = P.plain("collective_permute", "tensor<1xi64>", "tensor<1xi64>",
                            attributes: "source_target_pairs = dense<[\(ring)]> : tensor<8x2xi64>")
        #expect(try P.ints(text8, replicas: 8, partitions: 1, inputs: P.processNumbers(replicas: 8, partitions: 1))
            == [[70], [0], [10], [20], [30], [40], [50], [60]])
        // 4 replicas, a chain 0 → 1 → 2: replica 0 and 3 receive nothing (zeros).
        let text4 = P.plain("collective_permute", "tensor<1xi64>", "tensor<1xi64>",
                            attributes: "source_target_pairs = dense<[[0, 1], [1, 2]]> : tensor<2x2xi64>")
        let fiveToEight = [P.i64([1], [5]), P.i64([1], [6]), P.i64([1], [7]), P.i64([1], [8])]
        #expect(try P.ints(text4, replicas: 4, partitions: 1, inputs: fiveToEight) == [[0], [5], [6], [0]])
        // 2x2, channel > 0: cross_partition, partition 0 → 1 in each replica.
        let text2x2 = P.plain("collective_permute", "tensor<1xi64>", "tensor<1xi64>",
                              attributes: "source_target_pairs = dense<[[0, 1]]> : tensor<1x2xi64>" + P.channel(1))
        let inputs = [P.i64([1], [5]), P.i64([1], [6]), P.i64([1], [7]), P.i64([1], [8])]
        #expect(try P.ints(text2x2, replicas: 2, partitions: 2, inputs: inputs) == [[0], [5], [0], [7]])
        // 2 processes, a swap.
        let swap = P.plain("collective_permute", "tensor<1xi64>", "tensor<1xi64>",
                           attributes: "source_target_pairs = dense<[[0, 1], [1, 0]]> : tensor<2x2xi64>")
        #expect(try P.ints(swap, replicas: 2, partitions: 1, inputs: [P.i64([1], [3]), P.i64([1], [4])]) == [[4], [3]])
    }

    @Test func collectiveBroadcast() throws {
        // 4 replicas, groups {2, 1} and {0, 3}: the first of each group is the source.
        let text4 = P.plain("collective_broadcast", "tensor<1xi64>", "tensor<1xi64>",
                            attributes: "replica_groups = dense<[[2, 1], [0, 3]]> : tensor<2x2xi64>")
        let fiveToEight = [P.i64([1], [5]), P.i64([1], [6]), P.i64([1], [7]), P.i64([1], [8])]
        #expect(try P.ints(text4, replicas: 4, partitions: 1, inputs: fiveToEight) == [[5], [7], [7], [5]])
        // 2 replicas, one group of replica 1 only: replica 0 is in no group and gets zeros.
        let text2 = P.plain("collective_broadcast", "tensor<1xi64>", "tensor<1xi64>",
                            attributes: "replica_groups = dense<[[1]]> : tensor<1x1xi64>")
        #expect(try P.ints(text2, replicas: 2, partitions: 1, inputs: [P.i64([1], [5]), P.i64([1], [6])]) == [[0], [6]])
        // 8 processes (2x4), cross_partition from partition 3 to 3, 1 and 0; partition 2 gets zeros.
        let text8 = P.plain("collective_broadcast", "tensor<1xi64>", "tensor<1xi64>",
                            attributes: "replica_groups = dense<[[3, 1, 0]]> : tensor<1x3xi64>" + P.channel(4))
        #expect(try P.ints(text8, replicas: 2, partitions: 4, inputs: P.processNumbers(replicas: 2, partitions: 4))
            == [[3], [3], [0], [3], [13], [13], [0], [13]])
    }

    @Test func collectiveReduce() throws {
        // 4 replicas, groups {1, 0} and {2, 3}: the first of each group gets the sum.
        let text = P.reducing("collective_reduce", "tensor<1xi64>", "tensor<1xi64>",
                              attributes: "replica_groups = dense<[[1, 0], [2, 3]]> : tensor<2x2xi64>")
        #expect(try P.ints(text, replicas: 4, partitions: 1, inputs: P.processNumbers(replicas: 4, partitions: 1))
            == [[0], [10], [50], [0]])
        // 2 partitions with a channel (cross_partition).
        let text2 = P.reducing("collective_reduce", "tensor<1xi64>", "tensor<1xi64>",
                               attributes: "replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>" + P.channel(1))
        #expect(try P.ints(text2, replicas: 1, partitions: 2, inputs: [P.i64([1], [4]), P.i64([1], [9])]) == [[13], [0]])
    }

    @Test(arguments: [(1, 2), (2, 2), (2, 4), (8, 1)])
    func processIDs(replicas: Int, partitions: Int) throws {
        let text = """
        func.func @main() -> (tensor<ui32>, tensor<ui32>) {
          %r = stablehlo.replica_id : tensor<ui32>
          %p = stablehlo.partition_id : tensor<ui32>
          return %r, %p : tensor<ui32>, tensor<ui32>
        }
        """
        let out = try P.run(text, replicas: replicas, partitions: partitions,
                            inputs: Array(repeating: [], count: replicas * partitions))
        var expected: [[Int64]] = []
        for r in 0..<replicas { for p in 0..<partitions { expected.append([Int64(r), Int64(p)]) } }
        #expect(out.map { [$0[0].ints?.first ?? -1, $0[1].ints?.first ?? -1] } == expected)
    }

    /// A collective after process-dependent work: replica 1 adds 5 first (so processes
    /// reach the op at different times), and a second all_reduce follows the first.
    @Test func collectivesInSequence() throws {
        let text = """
        func.func @main(%x : tensor<1xi64>) -> tensor<1xi64> {
          %id = stablehlo.replica_id : tensor<ui32>
          %one = stablehlo.constant dense<1> : tensor<ui32>
          %c = stablehlo.compare EQ, %id, %one : (tensor<ui32>, tensor<ui32>) -> tensor<i1>
          %y = "stablehlo.if"(%c) ({
            %five = stablehlo.constant dense<5> : tensor<1xi64>
            %s = stablehlo.add %x, %five : tensor<1xi64>
            stablehlo.return %s : tensor<1xi64>
          }, {
            stablehlo.return %x : tensor<1xi64>
          }) : (tensor<i1>) -> tensor<1xi64>
          %a = "stablehlo.all_reduce"(%y) ({
            ^bb0(%p: tensor<i64>, %q: tensor<i64>):
              %s = stablehlo.add %p, %q : tensor<i64>
              stablehlo.return %s : tensor<i64>
          }) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<1xi64>) -> tensor<1xi64>
          %b = "stablehlo.all_reduce"(%a) ({
            ^bb0(%p: tensor<i64>, %q: tensor<i64>):
              %s = stablehlo.multiply %p, %q : tensor<i64>
              stablehlo.return %s : tensor<i64>
          }) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<1xi64>) -> tensor<1xi64>
          return %b : tensor<1xi64>
        }
        """
        // (2 + (3 + 5)) = 10, then 10 * 10 = 100.
        #expect(try P.ints(text, replicas: 2, partitions: 1, inputs: [P.i64([1], [2]), P.i64([1], [3])]) == [[100], [100]])
    }
}
