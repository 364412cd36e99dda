import Runtime
import Testing

/// Process groups for 2, 4 and 8 processes, written out by hand from the spec's
/// definitions of cross_replica, cross_partition, cross_replica_and_partition and
/// flattened_ids.
@Suite struct CollectiveGroupsTests {
    func p(_ r: Int, _ q: Int) -> ProcessID { ProcessID(replica: r, partition: q) }

    func groups(_ r: Int, _ q: Int, _ s: GroupStrategy, _ ids: [[Int64]]) throws -> [[ProcessID]] {
        try CollectiveGroups(grid: ProcessGrid(replicas: r, partitions: q), strategy: s, replicaGroups: ids).groups
    }

    @Test func gridFlattensReplicaMajor() throws {
        let grid = try ProcessGrid(replicas: 2, partitions: 4)
        #expect(grid.processCount == 8)
        #expect(grid.processes == [p(0, 0), p(0, 1), p(0, 2), p(0, 3), p(1, 0), p(1, 1), p(1, 2), p(1, 3)])
        #expect(grid.flattenedID(of: p(1, 2)) == 6)
        #expect(grid.process(flattenedID: 5) == p(1, 1))
        #expect(grid.process(flattenedID: 8) == nil)
        #expect(grid.process(flattenedID: -1) == nil)
        #expect(throws: CollectiveGroupError.invalidGrid(replicas: 0, partitions: 2)) {
            try ProcessGrid(replicas: 0, partitions: 2)
        }
    }

    @Test func twoProcesses() throws {
        // 2 replicas x 1 partition.
        #expect(try groups(2, 1, .crossReplica, [[0, 1]]) == [[p(0, 0), p(1, 0)]])
        #expect(try groups(2, 1, .crossReplica, [[1, 0]]) == [[p(1, 0), p(0, 0)]])
        #expect(try groups(2, 1, .crossReplica, [[0], [1]]) == [[p(0, 0)], [p(1, 0)]])
        #expect(try groups(2, 1, .crossReplicaAndPartition, [[0, 1]]) == [[p(0, 0), p(1, 0)]])
        #expect(try groups(2, 1, .flattenedIDs, [[1, 0]]) == [[p(1, 0), p(0, 0)]])
        #expect(try groups(2, 1, .crossPartition, [[0]]) == [[p(0, 0)], [p(1, 0)]])
        // 1 replica x 2 partitions.
        #expect(try groups(1, 2, .crossPartition, [[0, 1]]) == [[p(0, 0), p(0, 1)]])
        #expect(try groups(1, 2, .crossReplica, [[0]]) == [[p(0, 0)], [p(0, 1)]])
        #expect(try groups(1, 2, .crossReplicaAndPartition, [[0]]) == [[p(0, 0), p(0, 1)]])
        #expect(try groups(1, 2, .flattenedIDs, [[0], [1]]) == [[p(0, 0)], [p(0, 1)]])
    }

    @Test func fourProcesses() throws {
        // 2 replicas x 2 partitions.
        #expect(try groups(2, 2, .crossReplica, [[0, 1]]) == [[p(0, 0), p(1, 0)], [p(0, 1), p(1, 1)]])
        #expect(try groups(2, 2, .crossPartition, [[1, 0]]) == [[p(0, 1), p(0, 0)], [p(1, 1), p(1, 0)]])
        #expect(try groups(2, 2, .crossReplicaAndPartition, [[0, 1]])
            == [[p(0, 0), p(1, 0), p(0, 1), p(1, 1)]])
        #expect(try groups(2, 2, .crossReplicaAndPartition, [[0], [1]])
            == [[p(0, 0), p(0, 1)], [p(1, 0), p(1, 1)]])
        #expect(try groups(2, 2, .flattenedIDs, [[0, 3], [2, 1]])
            == [[p(0, 0), p(1, 1)], [p(1, 0), p(0, 1)]])
        // 4 replicas x 1 partition.
        #expect(try groups(4, 1, .crossReplica, [[0, 2], [3, 1]]) == [[p(0, 0), p(2, 0)], [p(3, 0), p(1, 0)]])
    }

    @Test func eightProcesses() throws {
        // The spec's examples.
        #expect(try groups(4, 2, .crossReplica, [[0, 1], [2, 3]]) == [
            [p(0, 0), p(1, 0)], [p(0, 1), p(1, 1)], [p(2, 0), p(3, 0)], [p(2, 1), p(3, 1)],
        ])
        #expect(try groups(4, 2, .crossPartition, [[0, 1]]) == [
            [p(0, 0), p(0, 1)], [p(1, 0), p(1, 1)], [p(2, 0), p(2, 1)], [p(3, 0), p(3, 1)],
        ])
        #expect(try groups(4, 2, .crossReplicaAndPartition, [[0, 1], [2, 3]]) == [
            [p(0, 0), p(1, 0), p(0, 1), p(1, 1)], [p(2, 0), p(3, 0), p(2, 1), p(3, 1)],
        ])
        #expect(try groups(4, 2, .flattenedIDs, [[0, 1, 2, 3], [4, 5, 6, 7]]) == [
            [p(0, 0), p(0, 1), p(1, 0), p(1, 1)], [p(2, 0), p(2, 1), p(3, 0), p(3, 1)],
        ])
        // 8 replicas, strided groups.
        #expect(try groups(8, 1, .crossReplica, [[0, 4], [1, 5], [2, 6], [3, 7]]) == [
            [p(0, 0), p(4, 0)], [p(1, 0), p(5, 0)], [p(2, 0), p(6, 0)], [p(3, 0), p(7, 0)],
        ])
        // 1 x 8 partitions, flattened ids equal partition ids.
        #expect(try groups(1, 8, .flattenedIDs, [[7, 6, 5, 4, 3, 2, 1, 0]]) == [
            [p(0, 7), p(0, 6), p(0, 5), p(0, 4), p(0, 3), p(0, 2), p(0, 1), p(0, 0)],
        ])
    }

    @Test func paddingAndEmptyGroups() throws {
        #expect(try groups(3, 1, .crossReplica, [[0, 1], [2, -1]]) == [[p(0, 0), p(1, 0)], [p(2, 0)]])
        #expect(try groups(2, 2, .crossReplica, []) == [[p(0, 0), p(1, 0)], [p(0, 1), p(1, 1)]])
        #expect(try groups(2, 2, .flattenedIDs, []) == [[p(0, 0), p(0, 1), p(1, 0), p(1, 1)]])
        let ragged = try CollectiveGroups(grid: ProcessGrid(replicas: 3, partitions: 1), strategy: .crossReplica,
                                          replicaGroups: [[0, 1], [2, -1]])
        #expect(throws: CollectiveGroupError.unequalGroupSizes(sizes: [2, 1])) { try ragged.uniformGroupSize() }
        let even = try CollectiveGroups(grid: ProcessGrid(replicas: 4, partitions: 2), strategy: .crossReplica,
                                        replicaGroups: [[0, 1], [2, 3]])
        #expect(try even.uniformGroupSize() == 2)
        #expect(even.position(of: p(3, 1)) == .init(group: 3, index: 1))
    }

    @Test func invalidGroups() throws {
        let grid = try ProcessGrid(replicas: 2, partitions: 2)
        #expect(throws: CollectiveGroupError.idOutOfRange(id: 2, limit: 2, strategy: .crossReplica)) {
            try CollectiveGroups(grid: grid, strategy: .crossReplica, replicaGroups: [[0, 2]])
        }
        #expect(throws: CollectiveGroupError.idOutOfRange(id: -3, limit: 4, strategy: .flattenedIDs)) {
            try CollectiveGroups(grid: grid, strategy: .flattenedIDs, replicaGroups: [[0, -3]])
        }
        #expect(throws: CollectiveGroupError.idOutOfRange(id: 4, limit: 4, strategy: .flattenedIDs)) {
            try CollectiveGroups(grid: grid, strategy: .flattenedIDs, replicaGroups: [[0, 1], [2, 4]])
        }
        #expect(throws: CollectiveGroupError.duplicateID(id: 1, strategy: .crossPartition)) {
            try CollectiveGroups(grid: grid, strategy: .crossPartition, replicaGroups: [[1], [1]])
        }
        let partial = try CollectiveGroups(grid: grid, strategy: .crossReplica, replicaGroups: [[1]])
        #expect(partial.position(of: p(0, 0)) == nil)
        #expect(throws: CollectiveGroupError.processInNoGroup(process: p(0, 1), strategy: .crossReplica)) {
            try partial.group(of: p(0, 1))
        }
    }

    @Test(arguments: [
        (CollectiveKind.allReduce, Int64(0), false, GroupStrategy.crossReplica),
        (.allGather, 1, false, .crossReplicaAndPartition),
        (.reduceScatter, 5, true, .flattenedIDs),
        (.allToAll, 0, false, .crossReplica),
        (.allToAll, 2, false, .crossPartition),
        (.collectivePermute, -1, false, .crossReplica),
        (.collectiveBroadcast, 1, false, .crossPartition),
        (.collectiveReduce, 0, false, .crossReplica),
    ])
    func strategyChoice(kind: CollectiveKind, channel: Int64, global: Bool, expected: GroupStrategy) throws {
        #expect(try GroupStrategy(for: kind, channelID: channel, useGlobalDeviceIDs: global) == expected)
    }

    @Test func globalIDsNeedChannel() {
        #expect(throws: CollectiveGroupError.globalDeviceIDsWithoutChannel(channelID: 0)) {
            try GroupStrategy(for: .allReduce, channelID: 0, useGlobalDeviceIDs: true)
        }
        #expect(CollectiveKind(opName: "stablehlo.all_to_all") == .allToAll)
        #expect(CollectiveKind(opName: "stablehlo.add") == nil)
    }

    @Test func permutationPairs() throws {
        // 2 replicas x 2 partitions, cross_replica: the pair applies within each partition.
        let grid = try ProcessGrid(replicas: 2, partitions: 2)
        let cr = try PermutationPairs(grid: grid, strategy: .crossReplica, pairs: [[0, 1]])
        #expect(cr.pairs == [.init(source: p(0, 0), target: p(1, 0)), .init(source: p(0, 1), target: p(1, 1))])
        #expect(cr.sourceOfTarget[p(1, 1)] == p(0, 1))
        #expect(cr.sourceOfTarget[p(0, 0)] == nil)
        // 1 x 4, cross_partition ring.
        let ring = try PermutationPairs(grid: ProcessGrid(replicas: 1, partitions: 4), strategy: .crossPartition,
                                        pairs: [[0, 1], [1, 2], [2, 3], [3, 0]])
        #expect(ring.sourceOfTarget[p(0, 0)] == p(0, 3))
        #expect(ring.targetOfSource[p(0, 2)] == p(0, 3))
        #expect(throws: CollectiveGroupError.duplicateSource(id: 0)) {
            try PermutationPairs(grid: grid, strategy: .crossReplica, pairs: [[0, 1], [0, 0]])
        }
        #expect(throws: CollectiveGroupError.duplicateTarget(id: 1)) {
            try PermutationPairs(grid: grid, strategy: .crossReplica, pairs: [[0, 1], [1, 1]])
        }
        #expect(throws: CollectiveGroupError.malformedPair(index: 0, count: 3)) {
            try PermutationPairs(grid: grid, strategy: .crossReplica, pairs: [[0, 1, 1]])
        }
        #expect(throws: CollectiveGroupError.idOutOfRange(id: 2, limit: 2, strategy: .crossPartition)) {
            try PermutationPairs(grid: grid, strategy: .crossPartition, pairs: [[2, 0]])
        }
    }
}
