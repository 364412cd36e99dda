import Testing
@testable import StableHLO

@Suite struct PrettyFormTests {
    static let f = "%a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %p: tensor<2x3xi1>, %i: tensor<i64>"

    /// Each pretty form gives the canonical name, attributes and result types.
    @Test(arguments: [
        ("%0 = stablehlo.add %a, %b : tensor<2x3xf32>", "stablehlo.add", "", "tensor<2x3xf32>"),
        ("%0 = stablehlo.add %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>", "stablehlo.add", "", "tensor<2x3xf32>"),
        ("%0 = stablehlo.compare  LT, %a, %b,  FLOAT : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>", "stablehlo.compare",
         "comparison_direction=#stablehlo<comparison_direction LT>;compare_type=#stablehlo<comparison_type FLOAT>", "tensor<2x3xi1>"),
        ("%0 = stablehlo.iota dim = 1 : tensor<2x3xf32>", "stablehlo.iota", "iota_dimension=1 : i64", "tensor<2x3xf32>"),
        ("%0 = stablehlo.broadcast_in_dim %i, dims = [] : (tensor<i64>) -> tensor<2xi64>", "stablehlo.broadcast_in_dim", "broadcast_dimensions=array<i64>", "tensor<2xi64>"),
        ("%0 = stablehlo.transpose %a, dims = [1, 0] : (tensor<2x3xf32>) -> tensor<3x2xf32>", "stablehlo.transpose", "permutation=array<i64: 1, 0>", "tensor<3x2xf32>"),
        ("%0 = stablehlo.slice %a [0:2, 1:3:2] : (tensor<2x3xf32>) -> tensor<2x1xf32>", "stablehlo.slice",
         "start_indices=array<i64: 0, 1>;limit_indices=array<i64: 2, 3>;strides=array<i64: 1, 2>", "tensor<2x1xf32>"),
        ("%0 = stablehlo.dynamic_slice %a, %i, %i, sizes = [1, 2] : (tensor<2x3xf32>, tensor<i64>, tensor<i64>) -> tensor<1x2xf32>", "stablehlo.dynamic_slice", "slice_sizes=array<i64: 1, 2>", "tensor<1x2xf32>"),
        ("%0 = stablehlo.concatenate %a, %b, dim = 0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>", "stablehlo.concatenate", "dimension=0 : i64", "tensor<4x3xf32>"),
        ("%0 = stablehlo.pad %a, %i, low = [0, -1], high = [1, 0], interior = [0, 1] : (tensor<2x3xf32>, tensor<i64>) -> tensor<3x4xf32>", "stablehlo.pad",
         "edge_padding_low=array<i64: 0, -1>;edge_padding_high=array<i64: 1, 0>;interior_padding=array<i64: 0, 1>", "tensor<3x4xf32>"),
        ("%0 = stablehlo.select %p, %a, %b : tensor<2x3xi1>, tensor<2x3xf32>", "stablehlo.select", "", "tensor<2x3xf32>"),
        ("%0 = stablehlo.reduce_precision %a, format = e5m10 : tensor<2x3xf32>", "stablehlo.reduce_precision", "exponent_bits=5 : i32;mantissa_bits=10 : i32", "tensor<2x3xf32>"),
        ("%0 = stablehlo.dot_general %a, %b, batching_dims = [0] x [0], contracting_dims = [1] x [1], precision = [DEFAULT, HIGHEST] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2xf32>", "stablehlo.dot_general",
         "dot_dimension_numbers=#stablehlo.dot<lhs_batching_dimensions = [0], rhs_batching_dimensions = [0], lhs_contracting_dimensions = [1], rhs_contracting_dimensions = [1]>;precision_config=[#stablehlo<precision DEFAULT>, #stablehlo<precision HIGHEST>]", "tensor<2xf32>"),
        ("%0 = stablehlo.fft %a, type =  FFT, length = [3] : (tensor<2x3xf32>) -> tensor<2x3xf32>", "stablehlo.fft", "fft_type=#stablehlo<fft_type FFT>;fft_length=array<i64: 3>", "tensor<2x3xf32>"),
        ("%0 = stablehlo.get_dimension_size %a, dim = 1 : (tensor<2x3xf32>) -> tensor<i32>", "stablehlo.get_dimension_size", "dimension=1 : i64", "tensor<i32>"),
        ("%0 = stablehlo.custom_call @foo(%a) {has_side_effect = true} : (tensor<2x3xf32>) -> tensor<2x3xf32>", "stablehlo.custom_call", "call_target_name=\"foo\";has_side_effect=true", "tensor<2x3xf32>"),
        ("%0 = stablehlo.constant dense<[1, 2]> : tensor<2xi64>", "stablehlo.constant", "value=dense<[1, 2]> : tensor<2xi64>", "tensor<2xi64>"),
        ("%0 = interpreter.probe %a, probe_id = \"p\" : tensor<2x3xf32>", "interpreter.probe", "probe_id=\"p\"", "tensor<2x3xf32>"),
        ("%0 = chlo.lgamma %a : tensor<2x3xf32> -> tensor<2x3xf32>", "chlo.lgamma", "", "tensor<2x3xf32>"),
    ])
    func prettyForm(_ body: String, _ name: String, _ attributes: String, _ resultType: String) throws {
        let op = try #require(try parseFirstOp(body, arguments: Self.f))
        #expect(op.name == name)
        let printed = op.attributes.map { "\($0.name)=\(AttributePrinter.text($0.value))" }.joined(separator: ";")
        #expect(printed == attributes)
        #expect(op.results.map(\.type.description) == [resultType])
    }

    @Test func multipleResultsAndResultNumbers() throws {
        let ops = try parseBody("""
            %values, %indices = chlo.top_k(%a, k = 2) : tensor<2x3xf32> -> (tensor<2x2xf32>, tensor<2x2xi32>)
            %0:2 = stablehlo.optimization_barrier %values, %indices : tensor<2x2xf32>, tensor<2x2xi32>
            %1 = stablehlo.abs %0#0 : tensor<2x2xf32>
            check.expect_eq %1, %0#0 : tensor<2x2xf32>
            func.return
            """, arguments: Self.f)
        #expect(ops.count == 5)
        #expect(ops[1].results.count == 2)
        #expect(ops[2].operands == [ops[1].results[0]])
        #expect(ops[0][attribute: "k"]?.intValue == 2)
    }

    @Test func reduceCompactFormBecomesARegion() throws {
        let compact = try #require(try parseFirstOp(
            "%0 = stablehlo.reduce(%a init: %c) applies stablehlo.add across dimensions = [1] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>",
            arguments: "%a: tensor<2x3xf32>, %c: tensor<f32>"))
        let block = try #require(compact.regions.first?.entry)
        #expect(block.arguments.map(\.type.description) == ["tensor<f32>", "tensor<f32>"])
        #expect(block.operations.map(\.name) == ["stablehlo.add", "stablehlo.return"])
        #expect(block.operations[0].operands == block.arguments)
        #expect(compact[attribute: "dimensions"]?.intArray == [1])

        let regionForm = try #require(try parseFirstOp("""
            %0:2 = stablehlo.reduce(%a init: %c), (%b init: %c) across dimensions = [0] : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<f32>, tensor<f32>) -> (tensor<3xf32>, tensor<3xf32>)
             reducer(%x: tensor<f32>, %y: tensor<f32>) (%z: tensor<f32>, %w: tensor<f32>)  {
              %1 = stablehlo.add %x, %y : tensor<f32>
              %2 = stablehlo.add %z, %w : tensor<f32>
              stablehlo.return %1, %2 : tensor<f32>, tensor<f32>
            }
            """, arguments: "%a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %c: tensor<f32>"))
        let reducer = try #require(regionForm.regions.first?.entry)
        // Block arguments are (x, z, y, w): all accumulators first, then all elements.
        #expect(reducer.operations[0].operands == [reducer.arguments[0], reducer.arguments[2]])
        #expect(regionForm.operands.count == 4)
    }

    @Test func whileBindsIterationArgumentsInBothRegions() throws {
        let op = try #require(try parseFirstOp("""
            %0 = stablehlo.while(%it = %i) : tensor<i64>
             cond {
              %c = stablehlo.constant dense<10> : tensor<i64>
              %1 = stablehlo.compare  LT, %it, %c,  SIGNED : (tensor<i64>, tensor<i64>) -> tensor<i1>
              stablehlo.return %1 : tensor<i1>
            } do {
              %c = stablehlo.constant dense<1> : tensor<i64>
              %1 = stablehlo.add %it, %c : tensor<i64>
              stablehlo.return %1 : tensor<i64>
            }
            """, arguments: Self.f))
        #expect(op.regions.count == 2)
        #expect(op.regions.allSatisfy { $0.entry?.arguments.count == 1 })
        #expect(op.regions[1].entry?.operations[1].operands.first == op.regions[1].entry?.arguments.first)
    }

    @Test func genericFormWithPropertiesAndRegions() throws {
        let op = try #require(try parseFirstOp("""
            %0 = "stablehlo.sort"(%a) <{dimension = 0 : i64, is_stable = true}> ({
              ^bb0(%x: tensor<f32>, %y: tensor<f32>):
                %1 = "stablehlo.compare"(%x, %y) {comparison_direction = #stablehlo<comparison_direction GT>} : (tensor<f32>, tensor<f32>) -> tensor<i1>
                "stablehlo.return"(%1) : (tensor<i1>) -> ()
            }) {mhlo.frontend = "x"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
            """, arguments: Self.f))
        #expect(op.attributes.map(\.name) == ["dimension", "is_stable", "mhlo.frontend"])
        #expect(op.regions.first?.entry?.arguments.count == 2)
    }

    @Test func unnamedResultsStillExist() throws {
        let op = try #require(try parseFirstOp(
            "\"interpreter.run_parallel\"(%i) {programs = [[@f]]} : (tensor<i64>) -> (tensor<i64>, tensor<i64>)", arguments: Self.f))
        #expect(op.results.count == 2)
    }

    @Test func chunkLineNumbersAreKept() throws {
        let module = try Module.parse("func.func @f() {\n  func.return\n}", file: "big.mlir", firstLine: 40)
        #expect(module.functions.first?.body.entry?.operations.first?.location.description == "big.mlir:41:3")
    }
}

@Suite struct ParserErrorTests {
    @Test(arguments: [
        ("func.func @f() {\n  %0 = stablehlo.add %x, %x : tensor<f32>\n}", "bad.mlir:2:22", "use of undefined value %x"),
        ("func.func @f(%a: tensor<f32>) {\n  %0 = stablehlo.add & : tensor<f32>\n}", "bad.mlir:2:22", "expected ':' and the operation's type, found '&'"),
        ("func.func @f(%a: tensor<f32>) {\n  %0 = \"stablehlo.add\"(%a, $) : (tensor<f32>) -> tensor<f32>\n}", "bad.mlir:2:28", "expected an SSA value (%name), found '$'"),
        ("func.func @f(%a: tensor<f32>) {\n  %0 = stablehlo.constant dense<[1, 2> : tensor<2xi32>\n}", "bad.mlir:2:38", "expected ']' to close the dense list"),
        ("func.func @f(%a: tensor<f32>) {\n  %0 = stablehlo.constant dense<[1, (2.0, 1.0)]> : tensor<2xi32>\n}", "bad.mlir:2:", "complex literal for element type i32"),
        ("func.func @f(%a: tensor<f32>) {\n  %0 = stablehlo.abs %a : tensor<f32", "bad.mlir:2:", "expected '>' to close the tensor type, found end of file"),
        ("func.func @f(%a: tensor<2xfoo>) {\n}", "bad.mlir:1:27", "unknown element type 'foo'"),
        ("func.func @f(%a: tonsor<2xf32>) {\n}", "bad.mlir:1:18", "unknown type 'tonsor'"),
        ("func.func @f() {\n  %0 = stablehlo.constant dense<[1, 2, 3]> : tensor<2xi32>\n}", "bad.mlir:2:33", "does not match tensor<2xi32>"),
        ("func.func @f() {\n  %0 = stablehlo.constant dense<\"0x0102\"> : tensor<3xi32>\n}", "bad.mlir:2:33", "hex dense literal has 2 bytes"),
        ("func.func @f() {\n  %0 = stablehlo.constant dense<1.5> : tensor<i32>\n}", "bad.mlir:", "invalid integer '1.5'"),
        ("func.func @f() {\n  func.return\n", "bad.mlir:1:16", "the file ends inside this region"),
        ("func.func @f() {\n  %0 = stablehlo.frobnicate %a : tensor<f32>\n}", "bad.mlir:2:8", "unknown operation 'stablehlo.frobnicate'"),
        ("func.func @f() {\n  %0 = stablehlo.constant dense<1> : tensor<i32> }\n  ) \n}", "bad.mlir:3:3", "expected 'module', 'func.func' or an alias definition, found ')'"),
        ("module {\n  func.func @f() {\n    func.return\n  }\n", "bad.mlir:5:1", "the file ends inside the module body"),
        ("func.func @f(%a: tensor<f32>) {\n  %0:2 = stablehlo.abs %a : tensor<f32>\n}", "bad.mlir:2:3", "produces 1 result(s) but 2 name(s)"),
        ("func.func @f() {\n  %0 = \"stablehlo.constant\"() {value = dense<1> : tensor<i32>} : () -> tensor<i32>\n  %0 = \"stablehlo.constant\"() {value = dense<1> : tensor<i32>} : () -> tensor<i32>\n}", "bad.mlir:3:3", "redefinition of value %0"),
        ("func.func @f() {\n  %0 = stablehlo.constant dense<\"0x01> : tensor<i8>\n}", "bad.mlir:2:", "unterminated string"),
    ])
    func reportsLocationAndMessage(_ text: String, _ location: String, _ message: String) {
        guard let d = parseError(text) else {
            Issue.record("expected an error for: \(text)")
            return
        }
        #expect(d.stage == .parse)
        #expect(d.description.hasPrefix(location), "got \(d)")
        #expect(d.message.contains(message), "got \(d)")
        #expect(!d.description.contains("\n"))
    }
}

@Suite struct SourceChunkTests {
    @Test func splitsAtSeparatorLinesAndKeepsLineNumbers() throws {
        let text = "func.func @a() {\n  func.return\n}\n// -----\n\nfunc.func @b() {\n  %0 = stablehlo.abs %x : tensor<f32>\n}\n  // -----  \n"
        let chunks = SourceChunk.split(text)
        #expect(chunks.map(\.firstLine) == [1, 5, 10])
        #expect(try Module.parse(chunks[0].text, file: "s.mlir", firstLine: chunks[0].firstLine).functions.count == 1)
        #expect(throws: Diagnostic(.parse, at: SourceLocation(file: "s.mlir", line: 7, column: 22), "use of undefined value %x")) {
            try Module.parse(chunks[1].text, file: "s.mlir", firstLine: chunks[1].firstLine)
        }
    }

    @Test func resourceSectionsAndResourceLiterals() throws {
        let text = """
            func.func @f() -> tensor<2xf32> {
              %0 = stablehlo.constant dense_resource<blob1> : tensor<2xf32>
              return %0 : tensor<2xf32>
            }
            {-#
              dialect_resources: { builtin: { blob1: "0x040000000000803F00000040" } }
            #-}
            """
        let op = try #require(try Module.parse(text, file: "r.mlir").functions.first?.body.entry?.operations.first)
        #expect(op[attribute: "value"] == .opaque("dense_resource<blob1> : tensor<2xf32>"))
        #expect(op.results.first?.type.description == "tensor<2xf32>")
    }
}
