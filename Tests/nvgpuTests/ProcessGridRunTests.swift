import Foundation
import Testing

/// `nvgpu run` of programs that run as several processes on the CPU reference backend:
/// one input set per process, results per process.
@Suite struct ProcessGridRunTests {
    /// Two replicas by default (the module says so); a cross-replica sum and the replica id.
    static let psum = """
        module @psum attributes {mhlo.num_replicas = 2 : i32, mhlo.num_partitions = 1 : i32} {
          func.func @main(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<ui32>) {
            %r = "stablehlo.all_reduce"(%x) ({
              ^bb0(%a: tensor<f32>, %b: tensor<f32>):
                %s = stablehlo.add %a, %b : tensor<f32>
                stablehlo.return %s : tensor<f32>
            }) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<3xf32>) -> tensor<3xf32>
            %id = stablehlo.replica_id : tensor<ui32>
            return %r, %id : tensor<3xf32>, tensor<ui32>
          }
        }
        """

    /// No grid declared: gathers every partition's value (a channel: cross_replica_and_partition).
    static let gather = """
        func.func @main(%x: tensor<1xi32>) -> tensor<4xi32> {
          %r = "stablehlo.all_gather"(%x) {all_gather_dim = 0 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>,
              channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>} : (tensor<1xi32>) -> tensor<4xi32>
          return %r : tensor<4xi32>
        }
        """

    func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-grid-\(UUID().uuidString).mlir")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test func oneInputSetPerProcess() throws {
        let file = try write(Self.psum)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try NVGPUProcess.run(["run", file.path, "--device=cpu", "--input=3xf32=1,2,3", "--input=3xf32=10,20,30"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            process 0 (replica 0, partition 0):
            3xf32=[11 22 33]
            ui32=0
            process 1 (replica 1, partition 0):
            3xf32=[11 22 33]
            ui32=1

            """)
    }

    @Test func oneSetForEveryProcess() throws {
        let file = try write(Self.psum)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try NVGPUProcess.run(["run", file.path, "--device=cpu", "--input=3xf32=1,2,3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.components(separatedBy: "3xf32=[2 4 6]").count == 3, "\(result.stdout)")
    }

    @Test func gridFromFlags() throws {
        let file = try write(Self.gather)
        defer { try? FileManager.default.removeItem(at: file) }
        let inputs = ["--input=1xi32=0", "--input=1xi32=1", "--input=1xi32=10", "--input=1xi32=11"]
        let result = try NVGPUProcess.run(["run", file.path, "--device=cpu", "--replicas=2", "--partitions=2"] + inputs)
        #expect(result.status == 0, "\(result.stderr)")
        // Group order (0,0), (1,0), (0,1), (1,1): the values 0, 10, 1, 11.
        #expect(result.stdout.components(separatedBy: "4xi32=[0 10 1 11]").count == 5, "\(result.stdout)")
        #expect(result.stdout.contains("process 3 (replica 1, partition 1):"))
    }

    @Test func badGridRunsSayWhy() throws {
        let file = try write(Self.psum)
        defer { try? FileManager.default.removeItem(at: file) }
        let wrongCount = try NVGPUProcess.run(["run", file.path, "--device=cpu", "--input=3xf32=1,2,3",
                                               "--input=3xf32=1,2,3", "--input=3xf32=1,2,3"])
        #expect(wrongCount.status == 1)
        #expect(wrongCount.stderr.contains("give 2 --input"), "\(wrongCount.stderr)")
        let tooSmall = try NVGPUProcess.run(["run", file.path, "--device=cpu", "--replicas=1", "--input=3xf32=1,2,3"])
        #expect(tooSmall.status == 1)
        #expect(tooSmall.stderr.contains("replica id 1 is out of range 0..<1"), "\(tooSmall.stderr)")
        let zero = try NVGPUProcess.run(["run", file.path, "--device=cpu", "--partitions=0"])
        #expect(zero.status != 0)
        #expect(!zero.crashed)
    }
}
