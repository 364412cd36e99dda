import CPJRT
import Driver
import Foundation
import Reference
import Runtime
import StableHLO

/// A compiled program (`PJRT_Executable`; loaded on the client's device it is also the
/// `PJRT_LoadedExecutable`): the verified module, the backend's loaded program, the
/// signature of `main`, and what serializing it takes (the program bytes JAX sent and its
/// compile options: deserializing compiles again, through the on-disk kernel cache).
final class PluginExecutable: @unchecked Sendable {
    let client: PluginClient
    let module: Module
    let program: any PluginProgram
    let name: String
    let inputTypes: [TensorType]
    let outputTypes: [TensorType]
    let options: CompileOptionsProto
    let optionBytes: [UInt8]
    let programBytes: [UInt8]
    let fingerprint: String
    let storage = CStorage()
    /// Output and parameter descriptions as the C API hands them out.
    let shapes: ExecutableShapes
    /// The arguments of `main` the program lets a caller donate (`tf.aliasing_output`,
    /// `jax.buffer_donor`): an execution consumes those buffers unless it is told not to.
    let donatableArguments: Set<Int>
    private let lock = NSLock()
    private var deleted = false

    /// The function JAX calls.
    static let entry = "main"

    /// Compiles `programBytes` (a StableHLO portable artifact, or StableHLO text) for `client`.
    init(client: PluginClient, programBytes: [UInt8], optionBytes: [UInt8]) throws {
        self.client = client
        self.programBytes = programBytes
        self.optionBytes = optionBytes
        options = try CompileOptionsProto(serialized: optionBytes)
        guard options.replicas == 1, options.partitions == 1 else {
            throw PluginFailure.unimplemented(
                "programs of \(options.replicas) replicas × \(options.partitions) partitions are not supported yet "
                    + "(the nvgpu plugin exposes one device); use 1 replica and 1 partition")
        }
        let module: Module
        do {
            module = try ProgramSource.load(bytes: programBytes, name: "<jax program>")
        } catch {
            throw PluginFailure.invalidArgument("\(error)")
        }
        guard let main = module.function(named: Self.entry) else {
            throw PluginFailure.invalidArgument("the program has no @\(Self.entry) function")
        }
        inputTypes = try main.inputTypes.enumerated().map { index, type in
            guard let tensor = type.tensorType, tensor.isStatic else {
                throw PluginFailure.unimplemented("@main argument \(index) has type \(type); only static tensors are supported")
            }
            return tensor
        }
        outputTypes = try main.resultTypes.enumerated().map { index, type in
            guard let tensor = type.tensorType, tensor.isStatic else {
                throw PluginFailure.unimplemented("@main result \(index) has type \(type); only static tensors are supported")
            }
            return tensor
        }
        if let limit = client.backend.tensorByteLimit, let (bytes, type) = Self.largestTensor(in: module), bytes > limit {
            throw PluginFailure(PJRT_Error_Code_RESOURCE_EXHAUSTED,
                                "the program needs a \(type) of \(bytes) bytes, more than this machine's \(limit) bytes of memory")
        }
        shapes = try ExecutableShapes(storage: storage, inputTypes: inputTypes, outputTypes: outputTypes, device: client.devices[0])
        // Ops with no GPU kernel run on the reference backend as host steps, so one it cannot
        // run either is an error now, on both backends, naming the op.
        if let problem = ReferenceSupport.firstUnsupportedOperation(in: module) {
            throw PluginFailure.unimplemented("\(problem)")
        }
        do {
            program = try client.backend.compile(module)
        } catch {
            throw PluginFailure.invalidArgument("compile: \(error)")
        }
        self.module = module
        donatableArguments = Self.donatableArguments(of: main)
        name = module.name ?? "main"
        fingerprint = Fingerprint.hex(of: [Array("nvgpu \(PluginVersion.current) \(client.backendKind)".utf8), programBytes, optionBytes])
    }

    /// The largest tensor any value of `module` holds, in bytes (with its type).
    static func largestTensor(in module: Module) -> (Int, TensorType)? {
        var largest: (Int, TensorType)?
        func consider(_ type: IRType) {
            guard let tensor = type.tensorType, tensor.isStatic else { return }
            var bytes = tensor.elementType.storageBytes
            for extent in tensor.shape {
                let (product, overflow) = bytes.multipliedReportingOverflow(by: extent)
                bytes = overflow ? Int.max : product
            }
            if bytes > (largest?.0 ?? -1) { largest = (bytes, tensor) }
        }
        var regions = module.functions.map(\.body)
        for function in module.functions { function.inputTypes.forEach(consider) }
        while let region = regions.popLast() {
            for block in region.blocks {
                for argument in block.arguments { consider(argument.type) }
                for op in block.operations {
                    for result in op.results { consider(result.type) }
                    regions.append(contentsOf: op.regions)
                }
            }
        }
        return largest
    }

    var isDeleted: Bool {
        lock.lock()
        defer { lock.unlock() }
        return deleted
    }

    func delete() {
        lock.lock()
        deleted = true
        lock.unlock()
    }

    /// The argument indices of `function` marked for donation.
    static func donatableArguments(of function: Function) -> Set<Int> {
        var indices = Set<Int>()
        for (index, attributes) in function.argumentAttributes.enumerated() {
            for attribute in attributes {
                switch (attribute.name, attribute.value) {
                case ("tf.aliasing_output", .integer), ("jax.buffer_donor", .bool(true)), ("jax.buffer_donor", .unit):
                    indices.insert(index)
                default: break
                }
            }
        }
        return indices
    }

    /// Checks `inputs` and enqueues one run; returns the output buffers (contents pending)
    /// and an event that completes when the run does. The inputs at `donated` (a subset of
    /// `donatableArguments`) are consumed: deleted now, their storage kept until the run has
    /// read it.
    func execute(_ inputs: [PluginBuffer], donating donated: Set<Int> = [], on device: PluginDevice) throws -> (outputs: [PluginBuffer], done: PluginEvent) {
        guard !isDeleted else { throw PluginFailure(PJRT_Error_Code_FAILED_PRECONDITION, "the executable was deleted") }
        guard inputs.count == inputTypes.count else {
            throw PluginFailure.invalidArgument("@main of \(name) takes \(inputTypes.count) arguments, got \(inputs.count)")
        }
        for (index, (input, expected)) in zip(inputs, inputTypes).enumerated() {
            guard input.type.shape == expected.shape, input.type.elementType == expected.elementType else {
                throw PluginFailure.invalidArgument("argument \(index) of \(name) must be \(expected), got \(input.type)")
            }
        }
        let donated = donated.filter { $0 < inputs.count }
        for index in donated.sorted() {
            let buffer = ObjectIdentifier(inputs[index])
            if let other = inputs.indices.first(where: { $0 != index && ObjectIdentifier(inputs[$0]) == buffer }) {
                throw PluginFailure.invalidArgument(
                    "argument \(index) of \(name) is donated and also passed as argument \(other); a donated buffer can be used once")
            }
        }
        let futures = try inputs.enumerated().map { index, input in
            do { return try input.liveContents() } catch {
                throw PluginFailure(PJRT_Error_Code_FAILED_PRECONDITION, "argument \(index) of \(self.name) was deleted (or donated)")
            }
        }
        for index in donated { inputs[index].delete() }
        let done = PluginEvent()
        let results = outputTypes.map { _ in PluginFuture<BufferStorage>() }
        let ready = outputTypes.map { _ in PluginEvent() }
        let outputs = try zip(outputTypes, zip(results, ready)).map { type, pair in
            try PluginBuffer(device: device, type: type, contents: pair.0, ready: pair.1)
        }
        let program = self.program
        let name = self.name
        let client = self.client
        // The closures hold the futures, not the buffers: a buffer deleted meanwhile lets go of
        // its storage when the run is done with it.
        client.queue.async {
            do {
                let stored = try futures.map { try $0.get() }
                let values = try program.run(stored)
                guard values.count == results.count else {
                    throw PluginFailure(PJRT_Error_Code_INTERNAL, "\(name) returned \(values.count) results, expected \(results.count)")
                }
                for (future, value) in zip(results, values) { future.fulfil(value) }
                // The run is queued on the device; tell the host once it has finished there.
                client.completions.async {
                    var failure: PluginFailure?
                    do { try client.backend.awaitDevice() } catch {
                        failure = PluginFailure(PJRT_Error_Code_INTERNAL, "running \(name) on the device: \(error)")
                    }
                    for event in ready { event.complete(failure) }
                    done.complete(failure)
                }
            } catch {
                let failure = error as? PluginFailure ?? PluginFailure(PJRT_Error_Code_INTERNAL, "running \(name): \(error)")
                for (future, event) in zip(results, ready) {
                    future.fail(failure)
                    event.complete(failure)
                }
                done.complete(failure)
            }
        }
        return (outputs, done)
    }

    // MARK: Serialization

    private static let magic: [UInt8] = Array("NVGPU-PJRT-EXECUTABLE-1\n".utf8)

    /// What `Executable_Serialize` returns: a header, the program, the compile options.
    var serialized: [UInt8] {
        var bytes = Self.magic
        for part in [programBytes, optionBytes] {
            var count = UInt64(part.count).littleEndian
            withUnsafeBytes(of: &count) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: part)
        }
        return bytes
    }

    /// Reads what `serialized` wrote (the options may be overridden) and compiles it.
    static func deserialize(_ bytes: [UInt8], client: PluginClient, overridingOptions: [UInt8]?) throws -> PluginExecutable {
        guard bytes.starts(with: magic) else {
            throw PluginFailure.invalidArgument("not an executable serialized by this plugin")
        }
        var offset = magic.count
        var parts: [[UInt8]] = []
        for _ in 0..<2 {
            guard bytes.count - offset >= 8 else { throw PluginFailure.invalidArgument("truncated serialized executable") }
            var count: UInt64 = 0
            for k in 0..<8 { count |= UInt64(bytes[offset + k]) << UInt64(8 * k) }
            offset += 8
            guard count <= UInt64(bytes.count - offset) else { throw PluginFailure.invalidArgument("truncated serialized executable") }
            parts.append(Array(bytes[offset..<(offset + Int(count))]))
            offset += Int(count)
        }
        return try PluginExecutable(client: client, programBytes: parts[0], optionBytes: overridingOptions ?? parts[1])
    }
}

/// A `PJRT_LoadedExecutable` or `PJRT_Executable` handle: both share the compiled program.
final class ExecutableHandle: @unchecked Sendable {
    let executable: PluginExecutable
    init(_ executable: PluginExecutable) { self.executable = executable }
}

/// A stable, non-cryptographic content hash (two FNV-1a lanes) for cache keys.
enum Fingerprint {
    static func hex(of parts: [[UInt8]]) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for part in parts {
            for byte in part {
                a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                b = (b ^ UInt64(byte ^ 0x5A)) &* 0x0000_0100_0000_01B3
            }
            a = (a ^ UInt64(part.count)) &* 0x0000_0100_0000_01B3
        }
        return String(format: "%016llx%016llx", a, b)
    }
}
