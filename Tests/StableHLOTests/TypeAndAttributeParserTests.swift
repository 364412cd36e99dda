import Testing
@testable import StableHLO

@Suite struct TypeParserTests {
    @Test(arguments: [
        ("tensor<2x3xf32>", IRType.tensor(TensorType(shape: [2, 3], elementType: .float(.f32)))),
        ("tensor<f64>", .tensor(TensorType(shape: [], elementType: .float(.f64)))),
        ("tensor<?x4xi8>", .tensor(TensorType(shape: [-1, 4], elementType: .si(8)))),
        ("tensor<0x3xui64>", .tensor(TensorType(shape: [0, 3], elementType: .ui(64)))),
        ("tensor<2xcomplex<f32>>", .tensor(TensorType(shape: [2], elementType: .complex(.f32)))),
        ("tensor<3xf8E4M3FN>", .tensor(TensorType(shape: [3], elementType: .float(.f8E4M3FN)))),
        ("tensor<3xf8E5M2FNUZ>", .tensor(TensorType(shape: [3], elementType: .float(.f8E5M2FNUZ)))),
        ("tensor<4xi1>", .tensor(TensorType(shape: [4], elementType: .i1))),
        ("tensor<4xbf16>", .tensor(TensorType(shape: [4], elementType: .float(.bf16)))),
        ("tensor<4xi4>", .tensor(TensorType(shape: [4], elementType: .si(4)))),
        ("!stablehlo.token", .token),
        ("tuple<tensor<f32>, tuple<!stablehlo.token>>",
         .tuple([.tensor(TensorType(shape: [], elementType: .float(.f32))), .tuple([.token])])),
        ("tensor<?xf32, #stablehlo.bounds<4>>",
         .tensor(TensorType(shape: [-1], elementType: .float(.f32), encoding: "#stablehlo.bounds<4>"))),
        ("tensor<2x!quant.uniform<i8:f32, 1.0:3>>", .tensor(TensorType(shape: [2], quantization: UniformQuantization(
            storageType: .si(8), expressedType: .f32, scales: [1.0], zeroPoints: [3])))),
        ("tensor<*xf32>", .opaque("tensor<*xf32>")),
        ("i32", .scalar(.si(32))),
        ("(tensor<f32>, i1) -> (tensor<f32>, tensor<i1>)", .function(
            inputs: [.tensor(TensorType(shape: [], elementType: .float(.f32))), .scalar(.i1)],
            results: [.tensor(TensorType(shape: [], elementType: .float(.f32))), .tensor(TensorType(shape: [], elementType: .i1))])),
    ])
    func parsesType(_ text: String, _ expected: IRType) throws {
        let module = try Module.parse("func.func private @f(\(text))", file: "t.mlir")
        #expect(module.functions.first?.inputTypes == [expected])
    }

    @Test func functionSignatureWithAttributes() throws {
        let text = """
            module @jit_f attributes {mhlo.num_partitions = 1 : i32} {
              func.func public @main(%arg0: tensor<2xf32> {jax.arg_info = "x"}) -> (tensor<2xf32> {jax.result_info = ""}) attributes {a.b} {
                return %arg0 : tensor<2xf32>
              }
            }
            """
        let module = try Module.parse(text, file: "t.mlir")
        #expect(module.name == "jit_f")
        #expect(module[attribute: "mhlo.num_partitions"] == .integer(1, type: .scalar(.si(32))))
        let f = try #require(module.function(named: "main"))
        #expect(f.visibility == "public")
        #expect(f.argumentAttributes == [[NamedAttribute("jax.arg_info", .string("x"))]])
        #expect(f.resultAttributes == [[NamedAttribute("jax.result_info", .string(""))]])
        #expect(f.attributes == [NamedAttribute("a.b", .unit)])
        #expect(f.body.blocks.first?.operations.first?.name == "func.return")
    }
}

@Suite struct DenseLiteralTests {
    @Test func splatAndList() throws {
        let splat = try #require(try parseConstantValue("dense<1.5> : tensor<2x2xf32>"))
        guard case .dense(let s) = splat else { Issue.record("not dense"); return }
        #expect(s.isSplat && s.bytes == [0, 0, 0xC0, 0x3F])
        guard case .dense(let l)? = try parseConstantValue("dense<[[1, -2], [3, 4]]> : tensor<2x2xi16>") else { Issue.record("not dense"); return }
        #expect(!l.isSplat && l.bytes == [1, 0, 0xFE, 0xFF, 3, 0, 4, 0])
    }

    @Test func hexBlobsAndHexSplats() throws {
        guard case .dense(let d)? = try parseConstantValue(#"dense<"0x0000803F00000040"> : tensor<2xf32>"#) else { Issue.record("not dense"); return }
        #expect(d.bytes == [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40] && !d.isSplat)
        guard case .dense(let s)? = try parseConstantValue(#"dense<"0x0000803F"> : tensor<3xf32>"#) else { Issue.record("not dense"); return }
        #expect(s.isSplat && s.expandedBytes.count == 12)
    }

    @Test(arguments: [
        ("dense<true> : tensor<i1>", [UInt8(1)]),
        ("dense<[true, false]> : tensor<2xi1>", [1, 0]),
        ("dense<(1.0, -2.0)> : tensor<complex<f32>>", [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0]),
        ("dense<0x7FC00000> : tensor<f32>", [0, 0, 0xC0, 0x7F]),
        ("dense<0xFF800000> : tensor<f32>", [0, 0, 0x80, 0xFF]),
        ("dense<inf> : tensor<f16>", [0, 0x7C]),
        ("dense<-inf> : tensor<bf16>", [0x80, 0xFF]),
        ("dense<18446744073709551615> : tensor<ui64>", [UInt8](repeating: 0xFF, count: 8)),
        ("dense<-1> : tensor<i8>", [0xFF]),
        ("dense<1.0> : tensor<f8E4M3FN>", [0x38]),
        ("dense<[0.5]> : tensor<1xf64>", [0, 0, 0, 0, 0, 0, 0xE0, 0x3F]),
    ])
    func scalarForms(_ literal: String, _ bytes: [UInt8]) throws {
        guard case .dense(let d)? = try parseConstantValue(literal) else { Issue.record("not dense: \(literal)"); return }
        #expect(d.bytes == bytes)
    }

    @Test func emptyLiteral() throws {
        guard case .dense(let d)? = try parseConstantValue("dense<> : tensor<0xf32>") else { Issue.record("not dense"); return }
        #expect(d.bytes.isEmpty && d.type.shape == [0])
    }
}

@Suite struct AttributeParserTests {
    @Test func enumsArraysAndDialectAttributes() throws {
        let body = """
            %0 = "stablehlo.gather"(%a, %i) {dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, slice_sizes = array<i64: 1, 3>, indices_are_sorted = false} : (tensor<3x3xf32>, tensor<2x1xi64>) -> tensor<2x3xf32>
            """
        let op = try #require(try parseFirstOp(body, arguments: "%a: tensor<3x3xf32>, %i: tensor<2x1xi64>"))
        let dn = try #require(op[attribute: "dimension_numbers"])
        #expect(dn[parameter: "offset_dims"]?.intArray == [1])
        #expect(dn[parameter: "index_vector_dim"]?.intValue == 1)
        #expect(dn[parameter: "operand_batching_dims"]?.intArray == nil)
        #expect(op[attribute: "slice_sizes"]?.intArray == [1, 3])
        #expect(op[attribute: "indices_are_sorted"] == .bool(false))
    }

    @Test(arguments: [
        ("#stablehlo.scatter<update_window_dims = [1], inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1>",
         "stablehlo.scatter", "update_window_dims", [Int64(1)]),
        ("#stablehlo.dot<lhs_contracting_dimensions = [1], rhs_contracting_dimensions = [0]>", "stablehlo.dot", "rhs_contracting_dimensions", [0]),
        ("#stablehlo.channel_handle<handle = 1, type = 2>", "stablehlo.channel_handle", "type", [2]),
        ("#stablehlo.gather<offset_dims = [0, 1], start_index_map = [2], index_vector_dim = 1>", "stablehlo.gather", "offset_dims", [0, 1]),
    ])
    func dialectAttributeParameters(_ text: String, _ name: String, _ parameter: String, _ values: [Int64]) throws {
        let op = try #require(try parseFirstOp("\"test.op\"() {a = \(text)} : () -> ()"))
        let attribute = try #require(op[attribute: "a"])
        guard case .dialect(let n, _) = attribute else { Issue.record("not a dialect attribute: \(attribute)"); return }
        #expect(n == name)
        let value = try #require(attribute[parameter: parameter])
        #expect((value.intArray ?? value.intValue.map { [$0] }) == values)
        #expect(AttributePrinter.text(attribute) == text)
    }

    @Test func unknownDialectAttributesStayVerbatim() throws {
        let text = "#stablehlo.result_accuracy<atol = 0.0, rtol = 0.0, ulps = 0, mode = #stablehlo.result_accuracy_mode<TOLERANCE>>"
        let op = try #require(try parseFirstOp("\"test.op\"() {a = \(text), b = #sdy.sharding<@mesh, [{}, {\"x\"}]>} : () -> ()"))
        #expect(op[attribute: "a"]?[parameter: "ulps"]?.intValue == 0)
        #expect(op[attribute: "a"]?[parameter: "mode"] == .opaque("#stablehlo.result_accuracy_mode<TOLERANCE>"))
        #expect(op[attribute: "b"] == .opaque("#sdy.sharding<@mesh, [{}, {\"x\"}]>"))
    }

    @Test func aliasesAreResolved() throws {
        let text = """
            #dn = #stablehlo<comparison_direction GE>
            #loc1 = loc("x.py":1:2)
            func.func @f(%a: tensor<f32>) -> tensor<i1> {
              %0 = "stablehlo.compare"(%a, %a) {comparison_direction = #dn} : (tensor<f32>, tensor<f32>) -> tensor<i1> loc(#loc1)
              return %0 : tensor<i1>
            }
            """
        let op = try #require(try Module.parse(text, file: "t.mlir").functions.first?.body.entry?.operations.first)
        #expect(op[attribute: "comparison_direction"] == .enumCase(dialect: "stablehlo", kind: "comparison_direction", value: "GE"))
    }

    @Test func convolutionDimensionNumbersAgreeAcrossForms() throws {
        let pretty = try #require(try parseFirstOp("""
            %0 = stablehlo.convolution(%a, %k) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {stride = [2, 1], pad = [[1, 1], [0, 2]], rhs_dilate = [1, 2]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<1x8x8x2xf32>, tensor<3x3x2x4xf32>) -> tensor<1x4x8x4xf32>
            """, arguments: "%a: tensor<1x8x8x2xf32>, %k: tensor<3x3x2x4xf32>"))
        let raw = try #require(try parseFirstOp("""
            %0 = "stablehlo.convolution"(%a, %k) {dimension_numbers = #stablehlo.conv<raw input_batch_dimension = 0, input_feature_dimension = 3, input_spatial_dimensions = [1, 2], kernel_input_feature_dimension = 2, kernel_output_feature_dimension = 3, kernel_spatial_dimensions = [0, 1], output_batch_dimension = 0, output_feature_dimension = 3, output_spatial_dimensions = [1, 2]>} : (tensor<1x8x8x2xf32>, tensor<3x3x2x4xf32>) -> tensor<1x4x8x4xf32>
            """, arguments: "%a: tensor<1x8x8x2xf32>, %k: tensor<3x3x2x4xf32>"))
        #expect(pretty[attribute: "dimension_numbers"] == raw[attribute: "dimension_numbers"])
        #expect(pretty[attribute: "window_strides"]?.intArray == [2, 1])
        #expect(pretty[attribute: "rhs_dilation"]?.intArray == [1, 2])
        guard case .dense(let padding)? = pretty[attribute: "padding"] else { Issue.record("padding is not dense"); return }
        #expect(padding.type.shape == [2, 2] && padding.int64Values == [1, 1, 0, 2])
        #expect(pretty[attribute: "feature_group_count"]?.intValue == 1)
    }
}
