/// A `stablehlo.while` run on the device: `condition` computes the predicate (an `i1` scalar
/// buffer), and while it holds, `body` computes the next loop state into the carried
/// buffers (its last steps copy the body's results there).
///
/// The runtime replays the loop as one CUDA graph with a conditional WHILE node (the
/// predicate is handed to the node by `setCondition`, a one-thread kernel, so no iteration
/// returns to the host), or, where graphs are unavailable or the loop holds a host step,
/// runs it from the host, reading the predicate once per iteration.
public struct LoopStep: Codable, Sendable, Hashable {
    /// Steps computing the predicate from the carried buffers.
    public var condition: [ExecutionStep]
    /// The `i1` scalar buffer the condition leaves its result in.
    public var predicate: Int
    /// Steps computing the next state and copying it into the carried buffers.
    public var body: [ExecutionStep]
    /// The carried buffers (the loop's results), for listings.
    public var carried: [Int]
    /// `Executable.kernels` index of the set-condition kernel (`ConditionKernel`).
    public var setCondition: Int
    /// How many times the body runs when the program fixes it (a counted loop, found by the
    /// compiler): the runtime then queues the body that many times without evaluating the
    /// condition, or checks it only every few iterations inside a graph. nil: the condition
    /// decides each iteration.
    public var tripCount: Int?

    public init(condition: [ExecutionStep], predicate: Int, body: [ExecutionStep], carried: [Int], setCondition: Int,
                tripCount: Int? = nil) {
        self.condition = condition
        self.predicate = predicate
        self.body = body
        self.carried = carried
        self.setCondition = setCondition
        self.tripCount = tripCount
    }
}

/// A `stablehlo.if` or `stablehlo.case` run on the device: the branch a device scalar
/// selects runs (a CUDA graph SWITCH node, or a host read of the selector as a fallback).
public struct BranchStep: Codable, Sendable, Hashable {
    /// How the selector picks a branch.
    public enum Selector: String, Codable, Sendable, Hashable {
        /// `if`: an `i1` predicate; true runs branch 0, false branch 1.
        case predicate
        /// `case`: an `i32` index; out of range runs the last branch (the spec's default).
        case index
    }

    /// The selector buffer.
    public var selector: Int
    public var selectorKind: Selector
    /// Each branch's steps; every branch ends by copying its results into `results`.
    public var branches: [[ExecutionStep]]
    /// The op's result buffers, for listings.
    public var results: [Int]
    /// `Executable.kernels` index of the set-condition kernel.
    public var setCondition: Int

    public init(selector: Int, selectorKind: Selector, branches: [[ExecutionStep]], results: [Int], setCondition: Int) {
        self.selector = selector
        self.selectorKind = selectorKind
        self.branches = branches
        self.results = results
        self.setCondition = setCondition
    }

    /// The branch a selector value picks (`value` is the predicate as 0/1, or the index).
    public func branch(forSelectorValue value: Int) -> Int {
        switch selectorKind {
        case .predicate: return value != 0 ? 0 : 1
        case .index: return value >= 0 && value < branches.count ? value : branches.count - 1
        }
    }
}

/// The set-condition kernel every loop and branch step launches (one thread): it reads the
/// selector buffer and hands the chosen value to a CUDA graph conditional node.
///
/// `mode` -1: a WHILE node, value = predicate ≠ 0; -2: an `if` as a SWITCH node, value =
/// predicate ? 0 : 1; n ≥ 1: a `case` of n branches, value = the i32 index, or n−1 when out
/// of range. `cudaGraphSetConditional` is resolved by ptxas, so NVRTC's cubin needs no
/// device-runtime library.
public enum ConditionKernel {
    /// The kernel's entry point.
    public static let entryPoint = "nv_set_condition"

    /// The kernel's CUDA C++ source.
    public static let source = """
        // Hands a device scalar to a CUDA graph conditional node (see ConditionKernel).
        typedef unsigned long long nv_graph_condition;
        extern "C" __device__ void cudaGraphSetConditional(nv_graph_condition handle, unsigned int value);
        extern "C" __global__ void __launch_bounds__(1) nv_set_condition(
            nv_graph_condition handle, const void* __restrict__ selector, int mode) {
          unsigned int value;
          if (mode < 0) {
            const bool holds = *(const unsigned char*)selector != 0;
            value = mode == -1 ? (holds ? 1u : 0u) : (holds ? 0u : 1u);
          } else {
            const int index = *(const int*)selector;
            value = (index < 0 || index >= mode) ? (unsigned int)(mode - 1) : (unsigned int)index;
          }
          cudaGraphSetConditional(handle, value);
        }

        """

    /// The `mode` argument for a loop.
    public static let loopMode: Int32 = -1

    /// The `mode` argument for a branch step.
    public static func mode(for step: BranchStep) -> Int32 {
        step.selectorKind == .predicate ? -2 : Int32(step.branches.count)
    }
}

extension ExecutionStep {
    /// The steps nested in a loop or branch step (empty for others), in order.
    public var nestedSteps: [ExecutionStep] {
        switch self {
        case .loop(let loop): return loop.condition + loop.body
        case .branch(let branch): return branch.branches.flatMap { $0 }
        default: return []
        }
    }
}

extension Executable {
    /// Every step, nested ones included (a loop's condition and body, each branch), in
    /// program order with each control step before the steps it holds.
    public var allSteps: [ExecutionStep] {
        var result: [ExecutionStep] = []
        func visit(_ steps: [ExecutionStep]) {
            for step in steps {
                result.append(step)
                visit(step.nestedSteps)
            }
        }
        visit(steps)
        return result
    }
}

extension ExecutionStep {
    /// Every buffer the step reads or writes, nested steps included (collectives: their
    /// operand and result).
    public var referencedBuffers: Set<Int> {
        var result = Set<Int>()
        switch self {
        case .launch(let launch):
            for case .buffer(let b) in launch.arguments { result.insert(b) }
        case .matmul(let call):
            result.formUnion([call.a, call.b, call.c])
            if let bias = call.bias { result.insert(bias) }
        case .host(let call):
            result.formUnion(call.inputs + call.outputs)
        case .copy(let from, let to):
            result.formUnion([from, to])
        case .collective(let call):
            result.insert(call.result)
            if let operand = call.operand { result.insert(operand) }
        case .convolution(let call):
            result.formUnion([call.input, call.filter, call.output])
            if let bias = call.reluBias { result.insert(bias) }
        case .fft(let call):
            result.formUnion([call.input, call.output])
            if let scratch = call.scratch { result.insert(scratch) }
        case .attention(let call):
            result.formUnion(call.buffers)
        case .loop(let loop):
            result.formUnion(loop.carried + [loop.predicate])
        case .branch(let branch):
            result.formUnion(branch.results + [branch.selector])
        }
        for step in nestedSteps { result.formUnion(step.referencedBuffers) }
        return result
    }
}
