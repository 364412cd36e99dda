import Compiler
import Runtime
import StableHLO
import Testing
@testable import NVGPUCompiler

/// The NCCL plan of programs with 2, 4 and 8 processes: which calls each process makes, on
/// which groups, in what order, with which data types — against plans written by hand.
@Suite("Collective plans")
struct CollectivePlanTests {
    static func module(replicas: Int, partitions: Int = 1, _ body: String, arguments: String, results: String) -> String {
        """
        module @m attributes {mhlo.num_replicas = \(replicas) : i32, mhlo.num_partitions = \(partitions) : i32} {
          func.func @main(\(arguments)) -> \(results) {
        \(body)
          }
        }
        """
    }

    static func region(_ op: String, _ type: String) -> String {
        """
        ({
            ^bb0(%a: tensor<\(type)>, %b: tensor<\(type)>):
              %s = stablehlo.\(op) %a, %b : tensor<\(type)>
              stablehlo.return %s : tensor<\(type)>
          })
        """
    }

    /// Every process's calls for every collective step, `p<process>: <call>` per line.
    static func plan(_ executable: Executable) throws -> [String] {
        var lines: [String] = []
        for step in executable.steps {
            guard case .collective(let call) = step else { continue }
            for process in 0..<executable.processCount {
                for c in try call.calls(forProcess: process, processCount: executable.processCount,
                                        partitions: executable.partitions ?? 1) {
                    lines.append("p\(process): \(c)")
                }
            }
        }
        return lines
    }

    static func stepKinds(_ executable: Executable) -> [String] {
        executable.steps.map { step in
            switch step {
            case .launch: return "launch"
            case .collective(let c): return c.kind.rawValue
            case .host: return "host"
            case .matmul: return "matmul"
            case .copy: return "copy"
            default: return "other"
            }
        }
    }

    @Test func allReduceOverTwoReplicas() throws {
        let text = Self.module(replicas: 2, """
            %0 = "stablehlo.all_reduce"(%arg0) \(Self.region("add", "f32")) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<4xf32>) -> tensor<4xf32>
            return %0 : tensor<4xf32>
            """, arguments: "%arg0: tensor<4xf32>", results: "tensor<4xf32>")
        let (executable, _) = try TestPrograms.lower(text)
        #expect(executable.replicas == 2 && executable.partitions == 1)
        #expect(Self.stepKinds(executable) == ["all_reduce"])
        #expect(try Self.plan(executable) == [
            "p0: ncclAllReduce(b0 → b1, 4 × ncclFloat32, ncclSum) on [0, 1] as rank 0",
            "p1: ncclAllReduce(b0 → b1, 4 × ncclFloat32, ncclSum) on [0, 1] as rank 1",
        ])
    }

    @Test(arguments: [("maximum", "bf16", "ncclBfloat16", "ncclMax"), ("multiply", "i64", "ncclInt64", "ncclProd"),
                      ("minimum", "f16", "ncclFloat16", "ncclMin"), ("add", "i1", "ncclUint8", "ncclMax"),
                      ("and", "i1", "ncclUint8", "ncclMin"), ("add", "ui32", "ncclUint32", "ncclSum")])
    func reductionsAndDataTypesMapToNCCL(_ op: String, _ type: String, _ dataType: String, _ reduction: String) throws {
        let text = Self.module(replicas: 2, """
            %0 = "stablehlo.all_reduce"(%arg0) \(Self.region(op, type)) {replica_groups = dense<[[1, 0]]> : tensor<1x2xi64>} : (tensor<3x\(type)>) -> tensor<3x\(type)>
            return %0 : tensor<3x\(type)>
            """, arguments: "%arg0: tensor<3x\(type)>", results: "tensor<3x\(type)>")
        let (executable, _) = try TestPrograms.lower(text)
        #expect(try Self.plan(executable) == [
            "p0: ncclAllReduce(b0 → b1, 3 × \(dataType), \(reduction)) on [1, 0] as rank 1",
            "p1: ncclAllReduce(b0 → b1, 3 × \(dataType), \(reduction)) on [1, 0] as rank 0",
        ])
    }

    @Test func aReductionNCCLLacksIsACompileErrorNamingOpAndShapes() {
        let text = Self.module(replicas: 2, """
            %0 = "stablehlo.all_reduce"(%arg0) \(Self.region("subtract", "f32")) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<4xf32>) -> tensor<4xf32>
            return %0 : tensor<4xf32>
            """, arguments: "%arg0: tensor<4xf32>", results: "tensor<4xf32>")
        #expect {
            _ = try TestPrograms.lower(text)
        } throws: { error in
            let message = "\(error)"
            return message.contains("stablehlo.all_reduce") && message.contains("tensor<4xf32>")
                && message.contains("stablehlo.subtract has no NCCL equivalent")
        }
    }

    @Test func allGatherOnDimensionOneOverFourProcessesWithGlobalIDs() throws {
        // 2 replicas x 2 partitions; flattened ids {0, 2} and {1, 3} gather along dim 1.
        let text = Self.module(replicas: 2, partitions: 2, """
            %0 = "stablehlo.all_gather"(%arg0) {all_gather_dim = 1 : i64, replica_groups = dense<[[0, 2], [1, 3]]> : tensor<2x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 1, type = 0>, use_global_device_ids} : (tensor<2x3xbf16>) -> tensor<2x6xbf16>
            return %0 : tensor<2x6xbf16>
            """, arguments: "%arg0: tensor<2x3xbf16>", results: "tensor<2x6xbf16>")
        let (executable, _) = try TestPrograms.lower(text)
        // Transpose to put dim 1 first, gather on the leading dimension, transpose back.
        #expect(Self.stepKinds(executable) == ["launch", "all_gather", "launch"])
        guard case .collective(let call) = executable.steps[1] else { return }
        let sent = try #require(call.operand), received = call.result
        #expect(executable.buffers[sent].shape == [3, 2] && executable.buffers[received].shape == [6, 2])
        #expect(try Self.plan(executable) == [
            "p0: ncclAllGather(b\(sent) → b\(received), 6 × ncclBfloat16) on [0, 2] as rank 0",
            "p1: ncclAllGather(b\(sent) → b\(received), 6 × ncclBfloat16) on [1, 3] as rank 0",
            "p2: ncclAllGather(b\(sent) → b\(received), 6 × ncclBfloat16) on [0, 2] as rank 1",
            "p3: ncclAllGather(b\(sent) → b\(received), 6 × ncclBfloat16) on [1, 3] as rank 1",
        ])
    }

    @Test func crossReplicaGroupsRepeatInEveryPartition() throws {
        // No channel: cross_replica; replica group {0, 1} in each of 2 partitions.
        let text = Self.module(replicas: 2, partitions: 2, """
            %0 = "stablehlo.all_reduce"(%arg0) \(Self.region("add", "f32")) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<2xf32>) -> tensor<2xf32>
            return %0 : tensor<2xf32>
            """, arguments: "%arg0: tensor<2xf32>", results: "tensor<2xf32>")
        let (executable, _) = try TestPrograms.lower(text)
        #expect(try Self.plan(executable) == [
            "p0: ncclAllReduce(b0 → b1, 2 × ncclFloat32, ncclSum) on [0, 2] as rank 0",
            "p1: ncclAllReduce(b0 → b1, 2 × ncclFloat32, ncclSum) on [1, 3] as rank 0",
            "p2: ncclAllReduce(b0 → b1, 2 × ncclFloat32, ncclSum) on [0, 2] as rank 1",
            "p3: ncclAllReduce(b0 → b1, 2 × ncclFloat32, ncclSum) on [1, 3] as rank 1",
        ])
    }

    @Test func reduceScatterOverEightReplicasInTwoGroups() throws {
        let text = Self.module(replicas: 8, """
            %0 = "stablehlo.reduce_scatter"(%arg0) \(Self.region("maximum", "i32")) {scatter_dimension = 0 : i64, replica_groups = dense<[[0, 1, 2, 3], [7, 6, 5, 4]]> : tensor<2x4xi64>} : (tensor<8xi32>) -> tensor<2xi32>
            return %0 : tensor<2xi32>
            """, arguments: "%arg0: tensor<8xi32>", results: "tensor<2xi32>")
        let (executable, _) = try TestPrograms.lower(text)
        #expect(Self.stepKinds(executable) == ["reduce_scatter"])
        let expected = (0..<8).map { p in
            let group = p < 4 ? "[0, 1, 2, 3]" : "[7, 6, 5, 4]"
            let rank = p < 4 ? p : 7 - p
            return "p\(p): ncclReduceScatter(b0 → b1, 2 × ncclInt32, ncclMax) on \(group) as rank \(rank)"
        }
        #expect(try Self.plan(executable) == expected)
    }

    @Test func allToAllIsOneGroupOfSendsAndReceivesPerProcess() throws {
        let text = Self.module(replicas: 4, """
            %0 = "stablehlo.all_to_all"(%arg0) {split_dimension = 0 : i64, concat_dimension = 0 : i64, split_count = 4 : i64, replica_groups = dense<[[0, 1, 2, 3]]> : tensor<1x4xi64>} : (tensor<4x2xf32>) -> tensor<4x2xf32>
            return %0 : tensor<4x2xf32>
            """, arguments: "%arg0: tensor<4x2xf32>", results: "tensor<4x2xf32>")
        let (executable, _) = try TestPrograms.lower(text)
        #expect(Self.stepKinds(executable) == ["all_to_all"])
        guard case .collective(let call) = executable.steps[0] else { return }
        let calls = try call.calls(forProcess: 2, processCount: 4, partitions: 1)
        #expect(calls.map(\.description) == [
            "ncclSend(b0, 2 × ncclFloat32, peer 0) on [0, 1, 2, 3] as rank 2",
            "ncclRecv(b1, 2 × ncclFloat32, peer 0) on [0, 1, 2, 3] as rank 2",
            "ncclSend(b0+8, 2 × ncclFloat32, peer 1) on [0, 1, 2, 3] as rank 2",
            "ncclRecv(b1+8, 2 × ncclFloat32, peer 1) on [0, 1, 2, 3] as rank 2",
            "ncclSend(b0+16, 2 × ncclFloat32, peer 2) on [0, 1, 2, 3] as rank 2",
            "ncclRecv(b1+16, 2 × ncclFloat32, peer 2) on [0, 1, 2, 3] as rank 2",
            "ncclSend(b0+24, 2 × ncclFloat32, peer 3) on [0, 1, 2, 3] as rank 2",
            "ncclRecv(b1+24, 2 × ncclFloat32, peer 3) on [0, 1, 2, 3] as rank 2",
        ])
        let listing = executable.collectivePlanLines(call, step: 0)
        #expect(listing.filter { $0.contains("[group]") }.count == 32)
    }

    @Test func collectivePermuteSendsOnTheWorldCommunicatorAndZeroesUnreachedTargets() throws {
        let text = Self.module(replicas: 4, """
            %0 = "stablehlo.collective_permute"(%arg0) {source_target_pairs = dense<[[0, 1], [1, 2]]> : tensor<2x2xi64>} : (tensor<3xi8>) -> tensor<3xi8>
            return %0 : tensor<3xi8>
            """, arguments: "%arg0: tensor<3xi8>", results: "tensor<3xi8>")
        let (executable, _) = try TestPrograms.lower(text)
        #expect(try Self.plan(executable) == [
            "p0: zero b1 (3 bytes)",
            "p0: ncclSend(b0, 3 × ncclInt8, peer 1) on [0, 1, 2, 3] as rank 0",
            "p1: ncclSend(b0, 3 × ncclInt8, peer 2) on [0, 1, 2, 3] as rank 1",
            "p1: ncclRecv(b1, 3 × ncclInt8, peer 0) on [0, 1, 2, 3] as rank 1",
            "p2: ncclRecv(b1, 3 × ncclInt8, peer 1) on [0, 1, 2, 3] as rank 2",
            "p3: zero b1 (3 bytes)",
        ])
    }

    @Test func collectiveBroadcastFromTheFirstProcessOfEachGroup() throws {
        let text = Self.module(replicas: 4, """
            %0 = "stablehlo.collective_broadcast"(%arg0) {replica_groups = dense<[[2, 1]]> : tensor<1x2xi64>} : (tensor<2xf64>) -> tensor<2xf64>
            return %0 : tensor<2xf64>
            """, arguments: "%arg0: tensor<2xf64>", results: "tensor<2xf64>")
        let (executable, _) = try TestPrograms.lower(text)
        #expect(try Self.plan(executable) == [
            "p0: zero b1 (16 bytes)",
            "p1: ncclBroadcast(b0 → b1, 2 × ncclFloat64, root 0) on [2, 1] as rank 1",
            "p2: ncclBroadcast(b0 → b1, 2 × ncclFloat64, root 0) on [2, 1] as rank 0",
            "p3: zero b1 (16 bytes)",
        ])
    }

    @Test func replicaAndPartitionIDsArePerProcessConstants() throws {
        let text = Self.module(replicas: 2, partitions: 4, """
            %0 = stablehlo.replica_id : tensor<ui32>
            %1 = stablehlo.partition_id : tensor<ui32>
            return %0, %1 : tensor<ui32>, tensor<ui32>
            """, arguments: "", results: "(tensor<ui32>, tensor<ui32>)")
        let (executable, _) = try TestPrograms.lower(text)
        #expect(executable.processCount == 8)
        let lines = try Self.plan(executable)
        #expect(lines.count == 16)
        #expect(lines[5] == "p5: store 1 in b0")
        #expect(lines[8 + 5] == "p5: store 1 in b1")
        #expect(lines[8 + 6] == "p6: store 2 in b1")
        #expect(lines[7] == "p7: store 1 in b0")
    }

    @Test func stepsKeepProgramOrderAcrossSeveralCollectives() throws {
        // all_reduce, then a kernel, then all_gather of the kernel's result.
        let text = Self.module(replicas: 2, """
            %0 = "stablehlo.all_reduce"(%arg0) \(Self.region("add", "f32")) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<4xf32>) -> tensor<4xf32>
            %1 = stablehlo.multiply %0, %0 : tensor<4xf32>
            %2 = "stablehlo.all_gather"(%1) {all_gather_dim = 0 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<4xf32>) -> tensor<8xf32>
            return %2 : tensor<8xf32>
            """, arguments: "%arg0: tensor<4xf32>", results: "tensor<8xf32>")
        let (executable, _) = try TestPrograms.lower(text)
        #expect(Self.stepKinds(executable) == ["all_reduce", "launch", "all_gather"])
        let plan = try Self.plan(executable)
        #expect(plan.count == 4)
        #expect(plan[0].hasPrefix("p0: ncclAllReduce(b0 → b1, 4 × ncclFloat32, ncclSum) on [0, 1]"))
        #expect(plan[2].hasPrefix("p0: ncclAllGather(b2 → b3, 4 × ncclFloat32) on [0, 1] as rank 0"))
    }

    @Test func adjacentIndependentCollectivesShareALibraryGroupButDependentOnesDoNot() throws {
        // %0 and %1 are independent (one group); %2 reads %1 (a new group); replica_id never groups.
        let text = Self.module(replicas: 2, """
            %0 = "stablehlo.all_reduce"(%arg0) \(Self.region("add", "f32")) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<4xf32>) -> tensor<4xf32>
            %1 = "stablehlo.all_reduce"(%arg1) \(Self.region("add", "f32")) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<4xf32>) -> tensor<4xf32>
            %2 = "stablehlo.all_gather"(%1) {all_gather_dim = 0 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<4xf32>) -> tensor<8xf32>
            %3 = stablehlo.replica_id : tensor<ui32>
            return %0, %2, %3 : tensor<4xf32>, tensor<8xf32>, tensor<ui32>
            """, arguments: "%arg0: tensor<4xf32>, %arg1: tensor<4xf32>", results: "(tensor<4xf32>, tensor<8xf32>, tensor<ui32>)")
        let (executable, _) = try TestPrograms.lower(text)
        let calls = executable.steps.compactMap { step -> CollectiveCall? in
            if case .collective(let call) = step { return call } else { return nil }
        }
        #expect(calls.map(\.kind) == [.allReduce, .allReduce, .allGather, .replicaID])
        #expect(calls.map { $0.groupsWithNext == true } == [true, false, false, false])
    }

    @Test func aGroupKeepsEveryBufferOfItsStepsLiveAndStopsAtAReadOfItsResults() throws {
        // %1, %2 and %3 are independent all_reduces of kernel results (arena buffers): one
        // group; %4 reads %1's result, so it starts a new one.
        let text = Self.module(replicas: 2, """
            %0 = stablehlo.multiply %arg0, %arg0 : tensor<64xf32>
            %n = stablehlo.negate %arg0 : tensor<64xf32>
            %e = stablehlo.exponential %arg0 : tensor<64xf32>
            %1 = "stablehlo.all_reduce"(%0) \(Self.region("add", "f32")) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<64xf32>) -> tensor<64xf32>
            %2 = "stablehlo.all_reduce"(%n) \(Self.region("add", "f32")) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<64xf32>) -> tensor<64xf32>
            %3 = "stablehlo.all_reduce"(%e) \(Self.region("maximum", "f32")) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<64xf32>) -> tensor<64xf32>
            %4 = "stablehlo.all_reduce"(%1) \(Self.region("add", "f32")) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<64xf32>) -> tensor<64xf32>
            return %2, %3, %4 : tensor<64xf32>, tensor<64xf32>, tensor<64xf32>
            """, arguments: "%arg0: tensor<64xf32>", results: "(tensor<64xf32>, tensor<64xf32>, tensor<64xf32>)")
        let (executable, _) = try TestPrograms.lower(text)
        let calls = executable.steps.compactMap { step -> CollectiveCall? in
            if case .collective(let call) = step { return call } else { return nil }
        }
        #expect(calls.map { $0.groupsWithNext == true } == [true, true, false, false])
        // The buffers of the grouped steps never share arena bytes.
        var ranges: [(Int, Int)] = []
        for call in calls.prefix(3) {
            for buffer in [call.operand, call.result].compactMap({ $0 }) {
                guard case .arena(let offset) = executable.buffers[buffer].placement else { continue }
                ranges.append((offset, offset + executable.buffers[buffer].byteSize))
            }
        }
        #expect(ranges.count == 6)
        for i in ranges.indices {
            for j in ranges.indices where i < j {
                #expect(ranges[i].1 <= ranges[j].0 || ranges[j].1 <= ranges[i].0, "\(ranges[i]) overlaps \(ranges[j])")
            }
        }
    }

    @Test func theGridMustCoverEveryProcessForAllReduce() {
        let text = Self.module(replicas: 4, """
            %0 = "stablehlo.all_reduce"(%arg0) \(Self.region("add", "f32")) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<4xf32>) -> tensor<4xf32>
            return %0 : tensor<4xf32>
            """, arguments: "%arg0: tensor<4xf32>", results: "tensor<4xf32>")
        #expect {
            _ = try TestPrograms.lower(text)
        } throws: { error in "\(error)".contains("is in no process group") }
    }
}
