import Runtime
import StableHLO

extension Executable {
    /// Checks everything a runner relies on, so a damaged or hand-edited `.nvx` gives an
    /// error naming the step or buffer instead of a bad memory access: every index in range,
    /// every arena placement inside the arena, sizes that match the shapes, steps that
    /// never write an input or a constant, matmul operands of the sizes the call says.
    public func validate() throws(RuntimeError) {
        func fail(_ message: String) -> RuntimeError { RuntimeError("invalid executable: " + message) }
        guard target == "cuda" else { throw fail("target '\(target)' is not cuda") }
        guard arenaBytes >= 0 else { throw fail("arena of \(arenaBytes) bytes") }
        for (index, buffer) in buffers.enumerated() {
            try checkBuffer(buffer, index: index, fail: fail)
        }
        guard inputs.count == Set(inputs).count else { throw fail("an input buffer is bound twice") }
        for (argument, buffer) in inputs.enumerated() {
            guard buffers.indices.contains(buffer) else { throw fail("input #\(argument) names buffer \(buffer) of \(buffers.count)") }
            guard buffers[buffer].placement == .input(index: argument) else {
                throw fail("input #\(argument) is bound to buffer \(buffer) (\(buffers[buffer].name)), which is not placed as input \(argument)")
            }
        }
        for (index, buffer) in buffers.enumerated() {
            if case .input(let argument) = buffer.placement, !(inputs.indices.contains(argument) && inputs[argument] == index) {
                throw fail("buffer \(index) (\(buffer.name)) is placed as input \(argument), which is not bound to it")
            }
        }
        for (index, constant) in constants.enumerated() {
            guard buffers.indices.contains(constant.buffer) else { throw fail("constant #\(index) names buffer \(constant.buffer) of \(buffers.count)") }
            let buffer = buffers[constant.buffer]
            guard buffer.placement == .constant(index: index) else {
                throw fail("constant #\(index) fills buffer \(constant.buffer) (\(buffer.name)), which is not placed as constant \(index)")
            }
            guard constant.bytes.count == buffer.byteSize else {
                throw fail("constant #\(index) has \(constant.bytes.count) bytes for buffer \(buffer.name) of \(buffer.byteSize)")
            }
        }
        for output in outputs where !buffers.indices.contains(output) {
            throw fail("output names buffer \(output) of \(buffers.count)")
        }
        for (index, kernel) in kernels.enumerated() where kernel.entryPoint.isEmpty || kernel.binary.isEmpty {
            throw fail("kernel #\(index) has no \(kernel.entryPoint.isEmpty ? "entry point" : "binary")")
        }
        for (index, step) in allSteps.enumerated() {
            try checkStep(step, index: index, fail: fail)
        }
    }

    private func checkBuffer(_ buffer: BufferSlot, index: Int, fail: (String) -> RuntimeError) throws(RuntimeError) {
        guard let elementType = buffer.elementType else {
            throw fail("buffer \(index) (\(buffer.name)) has unknown element type '\(buffer.elementTypeName)'")
        }
        var elements = 1
        for extent in buffer.shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
            guard extent >= 0, !overflow else { throw fail("buffer \(index) (\(buffer.name)) has shape \(buffer.shape)") }
            elements = product
        }
        let (bytes, overflow) = elements.multipliedReportingOverflow(by: elementType.storageBytes)
        guard !overflow, bytes == buffer.byteSize else {
            throw fail("buffer \(index) (\(buffer.name)) of shape \(buffer.shape) x \(elementType) claims \(buffer.byteSize) bytes")
        }
        switch buffer.placement {
        case .arena(let offset):
            let (end, overflow) = offset.addingReportingOverflow(buffer.byteSize)
            guard offset >= 0, !overflow, end <= arenaBytes else {
                throw fail("buffer \(index) (\(buffer.name)) at arena offset \(offset) + \(buffer.byteSize) bytes overruns the \(arenaBytes)-byte arena")
            }
        case .input(let argument):
            guard inputs.indices.contains(argument) else { throw fail("buffer \(index) (\(buffer.name)) is input \(argument) of \(inputs.count)") }
        case .constant(let constant):
            guard constants.indices.contains(constant) else {
                throw fail("buffer \(index) (\(buffer.name)) is constant \(constant) of \(constants.count)")
            }
        }
    }

    private func checkStep(_ step: ExecutionStep, index: Int, fail: (String) -> RuntimeError) throws(RuntimeError) {
        let label = "step \(index)"
        func readable(_ buffer: Int, _ role: String) throws(RuntimeError) -> BufferSlot {
            guard buffers.indices.contains(buffer) else { throw fail("\(label): \(role) names buffer \(buffer) of \(buffers.count)") }
            return buffers[buffer]
        }
        func writable(_ buffer: Int, _ role: String) throws(RuntimeError) -> BufferSlot {
            let slot = try readable(buffer, role)
            guard case .arena = slot.placement else {
                throw fail("\(label): \(role) writes buffer \(buffer) (\(slot.name)), an input or constant")
            }
            return slot
        }
        switch step {
        case .launch(let launch):
            guard kernels.indices.contains(launch.kernel) else { throw fail("\(label): kernel \(launch.kernel) of \(kernels.count)") }
            for (name, extents) in [("grid", launch.grid), ("block", launch.block)] {
                guard (1...3).contains(extents.count), extents.allSatisfy({ $0 >= 1 && $0 <= Int(UInt32.max) }) else {
                    throw fail("\(label): \(name) \(extents) (1 to 3 extents, each at least 1)")
                }
            }
            guard launch.sharedMemoryBytes >= 0 else { throw fail("\(label): \(launch.sharedMemoryBytes) bytes of shared memory") }
            for argument in launch.arguments {
                if case .buffer(let buffer) = argument { _ = try readable(buffer, "argument") }
            }
        case .matmul(let call):
            try checkMatmul(call, label: label, readable: readable, writable: writable, fail: fail)
        case .convolution(let call):
            try checkConvolution(call, label: label, readable: readable, writable: writable, fail: fail)
        case .fft(let call):
            try checkFFT(call, label: label, readable: readable, writable: writable, fail: fail)
        case .attention(let call):
            try checkAttention(call, label: label, readable: readable, writable: writable, fail: fail)
        case .collective(let call):
            try checkCollective(call, label: label, readable: readable, writable: writable, fail: fail)
        case .host(let call):
            guard hostPrograms.indices.contains(call.program) else { throw fail("\(label): host program \(call.program) of \(hostPrograms.count)") }
            for buffer in call.inputs { _ = try readable(buffer, "host input") }
            for buffer in call.outputs { _ = try writable(buffer, "host output") }
        case .copy(let from, let to):
            let source = try readable(from, "copy source")
            let destination = try writable(to, "copy destination")
            guard source.byteSize == destination.byteSize else {
                throw fail("\(label): copy of \(source.byteSize) bytes into a \(destination.byteSize)-byte buffer")
            }
        case .loop(let loop):
            guard kernels.indices.contains(loop.setCondition) else { throw fail("\(label): kernel \(loop.setCondition) of \(kernels.count)") }
            let predicate = try readable(loop.predicate, "loop predicate")
            guard predicate.elementTypeName == "i1", predicate.byteSize == 1 else {
                throw fail("\(label): loop predicate \(predicate.name) is \(predicate.typeText), not an i1 scalar")
            }
            for buffer in loop.carried { _ = try writable(buffer, "loop carried value") }
            if let trips = loop.tripCount, trips < 0 { throw fail("\(label): a loop of \(trips) trips") }
        case .branch(let branch):
            guard kernels.indices.contains(branch.setCondition) else { throw fail("\(label): kernel \(branch.setCondition) of \(kernels.count)") }
            guard !branch.branches.isEmpty else { throw fail("\(label): a branch step with no branches") }
            let selector = try readable(branch.selector, "branch selector")
            let expected = branch.selectorKind == .predicate ? ("i1", 1) : ("i32", 4)
            guard selector.elementTypeName == expected.0, selector.byteSize == expected.1 else {
                throw fail("\(label): branch selector \(selector.name) is \(selector.typeText), not an \(expected.0) scalar")
            }
            for buffer in branch.results { _ = try writable(buffer, "branch result") }
        }
    }

    private func checkMatmul(
        _ call: MatmulCall, label: String,
        readable: (Int, String) throws(RuntimeError) -> BufferSlot,
        writable: (Int, String) throws(RuntimeError) -> BufferSlot,
        fail: (String) -> RuntimeError
    ) throws(RuntimeError) {
        guard call.m > 0, call.n > 0, call.k > 0, call.batch > 0 else {
            throw fail("\(label): matmul \(call.batch)x\(call.m)x\(call.n)x\(call.k) has an empty dimension")
        }
        guard let input = ElementType(mlirName: call.inputType), let output = ElementType(mlirName: call.outputType) else {
            throw fail("\(label): matmul types \(call.inputType) -> \(call.outputType)")
        }
        func expect(_ slot: BufferSlot, _ type: ElementType, _ elements: [Int], _ role: String) throws(RuntimeError) {
            var count = 1
            for extent in elements {
                let (product, overflow) = count.multipliedReportingOverflow(by: extent)
                guard !overflow else { throw fail("\(label): matmul \(role) size overflows") }
                count = product
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: type.storageBytes)
            guard !overflow, slot.elementTypeName == type.description, slot.byteSize == bytes else {
                throw fail("\(label): matmul \(role) \(slot.name) is \(slot.byteSize) bytes of \(slot.elementTypeName), expected \(elements.map(String.init).joined(separator: "x")) x \(type)")
            }
        }
        try expect(try readable(call.a, "A"), input, [call.batch, call.m, call.k], "A")
        try expect(try readable(call.b, "B"), input, [call.batch, call.k, call.n], "B")
        try expect(try writable(call.c, "C"), output, [call.batch, call.m, call.n], "C")
        let needsBias = [.bias, .biasRelu, .biasGelu].contains(call.epilogue)
        if needsBias {
            guard let bias = call.bias else { throw fail("\(label): matmul epilogue \(call.epilogue) without a bias buffer") }
            let slot = try readable(bias, "bias")
            guard let biasType = slot.elementType else { throw fail("\(label): bias type \(slot.elementTypeName)") }
            try expect(slot, biasType, [call.n], "bias")
        }
    }
}
