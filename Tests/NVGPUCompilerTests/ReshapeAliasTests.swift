@testable import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// A group of reshapes alone (a reshape between two steps that are not fusions, such as a
/// slice feeding cuBLASLt) reads its input's buffer: no copy kernel.
@Suite struct ReshapeAliasTests {
    static let text = """
    func.func @main(%xs: tensor<6x4x8xf32>, %w: tensor<8x8xf32>, %i: tensor<i32>) -> tensor<4x8xf32> {
      %c0 = stablehlo.constant dense<0> : tensor<i32>
      %x3 = stablehlo.dynamic_slice %xs, %i, %c0, %c0, sizes = [1, 4, 8] : (tensor<6x4x8xf32>, tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<1x4x8xf32>
      %x = stablehlo.reshape %x3 : (tensor<1x4x8xf32>) -> tensor<4x8xf32>
      %m = stablehlo.dot_general %x, %w, contracting_dims = [1] x [0] : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
      return %m : tensor<4x8xf32>
    }
    """

    @Test func reshapeBetweenASliceAndAMatmulIsNoKernel() throws {
        let (executable, _) = try TestPrograms.lower(Self.text)
        let launches = executable.steps.compactMap { step -> KernelLaunch? in if case .launch(let l) = step { return l } else { return nil } }
        #expect(launches.count == 1)  // the dynamic_slice
        let slice = try #require(launches.first)
        guard case .buffer(let written)? = slice.arguments.last else { Issue.record("no output"); return }
        let matmul = try #require(executable.steps.compactMap { step -> MatmulCall? in if case .matmul(let m) = step { return m } else { return nil } }.first)
        #expect(matmul.a == written)
    }

    @Test func returnedReshapeKeepsItsKernel() throws {
        let text = """
        func.func @main(%xs: tensor<6x4x8xf32>, %i: tensor<i32>) -> tensor<4x8xf32> {
          %c0 = stablehlo.constant dense<0> : tensor<i32>
          %x3 = stablehlo.dynamic_slice %xs, %i, %c0, %c0, sizes = [1, 4, 8] : (tensor<6x4x8xf32>, tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<1x4x8xf32>
          %x = stablehlo.reshape %x3 : (tensor<1x4x8xf32>) -> tensor<4x8xf32>
          return %x : tensor<4x8xf32>
        }
        """
        let (executable, _) = try TestPrograms.lower(text)
        #expect(executable.steps.filter { if case .launch = $0 { return true } else { return false } }.count == 2)
    }
}
