import Foundation
import Testing

/// Broken programs and broken flags, each run through the `nvgpu` binary: every one must
/// give one `error:` line on stderr (with file:line:column for program errors, or the
/// flag), exit status 1, and no trap.
@Suite(.serialized) struct BadInputTests {
    struct BadInput: Sendable, CustomStringConvertible {
        var name: String
        /// The program text, written to `NAME.mlir`; nil when the case needs no file.
        var program: String?
        /// Arguments after `nvgpu`; `FILE` stands for `NAME.mlir`.
        var arguments: [String]
        /// A piece of the expected error line.
        var message: String
        var description: String { name }

        init(_ name: String, _ program: String?, _ arguments: [String], _ message: String) {
            self.name = name
            self.program = program
            self.arguments = arguments
            self.message = message
        }

        /// A program run with no flags.
        init(_ name: String, _ program: String, _ message: String) {
            self.init(name, program, ["run", "FILE"], message)
        }
    }

    static let addF32 = """
        func.func @main(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
          %0 = stablehlo.add %a, %b : tensor<2xf32>
          return %0 : tensor<2xf32>
        }
        """

    /// Programs that must not parse, verify or run.
    static let programs: [BadInput] = [
        BadInput("empty", "", "empty.mlir: error: no function named @main"),
        BadInput("only_comment", "// nothing here\n", "no function named @main"),
        BadInput("truncated_operand", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<[1.0, 2.0]> : tensor<2xf32>
              %1 = stablehlo.add %0,
            """, "truncated_operand.mlir:3:"),
        BadInput("truncated_body", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<[1.0, 2.0]> : tensor<2xf32>
              return %0 : tensor<2xf32>
            """, "truncated_body.mlir:1:36: error: the file ends inside this region"),
        BadInput("truncated_dense", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<[1.0, 2
            """, "truncated_dense.mlir:2:"),
        BadInput("truncated_type", "func.func @main() -> tensor<2x", "truncated_type.mlir:1:"),
        BadInput("unknown_op_pretty", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<[1.0, 2.0]> : tensor<2xf32>
              %1 = stablehlo.frobnicate %0 : tensor<2xf32>
              return %1 : tensor<2xf32>
            }
            """, "unknown_op_pretty.mlir:3:"),
        BadInput("unknown_op_generic", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<[1.0, 2.0]> : tensor<2xf32>
              %1 = "mydialect.frobnicate"(%0) : (tensor<2xf32>) -> tensor<2xf32>
              return %1 : tensor<2xf32>
            }
            """, "unknown_op_generic.mlir:3:"),
        BadInput("operand_types_differ", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<[1.0, 2.0]> : tensor<2xf32>
              %1 = stablehlo.constant dense<[1, 2]> : tensor<2xi32>
              %2 = stablehlo.add %0, %1 : (tensor<2xf32>, tensor<2xi32>) -> tensor<2xf32>
              return %2 : tensor<2xf32>
            }
            """, "operand_types_differ.mlir:4:"),
        BadInput("dense_too_many", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<[1.0, 2.0, 3.0]> : tensor<2xf32>
              return %0 : tensor<2xf32>
            }
            """, "dense_too_many.mlir:2:"),
        BadInput("dense_not_a_number", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<[1.0, x]> : tensor<2xf32>
              return %0 : tensor<2xf32>
            }
            """, "dense_not_a_number.mlir:2:"),
        BadInput("dense_hex_wrong_length", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<"0x0102"> : tensor<2xf32>
              return %0 : tensor<2xf32>
            }
            """, "dense_hex_wrong_length.mlir:2:"),
        BadInput("dense_nested_wrong_shape", """
            func.func @main() -> tensor<2x2xi32> {
              %0 = stablehlo.constant dense<[[1, 2], [3]]> : tensor<2x2xi32>
              return %0 : tensor<2x2xi32>
            }
            """, "dense_nested_wrong_shape.mlir:2:"),
        BadInput("undefined_value", """
            func.func @main() -> tensor<2xf32> {
              return %7 : tensor<2xf32>
            }
            """, "undefined_value.mlir:2:"),
        BadInput("unknown_element_type", """
            func.func @main(%a: tensor<2xf99>) -> tensor<2xf99> {
              return %a : tensor<2xf99>
            }
            """, "unknown_element_type.mlir:1:"),
        BadInput("return_type_mismatch", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
              return %0 : tensor<3xf32>
            }
            """, "return_type_mismatch.mlir:"),
        BadInput("missing_terminator", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<[1.0, 2.0]> : tensor<2xf32>
            }
            """, "missing_terminator.mlir:"),
        BadInput("redefined_value", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<[1.0, 2.0]> : tensor<2xf32>
              %0 = stablehlo.constant dense<[3.0, 4.0]> : tensor<2xf32>
              return %0 : tensor<2xf32>
            }
            """, "redefined_value.mlir:3:"),
        BadInput("broadcast_dims_out_of_range", """
            func.func @main() -> tensor<2x3xf32> {
              %0 = stablehlo.constant dense<[1.0, 2.0]> : tensor<2xf32>
              %1 = stablehlo.broadcast_in_dim %0, dims = [5] : (tensor<2xf32>) -> tensor<2x3xf32>
              return %1 : tensor<2x3xf32>
            }
            """, "broadcast_dims_out_of_range.mlir:3:"),
        BadInput("transpose_bad_permutation", """
            func.func @main() -> tensor<3x2xf32> {
              %0 = stablehlo.constant dense<0.0> : tensor<2x3xf32>
              %1 = stablehlo.transpose %0, dims = [0, 0] : (tensor<2x3xf32>) -> tensor<3x2xf32>
              return %1 : tensor<3x2xf32>
            }
            """, "transpose_bad_permutation.mlir:3:"),
        BadInput("reshape_count_mismatch", """
            func.func @main() -> tensor<4xf32> {
              %0 = stablehlo.constant dense<0.0> : tensor<2x3xf32>
              %1 = stablehlo.reshape %0 : (tensor<2x3xf32>) -> tensor<4xf32>
              return %1 : tensor<4xf32>
            }
            """, "reshape_count_mismatch.mlir:3:"),
        BadInput("dot_contracting_mismatch", """
            func.func @main() -> tensor<2x2xf32> {
              %0 = stablehlo.constant dense<1.0> : tensor<2x3xf32>
              %1 = stablehlo.constant dense<1.0> : tensor<4x2xf32>
              %2 = stablehlo.dot_general %0, %1, contracting_dims = [1] x [0] : (tensor<2x3xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
              return %2 : tensor<2x2xf32>
            }
            """, "dot_contracting_mismatch.mlir:4:"),
        BadInput("slice_out_of_bounds", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<1.0> : tensor<4xf32>
              %1 = stablehlo.slice %0 [3:5] : (tensor<4xf32>) -> tensor<2xf32>
              return %1 : tensor<2xf32>
            }
            """, "slice_out_of_bounds.mlir:3:"),
        BadInput("concatenate_mismatch", """
            func.func @main() -> tensor<5x2xf32> {
              %0 = stablehlo.constant dense<1.0> : tensor<2x2xf32>
              %1 = stablehlo.constant dense<1.0> : tensor<3x3xf32>
              %2 = stablehlo.concatenate %0, %1, dim = 0 : (tensor<2x2xf32>, tensor<3x3xf32>) -> tensor<5x2xf32>
              return %2 : tensor<5x2xf32>
            }
            """, "concatenate_mismatch.mlir:4:"),
        BadInput("iota_bad_dimension", """
            func.func @main() -> tensor<4xi32> {
              %0 = stablehlo.iota dim = 3 : tensor<4xi32>
              return %0 : tensor<4xi32>
            }
            """, "iota_bad_dimension.mlir:2:"),
        BadInput("call_unknown_function", """
            func.func @main() -> tensor<2xf32> {
              %0 = call @nowhere() : () -> tensor<2xf32>
              return %0 : tensor<2xf32>
            }
            """, "nowhere"),
        BadInput("unterminated_string", """
            func.func @main() -> tensor<2xf32> attributes {note = "oops} {
              %0 = stablehlo.constant dense<1.0> : tensor<2xf32>
              return %0 : tensor<2xf32>
            }
            """, "unterminated_string.mlir:1:"),
        BadInput("stray_character", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<1.0> : tensor<2xf32> $
              return %0 : tensor<2xf32>
            }
            """, "stray_character.mlir:2:"),
        BadInput("not_mlir", "hello world, this is not a program\n", "not_mlir.mlir:1:1:"),
        BadInput("generic_unbalanced", """
            func.func @main() -> tensor<2xf32> {
              %0 = stablehlo.constant dense<1.0> : tensor<2xf32>
              %1 = "stablehlo.add"(%0, %0 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
              return %1 : tensor<2xf32>
            }
            """, "generic_unbalanced.mlir:3:"),
        BadInput("compare_without_direction", """
            func.func @main() -> tensor<2xi1> {
              %0 = stablehlo.constant dense<1.0> : tensor<2xf32>
              %1 = "stablehlo.compare"(%0, %0) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
              return %1 : tensor<2xi1>
            }
            """, "compare_without_direction.mlir:3:"),
        BadInput("result_count_mismatch", """
            func.func @main() -> (tensor<2xf32>, tensor<2xf32>) {
              %0 = stablehlo.constant dense<1.0> : tensor<2xf32>
              return %0 : tensor<2xf32>
            }
            """, "result_count_mismatch.mlir:"),
        BadInput("recursive_call", """
            func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {
              %0 = call @f(%a) : (tensor<2xf32>) -> tensor<2xf32>
              return %0 : tensor<2xf32>
            }
            func.func private @f(%a: tensor<2xf32>) -> tensor<2xf32> {
              %0 = call @f(%a) : (tensor<2xf32>) -> tensor<2xf32>
              return %0 : tensor<2xf32>
            }
            """, ["run", "FILE", "--device=cpu", "--input=2xf32=1,2"], "recursive_call.mlir:6:3: error: func.call: @f calls @f recursively"),
        BadInput("result_larger_than_memory", """
            func.func @main() -> tensor<4000000000000xf32> {
              %0 = stablehlo.constant dense<1.0> : tensor<4000000000000xf32>
              return %0 : tensor<4000000000000xf32>
            }
            """, ["run", "FILE", "--device=cpu"], "result_larger_than_memory.mlir:2:3: error: stablehlo.constant: its results (tensor<4000000000000xf32>) need"),
    ]

    /// Bad flags and inputs on good programs, and bad command lines.
    static let flags: [BadInput] = [
        BadInput("input_no_values", addF32, ["run", "FILE", "--input=2xf32", "--input=2xf32=1,2"], "--input=2xf32: expected SHAPExTYPE=VALUES"),
        BadInput("input_bad_type", addF32, ["run", "FILE", "--input=2xq8=1,2", "--input=2xf32=1,2"], "'2xq8' is not a tensor type"),
        BadInput("input_too_few_values", addF32, ["run", "FILE", "--input=2xf32=1", "--input=2xf32=1,2,3"], "2xf32 needs 2 elements, got 3"),
        BadInput("input_not_a_number", addF32, ["run", "FILE", "--input=2xf32=1,two", "--input=2xf32=1,2"], "'two' is not a f32 value"),
        BadInput("input_out_of_range", addF32, ["run", "FILE", "--input=2xi8=1,999", "--input=2xf32=1,2"], "'999' does not fit in i8"),
        BadInput("input_bad_bool", addF32, ["run", "FILE", "--input=2xi1=true,yes", "--input=2xf32=1,2"], "'yes' is not a i1 value"),
        BadInput("input_bad_complex", addF32, ["run", "FILE", "--input=2xcomplex<f32>=(1,2),(3,4,5)", "--input=2xf32=1,2"], "is not a complex<f32> value"),
        BadInput("input_count_zero", addF32, ["run", "FILE"], "@main takes 2 inputs (2xf32, 2xf32), got 0 --input"),
        BadInput("input_count_too_many", addF32, ["run", "FILE", "--input=2xf32=1,2", "--input=2xf32=1,2", "--input=f32=1"], "got 3 --input"),
        BadInput("input_wrong_shape", addF32, ["run", "FILE", "--input=3xf32=1,2,3", "--input=2xf32=1,2"], "@main input #0 must be tensor<2xf32>, got tensor<3xf32>"),
        BadInput("input_wrong_element_type", addF32, ["run", "FILE", "--input=2xf32=1,2", "--input=2xi32=1,2"], "@main input #1 must be tensor<2xf32>, got tensor<2xi32>"),
        BadInput("input_missing_npy", addF32, ["run", "FILE", "--input=@missing.npy", "--input=2xf32=1,2"], "cannot read file 'missing.npy'"),
        BadInput("input_untyped_raw", addF32, ["run", "FILE", "--input=@data.bin", "--input=2xf32=1,2"], "must be an .npy file"),
        BadInput("input_raw_wrong_size", addF32, ["run", "FILE", "--input=2xf32=@raw3.bin", "--input=2xf32=1,2"], "raw3.bin has 3 bytes but 2xf32 needs 8"),
        BadInput("input_npy_corrupt", addF32, ["run", "FILE", "--input=@corrupt.npy", "--input=2xf32=1,2"], "not an .npy file"),
        BadInput("input_npy_wrong_dtype", addF32, ["run", "FILE", "--input=@int8.npy", "--input=2xf32=1,2"], "@main input #0 must be tensor<2xf32>, got tensor<2xi8>"),
        BadInput("input_npy_declared_mismatch", addF32, ["run", "FILE", "--input=2xf32=@int8.npy", "--input=2xf32=1,2"], "holds dtype '|i1' (i8) but the input is declared f32"),
        BadInput("input_empty_file_name", addF32, ["run", "FILE", "--input=2xf32=@", "--input=2xf32=1,2"], "missing file name after '@'"),
        BadInput("missing_program", nil, ["run", "nowhere.mlir"], "nowhere.mlir: error: no such file"),
        BadInput("program_is_directory", nil, ["run", "."], "error:"),
        BadInput("program_not_utf8", nil, ["run", "binary.mlir"], "binary.mlir: error: the file is neither UTF-8 text nor MLIR bytecode"),
        BadInput("unknown_function", addF32, ["run", "FILE", "--function=nope"], "no function named @nope (the module has @main)"),
        BadInput("device_unknown", addF32, ["run", "FILE", "--device=gpu"], "The value 'gpu' is invalid for '--device <device>'"),
        BadInput("device_cuda_unavailable", addF32, ["run", "FILE", "--device=cuda", "--input=2xf32=1,2", "--input=2xf32=1,2"], "--device=cuda:"),
        BadInput("unknown_option", addF32, ["run", "FILE", "--bogus"], "Unknown option '--bogus'"),
        BadInput("missing_argument", nil, ["run"], "Missing expected argument '<file>'"),
        BadInput("too_many_outputs", addF32, ["run", "FILE", "--input=2xf32=1,2", "--input=2xf32=1,2", "--output=@a.npy", "--output=@b.npy"], "@main has 1 result but 2 --output were given"),
        BadInput("output_unwritable", addF32, ["run", "FILE", "--input=2xf32=1,2", "--input=2xf32=1,2", "--output=@no/such/dir/a.npy"], "cannot write file 'no/such/dir/a.npy'"),
        BadInput("print_max_negative", addF32, ["run", "FILE", "--print-max-elements=-1"], "--print-max-elements must be 0 or more"),
        BadInput("conformance_jobs_zero", nil, ["conformance", "--jobs=0"], "--jobs must be between 1 and 256"),
        BadInput("conformance_jobs_huge", nil, ["conformance", "--jobs=100000"], "--jobs must be between 1 and 256"),
        BadInput("conformance_timeout_negative", nil, ["conformance", "--timeout=-1"], "--timeout must be positive"),
        BadInput("conformance_timeout_huge", nil, ["conformance", "--timeout=1e300"], "at most a day"),
        BadInput("conformance_missing_suite", nil, ["conformance", "no-suite-here"], "conformance suite not found at no-suite-here (set NVGPU_CONFORMANCE_DIR)"),
        BadInput("conformance_two_floors", nil, ["conformance", "--min-passed=1", "--min-passed-file=x"], "not both"),
        BadInput("unknown_subcommand", nil, ["frobnicate"], "error:"),
    ]

    /// Writes every program and the data files the flag cases read into a fresh folder.
    static func makeFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for c in programs + flags {
            if let program = c.program {
                try Data(program.utf8).write(to: dir.appendingPathComponent(c.name + ".mlir"))
            }
        }
        try Data([1, 2, 3]).write(to: dir.appendingPathComponent("raw3.bin"))
        try Data([1, 2, 3, 4, 5, 6, 7, 8]).write(to: dir.appendingPathComponent("data.bin"))
        try Data("this is not numpy".utf8).write(to: dir.appendingPathComponent("corrupt.npy"))
        let int8: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, 118, 0]
            + Array("{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }".utf8)
        var padded = int8 + Array(repeating: 0x20, count: 128 - int8.count - 1) + [0x0A]
        padded += [5, 250]
        try Data(padded).write(to: dir.appendingPathComponent("int8.npy"))
        try Data([0x66, 0x75, 0xFF, 0xFE, 0x6E, 0x63]).write(to: dir.appendingPathComponent("binary.mlir"))
        return dir
    }

    static let folder: URL? = try? makeFolder()

    func check(_ c: BadInput) throws {
        let dir = try #require(Self.folder)
        let arguments = c.arguments.map { $0 == "FILE" ? c.name + ".mlir" : $0 }
        var environment = ProcessInfo.processInfo.environment
        environment["NVGPU_CONFORMANCE_DIR"] = nil
        let result = try NVGPUProcess.run(arguments, in: dir, timeout: 60, environment: environment)
        #expect(!result.timedOut, "hung")
        #expect(!result.crashed, "trapped: \(result.stderr)")
        #expect(result.status == 1)
        // `--device=auto` may add its one `nvgpu: note:` about falling back to the CPU.
        let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("nvgpu: note:") }
        #expect(lines.count == 1, "expected one error line on stderr, got: \(result.stderr)")
        #expect(result.stderr.contains("error:"))
        #expect(result.stderr.contains(c.message), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test(arguments: programs)
    func badProgram(_ c: BadInput) throws { try check(c) }

    @Test(arguments: flags)
    func badFlag(_ c: BadInput) throws { try check(c) }

    /// An integer literal that does not fit its element type is an error, as in MLIR.
    @Test func denseIntegerOutOfRange() throws {
        let c = BadInput("dense_int_out_of_range", """
            func.func @main() -> tensor<2xi8> {
              %0 = stablehlo.constant dense<[1, 300]> : tensor<2xi8>
              return %0 : tensor<2xi8>
            }
            """, "dense_int_out_of_range.mlir:2:")
        let dir = try #require(Self.folder)
        try Data((c.program ?? "").utf8).write(to: dir.appendingPathComponent(c.name + ".mlir"))
        try check(c)
    }

    @Test func thereAreAtLeastFiftyCases() {
        #expect(Self.programs.count + Self.flags.count >= 50)
    }
}
