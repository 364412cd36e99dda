import Foundation
import Testing

/// `nvgpu compile` takes the shared `PluginOptions` group: `--plugin`, `--dump-after` and
/// `--no-vendor-libs`, with the same meaning as in the other commands.
@Suite struct CompileOptionsTests {
    /// A single f32 matmul: a cuBLASLt step with vendor libraries, a generated GEMM kernel without.
    static let matmul = """
        func.func public @main(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
          %0 = stablehlo.dot_general %a, %b, contracting_dims = [1] x [0] : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
          return %0 : tensor<4x16xf32>
        }
        """

    static func write(_ text: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-compile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("matmul.mlir")
        try Data(text.utf8).write(to: file)
        return file
    }

    @Test func helpListsThePluginOptions() throws {
        let help = try NVGPUProcess.run(["compile", "--help"])
        #expect(help.status == 0)
        for flag in ["--plugin <name>", "--dump-after <pass>", "--no-vendor-libs"] {
            #expect(help.stdout.contains(flag), "compile --help lacks \(flag): \(help.stdout)")
        }
    }

    @Test func dumpAfterPrintsTheModule() throws {
        let file = try Self.write(Self.matmul)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let output = file.deletingLastPathComponent().appendingPathComponent("m.nvx").path
        let result = try NVGPUProcess.run(["compile", file.path, "-o", output, "--dump-after=fold-constants"],
                                          in: NVGPUProcess.packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("// -----// IR dump after fold-constants //----- //"), "\(result.stderr)")
        #expect(result.stderr.contains("stablehlo.dot_general"))
        #expect(result.stdout.contains("wrote \(output): 0 kernel(s)"), "\(result.stdout)")
    }

    /// An .nvx holds code the GPU runs: one its group or others may write is refused before
    /// it is read, with the reason; the same file with mode 644 loads.
    @Test func writableExecutableIsRefused() throws {
        let file = try Self.write(Self.matmul)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let output = file.deletingLastPathComponent().appendingPathComponent("shared.nvx").path
        let compiled = try NVGPUProcess.run(["compile", file.path, "-o", output], in: NVGPUProcess.packageRoot)
        #expect(compiled.status == 0, "\(compiled.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: output)
        let result = try NVGPUProcess.run(["run", output, "--device=cuda"], in: NVGPUProcess.packageRoot)
        #expect(result.status == 1 && !result.crashed)
        #expect(result.stderr.contains("refusing to load an executable others could have changed"), "\(result.stderr)")
        #expect(result.stderr.contains("mode 666"), "\(result.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: output)
        let loaded = try NVGPUProcess.run(["run", output, "--device=cuda"], in: NVGPUProcess.packageRoot)
        #expect(!loaded.stderr.contains("refusing to load"), "\(loaded.stderr)")
    }

    /// A compiled executable cut short or with one byte changed: `run` names the checksum
    /// mismatch and exits 1, never a signal.
    @Test(arguments: ["truncated", "changed"])
    func damagedExecutableIsRefusedByItsChecksum(_ damage: String) throws {
        let file = try Self.write(Self.matmul)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let output = file.deletingLastPathComponent().appendingPathComponent("damaged.nvx")
        let compiled = try NVGPUProcess.run(["compile", file.path, "-o", output.path], in: NVGPUProcess.packageRoot)
        #expect(compiled.status == 0, "\(compiled.stderr)")
        var bytes = try Data(contentsOf: output)
        #expect(bytes.starts(with: Data("NVX2".utf8)))
        if damage == "truncated" { bytes = bytes.prefix(bytes.count / 2) } else { bytes[bytes.count * 3 / 4] ^= 0x20 }
        try bytes.write(to: output)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: output.path)
        let result = try NVGPUProcess.run(["run", output.path, "--device=cuda"], in: NVGPUProcess.packageRoot)
        #expect(result.status == 1 && !result.crashed)
        #expect(result.stderr.contains("damaged.nvx: checksum mismatch: the file was truncated or changed"), "\(result.stderr)")
    }

    @Test func unknownPassIsOneError() throws {
        let file = try Self.write(Self.matmul)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let result = try NVGPUProcess.run(["compile", file.path, "-o", "/dev/null", "--dump-after=no-such-pass"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("--dump-after: unknown pass 'no-such-pass'"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func unknownPluginIsOneError() throws {
        let file = try Self.write(Self.matmul)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let result = try NVGPUProcess.run(["compile", file.path, "-o", "/dev/null", "--plugin=no-such-plugin"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no-such-plugin"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// `-o` names a file that exists: it is rewritten in place, never replaced, so a device
    /// such as `/dev/null` stays a device (a temporary file renamed over it would not).
    @Test func writingOverAnExistingFileKeepsItInPlace() throws {
        let file = try Self.write(Self.matmul)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let output = file.deletingLastPathComponent().appendingPathComponent("linked.nvx")
        let target = file.deletingLastPathComponent().appendingPathComponent("target.nvx")
        FileManager.default.createFile(atPath: target.path, contents: Data())
        try FileManager.default.createSymbolicLink(at: output, withDestinationURL: target)
        let result = try NVGPUProcess.run(["compile", file.path, "-o", output.path, "--target", "sm_90"])
        #expect(result.status == 0 || result.stderr.contains("NVRTC"), "\(result.stderr)")
        if result.status == 0 {
            // The symbolic link is still a link; the bytes went to its target.
            let attributes = try FileManager.default.attributesOfItem(atPath: output.path)
            #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink)
            #expect(((try? Data(contentsOf: target))?.count ?? 0) > 4)
        }
    }
}
