import Testing
@testable import StableHLO

/// A program that breaks exactly one verifier rule. The offending op's line ends with
/// `// error`; the diagnostic must point at that line's first non-blank column and its
/// message must contain `message`.
struct BrokenProgram: Sendable, CustomTestStringConvertible {
    var rule: String
    var source: String
    var message: String

    var testDescription: String { rule }

    /// 1-based line and column of the op marked `// error`.
    var expectedLineColumn: (line: Int, column: Int)? {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard let index = lines.firstIndex(where: { $0.contains("// error") }) else { return nil }
        let line = lines[index]
        let column = line.prefix(while: { $0 == " " }).count + 1
        return (index + 1, column)
    }
}

/// One broken program per rule, in MLIR's generic form.
let brokenPrograms: [BrokenProgram] = [
    BrokenProgram(rule: "add operand types agree", source: """
        func.func @main(%a: tensor<2xf32>, %b: tensor<3xf32>) {
          %0 = "stablehlo.add"(%a, %b) : (tensor<2xf32>, tensor<3xf32>) -> tensor<2xf32> // error
          func.return
        }
        """, message: "stablehlo.add: operand types tensor<2xf32> and tensor<3xf32> differ"),
    BrokenProgram(rule: "and needs boolean or integer", source: """
        func.func @main(%a: tensor<2xf32>) {
          %0 = "stablehlo.and"(%a, %a) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32> // error
          func.return
        }
        """, message: "stablehlo.and: operands must be a tensor of boolean or integer type, got tensor<2xf32>"),
    BrokenProgram(rule: "sqrt needs float or complex", source: """
        func.func @main(%a: tensor<2xi32>) {
          %0 = "stablehlo.sqrt"(%a) : (tensor<2xi32>) -> tensor<2xi32> // error
          func.return
        }
        """, message: "stablehlo.sqrt: operand must be a tensor of floating-point or complex type, got tensor<2xi32>"),
    BrokenProgram(rule: "popcnt needs integer", source: """
        func.func @main(%a: tensor<2xf32>) {
          %0 = "stablehlo.popcnt"(%a) : (tensor<2xf32>) -> tensor<2xf32> // error
          func.return
        }
        """, message: "stablehlo.popcnt: operand must be a tensor of integer type, got tensor<2xf32>"),
    BrokenProgram(rule: "shift_left needs integer", source: """
        func.func @main(%a: tensor<2xi1>) {
          %0 = "stablehlo.shift_left"(%a, %a) : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1> // error
          func.return
        }
        """, message: "stablehlo.shift_left: operands must be a tensor of integer type, got tensor<2xi1>"),
    BrokenProgram(rule: "unary result type matches operand", source: """
        func.func @main(%a: tensor<2xf32>) {
          %0 = "stablehlo.negate"(%a) : (tensor<2xf32>) -> tensor<2xf64> // error
          func.return
        }
        """, message: "stablehlo.negate: result type tensor<2xf64> differs from the inferred tensor<2xf32>"),
    BrokenProgram(rule: "abs of complex is real", source: """
        func.func @main(%a: tensor<2xcomplex<f32>>) {
          %0 = "stablehlo.abs"(%a) : (tensor<2xcomplex<f32>>) -> tensor<2xcomplex<f32>> // error
          func.return
        }
        """, message: "stablehlo.abs: result type tensor<2xcomplex<f32>> differs from the inferred tensor<2xf32>"),
    BrokenProgram(rule: "complex needs f32 or f64", source: """
        func.func @main(%a: tensor<2xf16>) {
          %0 = "stablehlo.complex"(%a, %a) : (tensor<2xf16>, tensor<2xf16>) -> tensor<2xcomplex<f32>> // error
          func.return
        }
        """, message: "stablehlo.complex: operands must be tensors of f32 or f64, got tensor<2xf16>"),
    BrokenProgram(rule: "is_finite gives i1", source: """
        func.func @main(%a: tensor<2xf32>) {
          %0 = "stablehlo.is_finite"(%a) : (tensor<2xf32>) -> tensor<2xf32> // error
          func.return
        }
        """, message: "stablehlo.is_finite: result type tensor<2xf32> differs from the inferred tensor<2xi1>"),
    BrokenProgram(rule: "compare gives i1", source: """
        func.func @main(%a: tensor<2xf32>) {
          %0 = "stablehlo.compare"(%a, %a) {comparison_direction = #stablehlo<comparison_direction LT>} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32> // error
          func.return
        }
        """, message: "stablehlo.compare: result type tensor<2xf32> differs from the inferred tensor<2xi1>"),
    BrokenProgram(rule: "compare_type fits element type", source: """
        func.func @main(%a: tensor<2xf32>) {
          %0 = "stablehlo.compare"(%a, %a) {comparison_direction = #stablehlo<comparison_direction LT>, compare_type = #stablehlo<comparison_type SIGNED>} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1> // error
          func.return
        }
        """, message: "stablehlo.compare: compare_type SIGNED does not fit element type f32"),
    BrokenProgram(rule: "select pred shape", source: """
        func.func @main(%p: tensor<3xi1>, %a: tensor<2xf32>) {
          %0 = "stablehlo.select"(%p, %a, %a) : (tensor<3xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32> // error
          func.return
        }
        """, message: "stablehlo.select: pred type tensor<3xi1> must be a scalar or have the shape of tensor<2xf32>"),
    BrokenProgram(rule: "clamp bound shape", source: """
        func.func @main(%lo: tensor<3xf32>, %a: tensor<2xf32>) {
          %0 = "stablehlo.clamp"(%lo, %a, %a) : (tensor<3xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32> // error
          func.return
        }
        """, message: "stablehlo.clamp: min type tensor<3xf32> must be a scalar or have the shape of operand tensor<2xf32>"),
    BrokenProgram(rule: "convert keeps shape", source: """
        func.func @main(%a: tensor<2xf32>) {
          %0 = "stablehlo.convert"(%a) : (tensor<2xf32>) -> tensor<3xi32> // error
          func.return
        }
        """, message: "stablehlo.convert: result shape of tensor<3xi32> differs from operand shape of tensor<2xf32>"),
    BrokenProgram(rule: "bitcast_convert to narrower adds a dimension", source: """
        func.func @main(%a: tensor<2xf32>) {
          %0 = "stablehlo.bitcast_convert"(%a) : (tensor<2xf32>) -> tensor<2xi16> // error
          func.return
        }
        """, message: "stablehlo.bitcast_convert: result type tensor<2xi16> differs from the inferred tensor<2x2xi16>"),
    BrokenProgram(rule: "constant literal type", source: """
        func.func @main() {
          %0 = "stablehlo.constant"() {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf64> // error
          func.return
        }
        """, message: "stablehlo.constant: literal type tensor<2xf32> differs from result type tensor<2xf64>"),
    BrokenProgram(rule: "iota dimension in range", source: """
        func.func @main() {
          %0 = "stablehlo.iota"() {iota_dimension = 1 : i64} : () -> tensor<4xi32> // error
          func.return
        }
        """, message: "stablehlo.iota: iota_dimension 1 is out of range for tensor<4xi32>"),
    BrokenProgram(rule: "broadcast_in_dim sizes", source: """
        func.func @main(%a: tensor<3xf32>) {
          %0 = "stablehlo.broadcast_in_dim"(%a) {broadcast_dimensions = array<i64: 0>} : (tensor<3xf32>) -> tensor<2x4xf32> // error
          func.return
        }
        """, message: "stablehlo.broadcast_in_dim: operand dimension 0 of tensor<3xf32> (size 3) cannot broadcast to result dimension 0 of tensor<2x4xf32> (size 2)"),
    BrokenProgram(rule: "broadcast_dimensions count", source: """
        func.func @main(%a: tensor<3xf32>) {
          %0 = "stablehlo.broadcast_in_dim"(%a) {broadcast_dimensions = array<i64: 0, 1>} : (tensor<3xf32>) -> tensor<3x4xf32> // error
          func.return
        }
        """, message: "stablehlo.broadcast_in_dim: broadcast_dimensions has 2 entries, expected 1"),
    BrokenProgram(rule: "reshape keeps element count", source: """
        func.func @main(%a: tensor<2x3xf32>) {
          %0 = "stablehlo.reshape"(%a) : (tensor<2x3xf32>) -> tensor<5xf32> // error
          func.return
        }
        """, message: "stablehlo.reshape: operand tensor<2x3xf32> has 6 elements but result tensor<5xf32> has 5"),
    BrokenProgram(rule: "transpose permutation", source: """
        func.func @main(%a: tensor<2x3xf32>) {
          %0 = "stablehlo.transpose"(%a) {permutation = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32> // error
          func.return
        }
        """, message: "stablehlo.transpose: permutation [0, 0] is not a permutation of the 2 dimensions of tensor<2x3xf32>"),
    BrokenProgram(rule: "transpose result shape", source: """
        func.func @main(%a: tensor<2x3xf32>) {
          %0 = "stablehlo.transpose"(%a) {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32> // error
          func.return
        }
        """, message: "stablehlo.transpose: result type tensor<2x3xf32> differs from the inferred tensor<3x2xf32>"),
    BrokenProgram(rule: "slice limit inside operand", source: """
        func.func @main(%a: tensor<4xf32>) {
          %0 = "stablehlo.slice"(%a) {start_indices = array<i64: 0>, limit_indices = array<i64: 5>, strides = array<i64: 1>} : (tensor<4xf32>) -> tensor<5xf32> // error
          func.return
        }
        """, message: "stablehlo.slice: limit_indices [5] exceed tensor<4xf32> in dimension 0"),
    BrokenProgram(rule: "slice result shape", source: """
        func.func @main(%a: tensor<4xf32>) {
          %0 = "stablehlo.slice"(%a) {start_indices = array<i64: 0>, limit_indices = array<i64: 4>, strides = array<i64: 2>} : (tensor<4xf32>) -> tensor<3xf32> // error
          func.return
        }
        """, message: "stablehlo.slice: result type tensor<3xf32> differs from the inferred tensor<2xf32>"),
    BrokenProgram(rule: "dynamic_slice sizes fit", source: """
        func.func @main(%a: tensor<4xf32>, %i: tensor<i32>) {
          %0 = "stablehlo.dynamic_slice"(%a, %i) {slice_sizes = array<i64: 5>} : (tensor<4xf32>, tensor<i32>) -> tensor<5xf32> // error
          func.return
        }
        """, message: "stablehlo.dynamic_slice: slice_sizes [5] do not fit tensor<4xf32> in dimension 0"),
    BrokenProgram(rule: "dynamic_slice index count", source: """
        func.func @main(%a: tensor<4x4xf32>, %i: tensor<i32>) {
          %0 = "stablehlo.dynamic_slice"(%a, %i) {slice_sizes = array<i64: 2, 2>} : (tensor<4x4xf32>, tensor<i32>) -> tensor<2x2xf32> // error
          func.return
        }
        """, message: "stablehlo.dynamic_slice: expects 2 start indices for tensor<4x4xf32>, got 1"),
    BrokenProgram(rule: "dynamic_update_slice update fits", source: """
        func.func @main(%a: tensor<4xf32>, %u: tensor<5xf32>, %i: tensor<i32>) {
          %0 = "stablehlo.dynamic_update_slice"(%a, %u, %i) : (tensor<4xf32>, tensor<5xf32>, tensor<i32>) -> tensor<4xf32> // error
          func.return
        }
        """, message: "stablehlo.dynamic_update_slice: update tensor<5xf32> does not fit in operand tensor<4xf32> in dimension 0"),
    BrokenProgram(rule: "concatenate other dimensions agree", source: """
        func.func @main(%a: tensor<2x2xf32>, %b: tensor<3x3xf32>) {
          %0 = "stablehlo.concatenate"(%a, %b) {dimension = 0 : i64} : (tensor<2x2xf32>, tensor<3x3xf32>) -> tensor<5x2xf32> // error
          func.return
        }
        """, message: "stablehlo.concatenate: operand #1 tensor<3x3xf32> differs from operand #0 tensor<2x2xf32> in dimension 1"),
    BrokenProgram(rule: "pad result shape", source: """
        func.func @main(%a: tensor<3xf32>, %z: tensor<f32>) {
          %0 = "stablehlo.pad"(%a, %z) {edge_padding_low = array<i64: 1>, edge_padding_high = array<i64: 2>, interior_padding = array<i64: 1>} : (tensor<3xf32>, tensor<f32>) -> tensor<6xf32> // error
          func.return
        }
        """, message: "stablehlo.pad: result type tensor<6xf32> differs from the inferred tensor<8xf32>"),
    BrokenProgram(rule: "reverse dimensions in range", source: """
        func.func @main(%a: tensor<2x3xf32>) {
          %0 = "stablehlo.reverse"(%a) {dimensions = array<i64: 2>} : (tensor<2x3xf32>) -> tensor<2x3xf32> // error
          func.return
        }
        """, message: "stablehlo.reverse: dimensions [2] has 2 out of range [0, 2)"),
    BrokenProgram(rule: "reduce result shape", source: """
        func.func @main(%a: tensor<2x3xf32>, %z: tensor<f32>) {
          %0 = "stablehlo.reduce"(%a, %z) ({ // error
          ^bb0(%x: tensor<f32>, %y: tensor<f32>):
            %s = "stablehlo.add"(%x, %y) : (tensor<f32>, tensor<f32>) -> tensor<f32>
            "stablehlo.return"(%s) : (tensor<f32>) -> ()
          }) {dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>
          func.return
        }
        """, message: "stablehlo.reduce: result type tensor<2xf32> differs from the inferred tensor<3xf32>"),
    BrokenProgram(rule: "reduce body element type", source: """
        func.func @main(%a: tensor<2x3xi32>, %z: tensor<i32>) {
          %0 = "stablehlo.reduce"(%a, %z) ({ // error
          ^bb0(%x: tensor<f32>, %y: tensor<f32>):
            %s = "stablehlo.add"(%x, %y) : (tensor<f32>, tensor<f32>) -> tensor<f32>
            "stablehlo.return"(%s) : (tensor<f32>) -> ()
          }) {dimensions = array<i64: 0>} : (tensor<2x3xi32>, tensor<i32>) -> tensor<3xi32>
          func.return
        }
        """, message: "stablehlo.reduce: body argument #0 type tensor<f32> cannot hold input element type i32"),
    BrokenProgram(rule: "reduce body ends with return", source: """
        func.func @main(%a: tensor<2x3xf32>, %z: tensor<f32>) {
          %0 = "stablehlo.reduce"(%a, %z) ({
          ^bb0(%x: tensor<f32>, %y: tensor<f32>):
            %s = "stablehlo.add"(%x, %y) : (tensor<f32>, tensor<f32>) -> tensor<f32> // error
          }) {dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<3xf32>
          func.return
        }
        """, message: "stablehlo.reduce: region does not end with stablehlo.return"),
    BrokenProgram(rule: "reduce_window result shape", source: """
        func.func @main(%a: tensor<4x4xf32>, %z: tensor<f32>) {
          %0 = "stablehlo.reduce_window"(%a, %z) ({ // error
          ^bb0(%x: tensor<f32>, %y: tensor<f32>):
            %s = "stablehlo.maximum"(%x, %y) : (tensor<f32>, tensor<f32>) -> tensor<f32>
            "stablehlo.return"(%s) : (tensor<f32>) -> ()
          }) {window_dimensions = array<i64: 2, 2>, window_strides = array<i64: 2, 1>} : (tensor<4x4xf32>, tensor<f32>) -> tensor<2x2xf32>
          func.return
        }
        """, message: "stablehlo.reduce_window: result type tensor<2x2xf32> differs from the inferred tensor<2x3xf32>"),
    BrokenProgram(rule: "dot_general contracting sizes", source: """
        func.func @main(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
          %0 = "stablehlo.dot_general"(%a, %b) {dot_dimension_numbers = #stablehlo.dot<lhs_contracting_dimensions = [1], rhs_contracting_dimensions = [0]>} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32> // error
          func.return
        }
        """, message: "stablehlo.dot_general: contracting dimension sizes differ: lhs tensor<2x3xf32> dimension 1 vs rhs tensor<4x5xf32> dimension 0"),
    BrokenProgram(rule: "dot_general result shape", source: """
        func.func @main(%a: tensor<7x2x3xf32>, %b: tensor<7x3x5xf32>) {
          %0 = "stablehlo.dot_general"(%a, %b) {dot_dimension_numbers = #stablehlo.dot<lhs_batching_dimensions = [0], rhs_batching_dimensions = [0], lhs_contracting_dimensions = [2], rhs_contracting_dimensions = [1]>} : (tensor<7x2x3xf32>, tensor<7x3x5xf32>) -> tensor<2x7x5xf32> // error
          func.return
        }
        """, message: "stablehlo.dot_general: result type tensor<2x7x5xf32> differs from the inferred tensor<7x2x5xf32>"),
    BrokenProgram(rule: "gather result shape", source: """
        func.func @main(%a: tensor<5x4xf32>, %i: tensor<3x1xi32>) {
          %0 = "stablehlo.gather"(%a, %i) {dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, slice_sizes = array<i64: 1, 4>} : (tensor<5x4xf32>, tensor<3x1xi32>) -> tensor<4x3xf32> // error
          func.return
        }
        """, message: "stablehlo.gather: result type tensor<4x3xf32> differs from the inferred tensor<3x4xf32>"),
    BrokenProgram(rule: "gather index map size", source: """
        func.func @main(%a: tensor<5x4xf32>, %i: tensor<3x1xi32>) {
          %0 = "stablehlo.gather"(%a, %i) {dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0, 1], index_vector_dim = 1>, slice_sizes = array<i64: 1, 4>} : (tensor<5x4xf32>, tensor<3x1xi32>) -> tensor<3x4xf32> // error
          func.return
        }
        """, message: "stablehlo.gather: start_index_map [0, 1] has 2 entries but the index vector of tensor<3x1xi32> has 1"),
    BrokenProgram(rule: "scatter update shape", source: """
        func.func @main(%a: tensor<5x4xf32>, %i: tensor<3x1xi32>, %u: tensor<2x4xf32>) {
          %0 = "stablehlo.scatter"(%a, %i, %u) ({ // error
          ^bb0(%x: tensor<f32>, %y: tensor<f32>):
            "stablehlo.return"(%y) : (tensor<f32>) -> ()
          }) {scatter_dimension_numbers = #stablehlo.scatter<update_window_dims = [1], inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1>} : (tensor<5x4xf32>, tensor<3x1xi32>, tensor<2x4xf32>) -> tensor<5x4xf32>
          func.return
        }
        """, message: "stablehlo.scatter: update tensor<2x4xf32> dimension 0 (size 2) differs from scatter indices tensor<3x1xi32> (size 3)"),
    BrokenProgram(rule: "select_and_scatter source shape", source: """
        func.func @main(%a: tensor<4xf32>, %s: tensor<3xf32>, %z: tensor<f32>) {
          %0 = "stablehlo.select_and_scatter"(%a, %s, %z) ({ // error
          ^bb0(%x: tensor<f32>, %y: tensor<f32>):
            %c = "stablehlo.compare"(%x, %y) {comparison_direction = #stablehlo<comparison_direction GE>} : (tensor<f32>, tensor<f32>) -> tensor<i1>
            "stablehlo.return"(%c) : (tensor<i1>) -> ()
          }, {
          ^bb0(%x: tensor<f32>, %y: tensor<f32>):
            %t = "stablehlo.add"(%x, %y) : (tensor<f32>, tensor<f32>) -> tensor<f32>
            "stablehlo.return"(%t) : (tensor<f32>) -> ()
          }) {window_dimensions = array<i64: 2>, window_strides = array<i64: 2>} : (tensor<4xf32>, tensor<3xf32>, tensor<f32>) -> tensor<4xf32>
          func.return
        }
        """, message: "stablehlo.select_and_scatter: source tensor<3xf32> must have the window count shape [2]"),
    BrokenProgram(rule: "sort comparator returns i1", source: """
        func.func @main(%a: tensor<4xf32>) {
          %0 = "stablehlo.sort"(%a) ({ // error
          ^bb0(%x: tensor<f32>, %y: tensor<f32>):
            "stablehlo.return"(%x) : (tensor<f32>) -> ()
          }) {dimension = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32>
          func.return
        }
        """, message: "stablehlo.sort: comparator returns (tensor<f32>), expected (tensor<i1>)"),
    BrokenProgram(rule: "convolution result shape", source: """
        func.func @main(%a: tensor<1x8x8x3xf32>, %k: tensor<3x3x3x16xf32>) {
          %0 = "stablehlo.convolution"(%a, %k) {dimension_numbers = #stablehlo.conv<[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]>, feature_group_count = 1 : i64, batch_group_count = 1 : i64} : (tensor<1x8x8x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x8x8x16xf32> // error
          func.return
        }
        """, message: "stablehlo.convolution: result type tensor<1x8x8x16xf32> differs from the inferred tensor<1x6x6x16xf32>"),
    BrokenProgram(rule: "fft trailing dims", source: """
        func.func @main(%a: tensor<8xf32>) {
          %0 = "stablehlo.fft"(%a) {fft_type = #stablehlo<fft_type RFFT>, fft_length = array<i64: 8>} : (tensor<8xf32>) -> tensor<8xcomplex<f32>> // error
          func.return
        }
        """, message: "stablehlo.fft: result type tensor<8xcomplex<f32>> differs from the inferred tensor<5xcomplex<f32>>"),
    BrokenProgram(rule: "while body signature", source: """
        func.func @main(%a: tensor<i32>) {
          %0 = "stablehlo.while"(%a) ({ // error
          ^bb0(%x: tensor<i32>):
            %c = "stablehlo.compare"(%x, %x) {comparison_direction = #stablehlo<comparison_direction LT>} : (tensor<i32>, tensor<i32>) -> tensor<i1>
            "stablehlo.return"(%c) : (tensor<i1>) -> ()
          }, {
          ^bb0(%x: tensor<i32>):
            %f = "stablehlo.convert"(%x) : (tensor<i32>) -> tensor<f32>
            "stablehlo.return"(%f) : (tensor<f32>) -> ()
          }) : (tensor<i32>) -> tensor<i32>
          func.return
        }
        """, message: "stablehlo.while: body returns (tensor<f32>), expected (tensor<i32>)"),
    BrokenProgram(rule: "if predicate type", source: """
        func.func @main(%p: tensor<i32>, %a: tensor<f32>) {
          %0 = "stablehlo.if"(%p) ({ // error
            "stablehlo.return"(%a) : (tensor<f32>) -> ()
          }, {
            "stablehlo.return"(%a) : (tensor<f32>) -> ()
          }) : (tensor<i32>) -> tensor<f32>
          func.return
        }
        """, message: "stablehlo.if: pred must be tensor<i1>, got tensor<i32>"),
    BrokenProgram(rule: "case branch results", source: """
        func.func @main(%i: tensor<i32>, %a: tensor<f32>, %b: tensor<i32>) {
          %0 = "stablehlo.case"(%i) ({ // error
            "stablehlo.return"(%a) : (tensor<f32>) -> ()
          }, {
            "stablehlo.return"(%b) : (tensor<i32>) -> ()
          }) : (tensor<i32>) -> tensor<f32>
          func.return
        }
        """, message: "stablehlo.case: branch #1 returns (tensor<i32>), expected (tensor<f32>)"),
    BrokenProgram(rule: "call callee exists", source: """
        func.func @main(%a: tensor<2xf32>) {
          %0 = "func.call"(%a) {callee = @nothing} : (tensor<2xf32>) -> tensor<2xf32> // error
          func.return
        }
        """, message: "func.call: callee @nothing is not defined"),
    BrokenProgram(rule: "call operand types", source: """
        func.func @main(%a: tensor<2xf32>) {
          %0 = "func.call"(%a) {callee = @f} : (tensor<2xf32>) -> tensor<3xf32> // error
          func.return
        }
        func.func private @f(%x: tensor<3xf32>) -> tensor<3xf32> {
          func.return %x : tensor<3xf32>
        }
        """, message: "func.call: operand types (tensor<2xf32>) differ from @f's inputs (tensor<3xf32>)"),
    BrokenProgram(rule: "return matches function results", source: """
        func.func @main(%a: tensor<2xf32>) -> tensor<3xf32> {
          func.return %a : tensor<2xf32> // error
        }
        """, message: "func.return: returns (tensor<2xf32>) but @main declares results (tensor<3xf32>)"),
    BrokenProgram(rule: "get_tuple_element index", source: """
        func.func @main(%a: tensor<f32>) {
          %t = "stablehlo.tuple"(%a, %a) : (tensor<f32>, tensor<f32>) -> tuple<tensor<f32>, tensor<f32>>
          %0 = "stablehlo.get_tuple_element"(%t) {index = 2 : i32} : (tuple<tensor<f32>, tensor<f32>>) -> tensor<f32> // error
          func.return
        }
        """, message: "stablehlo.get_tuple_element: index 2 is out of range for tuple<tensor<f32>, tensor<f32>>"),
    BrokenProgram(rule: "tuple result type", source: """
        func.func @main(%a: tensor<f32>) {
          %t = "stablehlo.tuple"(%a) : (tensor<f32>) -> tuple<tensor<i32>> // error
          func.return
        }
        """, message: "stablehlo.tuple: result type tuple<tensor<i32>> differs from the inferred tuple<tensor<f32>>"),
    BrokenProgram(rule: "pad sizes do not overflow", source: """
        func.func @main(%a: tensor<3xf32>, %z: tensor<f32>) {
          %0 = "stablehlo.pad"(%a, %z) {edge_padding_low = array<i64: 0>, edge_padding_high = array<i64: 9223372036854775807>, interior_padding = array<i64: 0>} : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32> // error
          func.return
        }
        """, message: "stablehlo.pad: padded dimension 0 overflows"),
    BrokenProgram(rule: "gather collapsed slice size", source: """
        func.func @main(%a: tensor<5x4xf32>, %i: tensor<3x1xi32>) {
          %0 = "stablehlo.gather"(%a, %i) {dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, slice_sizes = array<i64: 2, 4>} : (tensor<5x4xf32>, tensor<3x1xi32>) -> tensor<3x4xf32> // error
          func.return
        }
        """, message: "stablehlo.gather: slice_sizes[0] = 2 must be at most 1 for a collapsed or batching dimension"),
    BrokenProgram(rule: "sort dimension in range", source: """
        func.func @main(%a: tensor<4xf32>) {
          %0 = "stablehlo.sort"(%a) ({ // error
          ^bb0(%x: tensor<f32>, %y: tensor<f32>):
            %c = "stablehlo.compare"(%x, %y) {comparison_direction = #stablehlo<comparison_direction LT>} : (tensor<f32>, tensor<f32>) -> tensor<i1>
            "stablehlo.return"(%c) : (tensor<i1>) -> ()
          }) {dimension = 1 : i64} : (tensor<4xf32>) -> tensor<4xf32>
          func.return
        }
        """, message: "stablehlo.sort: dimension 1 is out of range for tensor<4xf32>"),
    BrokenProgram(rule: "triangular_solve a is square", source: """
        func.func @main(%a: tensor<3x2xf32>, %b: tensor<3x1xf32>) {
          %0 = "stablehlo.triangular_solve"(%a, %b) {left_side = true, lower = true, unit_diagonal = false, transpose_a = #stablehlo<transpose NO_TRANSPOSE>} : (tensor<3x2xf32>, tensor<3x1xf32>) -> tensor<3x1xf32> // error
          func.return
        }
        """, message: "stablehlo.triangular_solve: a tensor<3x2xf32> must be a batch of square matrices"),
    BrokenProgram(rule: "batch_norm feature sizes", source: """
        func.func @main(%x: tensor<2x3xf32>, %s: tensor<2xf32>, %m: tensor<3xf32>) {
          %0 = "stablehlo.batch_norm_inference"(%x, %s, %m, %m, %m) {epsilon = 1.0e-3 : f32, feature_index = 1 : i64} : (tensor<2x3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32> // error
          func.return
        }
        """, message: "stablehlo.batch_norm_inference: operand #1 type tensor<2xf32> differs from the per-feature type tensor<3xf32>"),
    BrokenProgram(rule: "all_reduce keeps operand types", source: """
        func.func @main(%x: tensor<4xf32>) {
          %0 = "stablehlo.all_reduce"(%x) ({ // error
          ^bb0(%a: tensor<f32>, %b: tensor<f32>):
            %s = "stablehlo.add"(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
            "stablehlo.return"(%s) : (tensor<f32>) -> ()
          }) {replica_groups = dense<[[0]]> : tensor<1x1xi64>} : (tensor<4xf32>) -> tensor<2xf32>
          func.return
        }
        """, message: "stablehlo.all_reduce: result type tensor<2xf32> differs from the inferred tensor<4xf32>"),
]

/// Parses each broken program and checks that verification names the op, the types
/// and the op's `line:column`.
@Suite struct VerifierRuleTests {
    @Test(arguments: brokenPrograms)
    func rejectsBrokenProgram(_ program: BrokenProgram) throws {
        let module = try parseForVerifier(program.source, file: "broken.mlir")
        let diagnostics = module.verifyAll()
        let expected = try #require(program.expectedLineColumn)
        let match = diagnostics.first { $0.message.contains(program.message) }
        #expect(match != nil, "no diagnostic contains \"\(program.message)\"; got \(diagnostics.map(\.description))")
        if let match {
            #expect(match.stage == .verify)
            #expect(match.location.file == "broken.mlir")
            #expect(match.location.line == expected.line)
            #expect(match.location.column == expected.column)
        }
        #expect(throws: Diagnostic.self) { try module.verify() }
    }

    @Test func hasAtLeastThirtyRules() {
        #expect(Set(brokenPrograms.map(\.rule)).count >= 30)
    }
}
