import Reference
import Runtime
import StableHLO
import Testing

/// Collectives that cannot complete stop with an error naming the problem, not a hang.
@Suite struct CollectiveErrorTests {
    typealias P = CollectiveProgram

    /// The error message of running `text` on a `replicas × partitions` grid.
    func failure(_ text: String, replicas: Int, partitions: Int = 1, inputs: [[Tensor]]? = nil,
                 timeLimit: Duration = .seconds(20)) -> String {
        let n = replicas * partitions
        let args = inputs ?? (0..<n).map { [P.i64([1], [Int64($0)])] }
        do {
            _ = try P.run(text, replicas: replicas, partitions: partitions, inputs: args, timeLimit: timeLimit)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    static let sum = """
          ({
            ^bb0(%p: tensor<i64>, %q: tensor<i64>):
              %s = stablehlo.add %p, %q : tensor<i64>
              stablehlo.return %s : tensor<i64>
          })
        """

    /// `@main(%x)` that runs `then` on replica `which` and `otherwise` elsewhere.
    static func branching(on which: Int, then: String, otherwise: String) -> String {
        """
        func.func @main(%x : tensor<1xi64>) -> tensor<1xi64> {
          %id = stablehlo.replica_id : tensor<ui32>
          %k = stablehlo.constant dense<\(which)> : tensor<ui32>
          %c = stablehlo.compare EQ, %id, %k : (tensor<ui32>, tensor<ui32>) -> tensor<i1>
          %y = "stablehlo.if"(%c) ({
            \(then)
          }, {
            \(otherwise)
          }) : (tensor<i1>) -> tensor<1xi64>
          return %y : tensor<1xi64>
        }
        """
    }

    static func allReduce(groups: String, shape: String) -> String {
        """
        %r = "stablehlo.all_reduce"(%x) \(sum) {replica_groups = dense<\(groups)> : tensor<\(shape)xi64>} : (tensor<1xi64>) -> tensor<1xi64>
            stablehlo.return %r : tensor<1xi64>
        """
    }

    @Test func processThatNeverArrives() {
        let text = Self.branching(on: 0, then: Self.allReduce(groups: "[[0, 1]]", shape: "1x2"),
                                  otherwise: "stablehlo.return %x : tensor<1xi64>")
        let message = failure(text, replicas: 2)
        #expect(message.contains("process (1, 0) returned without reaching stablehlo.all_reduce"), "\(message)")
    }

    @Test func mismatchedCollectives() {
        let gather = """
        %r = "stablehlo.all_gather"(%x) {all_gather_dim = 0 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<1xi64>) -> tensor<2xi64>
            %s = "stablehlo.slice"(%r) {start_indices = array<i64: 0>, limit_indices = array<i64: 1>, strides = array<i64: 1>} : (tensor<2xi64>) -> tensor<1xi64>
            stablehlo.return %s : tensor<1xi64>
        """
        let text = Self.branching(on: 0, then: Self.allReduce(groups: "[[0, 1]]", shape: "1x2"), otherwise: gather)
        let message = failure(text, replicas: 2)
        #expect(message.contains("mismatched collectives"), "\(message)")
        #expect(message.contains("stablehlo.all_gather") && message.contains("stablehlo.all_reduce"), "\(message)")
    }

    /// Three replicas each wait for a different pair: nobody can proceed.
    @Test func cyclicDeadlock() {
        let text = """
        func.func @main(%x : tensor<1xi64>) -> tensor<1xi64> {
          %id = stablehlo.replica_id : tensor<ui32>
          %i = stablehlo.convert %id : (tensor<ui32>) -> tensor<i32>
          %y = "stablehlo.case"(%i) ({
            \(Self.allReduce(groups: "[[0, 1], [2, -1]]", shape: "2x2"))
          }, {
            \(Self.allReduce(groups: "[[1, 2], [0, -1]]", shape: "2x2"))
          }, {
            \(Self.allReduce(groups: "[[0, 2], [1, -1]]", shape: "2x2"))
          }) : (tensor<i32>) -> tensor<1xi64>
          return %y : tensor<1xi64>
        }
        """
        let message = failure(text, replicas: 3)
        #expect(message.contains("deadlock") || message.contains("without reaching"), "\(message)")
    }

    /// A process that fails on its own is reported, not the collective its peer waits in.
    @Test func ownErrorIsReportedFirst() {
        let broken = """
        check.expect_eq_const %x, dense<[999]> : tensor<1xi64>
            stablehlo.return %x : tensor<1xi64>
        """
        let text = Self.branching(on: 1, then: broken, otherwise: Self.allReduce(groups: "[[0, 1]]", shape: "1x2"))
        let message = failure(text, replicas: 2)
        #expect(message.contains("check failed"), "\(message)")
        #expect(!message.contains("without reaching"), "\(message)")
    }

    @Test func waitingPastTheDeadline() {
        // Replica 1 loops (long) before the all_reduce; the budget ends the run.
        let slow = """
        %big = stablehlo.constant dense<100000000> : tensor<i64>
            %zero = stablehlo.constant dense<0> : tensor<i64>
            %n = "stablehlo.while"(%zero) ({
              ^bb0(%i: tensor<i64>):
                %c = stablehlo.compare LT, %i, %big : (tensor<i64>, tensor<i64>) -> tensor<i1>
                stablehlo.return %c : tensor<i1>
            }, {
              ^bb0(%i: tensor<i64>):
                %one = stablehlo.constant dense<1> : tensor<i64>
                %j = stablehlo.add %i, %one : tensor<i64>
                stablehlo.return %j : tensor<i64>
            }) : (tensor<i64>) -> tensor<i64>
            \(Self.allReduce(groups: "[[0, 1]]", shape: "1x2"))
        """
        let text = Self.branching(on: 1, then: slow, otherwise: Self.allReduce(groups: "[[0, 1]]", shape: "1x2"))
        let start = ContinuousClock.now
        let message = failure(text, replicas: 2, timeLimit: .milliseconds(300))
        #expect(message.contains("time budget exceeded"), "\(message)")
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func invalidGroupsAreRunErrors() {
        let outOfRange = P.reducing("all_reduce", "tensor<1xi64>", "tensor<1xi64>",
                                    attributes: "replica_groups = dense<[[0, 2]]> : tensor<1x2xi64>")
        #expect(failure(outOfRange, replicas: 2).contains("replica id 2 is out of range 0..<2"))
        let duplicate = P.reducing("all_reduce", "tensor<1xi64>", "tensor<1xi64>",
                                   attributes: "replica_groups = dense<[[0, 1], [1, 0]]> : tensor<2x2xi64>")
        #expect(failure(duplicate, replicas: 2).contains("appears more than once"))
        let globalWithoutChannel = P.reducing("all_reduce", "tensor<1xi64>", "tensor<1xi64>",
                                              attributes: "replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>, use_global_device_ids")
        #expect(failure(globalWithoutChannel, replicas: 2).contains("use_global_device_ids needs a channel_id > 0"))
        let partial = P.reducing("all_reduce", "tensor<1xi64>", "tensor<1xi64>",
                                 attributes: "replica_groups = dense<[[1]]> : tensor<1x1xi64>")
        #expect(failure(partial, replicas: 2).contains("process (0, 0) is in no process group"))
        let splitCount = P.plain("all_to_all", "tensor<4xi64>", "tensor<4xi64>",
                                 attributes: "split_dimension = 0 : i64, concat_dimension = 0 : i64, split_count = 4 : i64, "
                                     + "channel_handle = #stablehlo.channel_handle<handle = 0, type = 0>")
        #expect(failure(splitCount, replicas: 2, inputs: [[P.i64([4], [1, 2, 3, 4])], [P.i64([4], [5, 6, 7, 8])]])
            .contains("split_count 4 differs from the process group size 2"))
        let pairs = P.plain("collective_permute", "tensor<1xi64>", "tensor<1xi64>",
                            attributes: "source_target_pairs = dense<[[0, 1], [0, 0]]> : tensor<2x2xi64>")
        #expect(failure(pairs, replicas: 2).contains("source 0 more than once"))
    }

    @Test func wrongInputSetCount() {
        let text = P.plain("collective_permute", "tensor<1xi64>", "tensor<1xi64>",
                           attributes: "source_target_pairs = dense<[[0, 1]]> : tensor<1x2xi64>")
        #expect(failure(text, replicas: 2, inputs: [[P.i64([1], [1])]]).contains("needs 2 input sets, got 1"))
    }
}
