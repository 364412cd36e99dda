import Foundation
import Testing
@testable import StableHLO

/// The committed `jax.jit(f).lower(x).compiler_ir('stablehlo')` artifacts (serialized as
/// JAX does, at StableHLO 1.17.0) read equal to the text of the same artifact as jaxlib
/// deserializes it (`NAME.roundtrip.mlir`).
@Suite struct BytecodeArtifactTests {
    static let names = ["jit_mlp_grad", "jit_scan", "jit_while_loop", "jit_cond", "jit_sort"]

    @Test(arguments: names)
    func artifactReadsEqualToItsText(name: String) throws {
        let bytes = try BytecodeTestFiles.bytes(name + ".mlirbc")
        #expect(Module.isBytecode(bytes))
        let fromBytecode = try Module.parse(bytecode: bytes, file: name + ".mlirbc")
        let fromText = try Module.parse(try BytecodeTestFiles.text(name + ".roundtrip.mlir"), file: name + ".roundtrip.mlir")
        let a = BytecodeNormalization.normalize(fromBytecode)
        let b = BytecodeNormalization.normalize(fromText)
        #expect(a == b, "\(BytecodeNormalization.firstDifference(a, b))")
    }

    /// The plain (stablehlo/func/builtin) bytecode of the same modules, which JAX writes
    /// before converting to VHLO, reads equal to the module's text as JAX printed it.
    @Test(arguments: names)
    func plainBytecodeReadsEqualToJAXText(name: String) throws {
        let m = try Module.parse(bytecode: try BytecodeTestFiles.bytes(name + ".plain.mlirbc"), file: name + ".plain.mlirbc")
        let t = try Module.parse(try BytecodeTestFiles.text(name + ".mlir"), file: name + ".mlir")
        let a = BytecodeNormalization.normalize(m)
        let b = BytecodeNormalization.normalize(t)
        #expect(a == b, "\(BytecodeNormalization.firstDifference(a, b))")
    }

    /// Our fixtures written by jaxlib at StableHLO 0.9.0 (MLIR bytecode 1: attribute
    /// dictionaries, no properties), read equal to the text jaxlib reads back.
    @Test(arguments: ["mlp", "conv_net"])
    func oldestVersionArtifactReadsEqualToItsText(fixture: String) throws {
        let name = "versioned/\(fixture).0_9_0"
        let m = try Module.parse(bytecode: try BytecodeTestFiles.bytes(name + ".mlirbc"), file: name + ".mlirbc")
        let text = BytecodeNormalization.replacingTF32(try BytecodeTestFiles.text(name + ".roundtrip.mlir"))
        let t = try Module.parse(text, file: name + ".roundtrip.mlir")
        let a = BytecodeNormalization.normalize(m)
        let b = BytecodeNormalization.normalize(t)
        #expect(a == b, "\(BytecodeNormalization.firstDifference(a, b))")
        #expect(!m.functions.isEmpty)
    }

    /// Without normalisation the modules print the same (they differ only in locations).
    @Test func artifactMatchesWithoutRenumbering() throws {
        let bytes = try BytecodeTestFiles.bytes("jit_scan.mlirbc")
        let m = try Module.parse(bytecode: bytes, file: "jit_scan.mlirbc")
        let t = try Module.parse(try BytecodeTestFiles.text("jit_scan.roundtrip.mlir"), file: "t.mlir")
        #expect(m.text(prettyForms: true) == t.text(prettyForms: true))
        #expect(m.name == "jit_scan_cumsum")
        #expect(m.functions.map(\.name).contains("main"))
        #expect(m.function(named: "main")?.visibility == "public")
    }

    /// Operation locations come from the bytecode's file locations (JAX records Python
    /// source lines).
    @Test func locationsComeFromFileLocations() throws {
        let m = try Module.parse(bytecode: try BytecodeTestFiles.bytes("jit_sort.mlirbc"), file: "jit_sort.mlirbc")
        var files: Set<String> = []
        func visit(_ r: Region) {
            for b in r.blocks {
                for op in b.operations {
                    files.insert(op.location.file)
                    op.regions.forEach(visit)
                }
            }
        }
        m.functions.forEach { visit($0.body) }
        #expect(files.contains { $0.hasSuffix("export_bytecode.py") })
    }

    /// The original JAX text differs from the artifact only where the StableHLO -> VHLO
    /// conversion folded or hoisted constants; the while-loop module shows it.
    @Test func originalTextDiffersByHoistedConstants() throws {
        let m = try Module.parse(bytecode: try BytecodeTestFiles.bytes("jit_sort.mlirbc"), file: "a")
        let original = try Module.parse(try BytecodeTestFiles.text("jit_sort.mlir"), file: "b")
        func count(_ module: Module) -> Int {
            var n = 0
            func visit(_ r: Region) { for b in r.blocks { for op in b.operations { if op.name == "stablehlo.constant" { n += 1 }; op.regions.forEach(visit) } } }
            module.functions.forEach { visit($0.body) }
            return n
        }
        #expect(count(m) < count(original))
    }
}
