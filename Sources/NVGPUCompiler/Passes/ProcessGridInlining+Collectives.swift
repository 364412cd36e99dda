import Runtime
import StableHLO

/// The ops each collective becomes when every process's values live in one program
/// (`ProcessGridInlining`), and the replay of a process's local ops.
extension ProcessGridInlining {
    /// A copy of a process's op reading the caller's values, with fresh ids for what it
    /// defines; `replica_id` / `partition_id` (at any depth) become the process's constants.
    mutating func clone(_ op: Operation, in process: ProcessID, map: inout [Int: Value]) -> Operation {
        if op.name == "stablehlo.replica_id" || op.name == "stablehlo.partition_id", op.results.count == 1,
           let type = op.resultTensorType(0) {
            let index = op.name == "stablehlo.replica_id" ? process.replica : process.partition
            let result = fresh(op.results[0], map: &map)
            return Self.constant(type, littleEndian: UInt64(index), result: result, location: op.location)
        }
        var copy = op
        copy.operands = op.operands.map { map[$0.id] ?? $0 }
        for r in copy.regions.indices {
            for b in copy.regions[r].blocks.indices {
                var block = copy.regions[r].blocks[b]
                block.arguments = block.arguments.map { fresh($0, map: &map) }
                block.operations = block.operations.map { clone($0, in: process, map: &map) }
                copy.regions[r].blocks[b] = block
            }
        }
        copy.results = op.results.map { fresh($0, map: &map) }
        return copy
    }

    private mutating func fresh(_ value: Value, map: inout [Int: Value]) -> Value {
        let new = Value(id: nextID, type: value.type)
        nextID += 1
        map[value.id] = new
        return new
    }

    private mutating func value(_ type: TensorType) -> Value {
        defer { nextID += 1 }
        return Value(id: nextID, type: .tensor(type))
    }

    /// `stablehlo.constant` of `type` with every element `bits` (little-endian, truncated
    /// to the element's storage).
    static func constant(_ type: TensorType, littleEndian bits: UInt64, result: Value, location: SourceLocation) -> Operation {
        let size = type.elementType.storageBytes
        let bytes = (0..<size).map { $0 < 8 ? UInt8(truncatingIfNeeded: bits >> UInt64(8 * $0)) : 0 }
        let elements = DenseElements(type: type, bytes: bytes, isSplat: true)
        return Operation(name: "stablehlo.constant", results: [result],
                         attributes: [NamedAttribute("value", .dense(elements))], location: location)
    }

    /// Emits the meeting of `members` (flattened ids, group order) at collective `name`;
    /// `local` are the processes whose results it defines (the members, or one process that
    /// meets nobody). False when the ops' types do not allow the rewrite.
    mutating func emitCollective(_ name: String, members: [Int], at local: [Int], processes: inout [Process],
                                 grid: ProcessGrid, into output: inout [Operation]) -> Bool {
        let ops = local.map { processes[$0].current }
        guard let first = ops.first else { return false }
        let location = first.location
        /// Operand `i` of every member, in group order, as the caller's values.
        func operands(_ i: Int) -> [Value] {
            members.map { m in let v = processes[m].current.operands[i]; return processes[m].map[v.id] ?? v }
        }
        func define(_ process: Int, _ result: Int, _ value: Value) { processes[process].map[processes[process].current.results[result].id] = value }
        let count = first.operands.count
        guard ops.allSatisfy({ $0.results.count == count && $0.operands.count == count }) else { return false }

        if members.isEmpty {
            // A process outside every group (broadcast, reduce) or linked to none (permute).
            for (r, result) in first.results.enumerated() {
                guard let type = result.type.tensorType else { return false }
                let zeros = value(type)
                output.append(Self.constant(type, littleEndian: 0, result: zeros, location: location))
                define(local[0], r, zeros)
            }
            return true
        }
        let dimension = { (key: String) in first[attribute: key]?.intValue.map { Int($0) } }
        for i in 0..<first.results.count {
            guard let resultType = first.resultTensorType(i), let operandType = first.operandTensorType(i) else { return false }
            let values = operands(i)
            switch name {
            case "stablehlo.all_reduce":
                guard resultType == operandType, let region = first.regions.first,
                      let folded = fold(values, region: region, type: resultType, location: location, into: &output) else { return false }
                for m in members { define(m, i, folded) }
            case "stablehlo.all_gather":
                guard let d = dimension("all_gather_dim") else { return false }
                let joined = value(resultType)
                output.append(Operation(name: "stablehlo.concatenate", operands: values, results: [joined],
                                        attributes: [NamedAttribute("dimension", .integer(Int64(d), type: .scalar(.si(64))))],
                                        location: location))
                for m in members { define(m, i, joined) }
            case "stablehlo.reduce_scatter":
                guard let d = dimension("scatter_dimension"), let region = first.regions.first,
                      let folded = fold(values, region: region, type: operandType, location: location, into: &output) else { return false }
                for (index, m) in members.enumerated() {
                    guard let part = slice(folded, part: index, of: members.count, dimension: d, type: resultType,
                                           location: location, into: &output) else { return false }
                    define(m, i, part)
                }
            case "stablehlo.all_to_all":
                guard let s = dimension("split_dimension"), let c = dimension("concat_dimension"),
                      dimension("split_count") == members.count else { return false }
                for (index, m) in members.enumerated() {
                    var pieces: [Value] = []
                    for v in values {
                        var pieceShape = operandType.shape
                        guard s < pieceShape.count, pieceShape[s] % members.count == 0 else { return false }
                        pieceShape[s] /= members.count
                        guard let piece = slice(v, part: index, of: members.count, dimension: s,
                                                type: TensorType(shape: pieceShape, elementType: operandType.elementType),
                                                location: location, into: &output) else { return false }
                        pieces.append(piece)
                    }
                    let joined = value(resultType)
                    output.append(Operation(name: "stablehlo.concatenate", operands: pieces, results: [joined],
                                            attributes: [NamedAttribute("dimension", .integer(Int64(c), type: .scalar(.si(64))))],
                                            location: location))
                    define(m, i, joined)
                }
            case "stablehlo.collective_permute":
                guard resultType == operandType,
                      let pairs = try? PermutationPairs(
                        grid: grid,
                        strategy: GroupStrategy(for: .collectivePermute,
                                                channelID: first[attribute: "channel_handle"]?[parameter: "handle"]?.intValue ?? 0,
                                                useGlobalDeviceIDs: false),
                        pairs: CollectiveLowering.rows(first, "source_target_pairs")) else { return false }
                for m in members {
                    if let source = pairs.sourceOfTarget[grid.processes[m]], let at = members.firstIndex(of: grid.flattenedID(of: source)) {
                        define(m, i, values[at])
                    } else {
                        let zeros = value(resultType)
                        output.append(Self.constant(resultType, littleEndian: 0, result: zeros, location: location))
                        define(m, i, zeros)
                    }
                }
            case "stablehlo.collective_broadcast":
                guard resultType == operandType else { return false }
                for m in members { define(m, i, values[0]) }
            case "stablehlo.collective_reduce":
                guard resultType == operandType, let region = first.regions.first,
                      let folded = fold(values, region: region, type: resultType, location: location, into: &output) else { return false }
                let zeros = value(resultType)
                output.append(Self.constant(resultType, littleEndian: 0, result: zeros, location: location))
                for (index, m) in members.enumerated() { define(m, i, index == 0 ? folded : zeros) }
            default:
                return false
            }
        }
        return true
    }

    /// The group's operands folded with the op's computation in group order, one
    /// elementwise `stablehlo.map` per member after the first (the reference's order).
    private mutating func fold(_ values: [Value], region: Region, type: TensorType, location: SourceLocation,
                               into output: inout [Operation]) -> Value? {
        guard var accumulated = values.first, let block = region.entry, block.arguments.count == 2 else { return nil }
        for v in values.dropFirst() {
            var map: [Int: Value] = [:]
            var body = block
            body.arguments = block.arguments.map { fresh($0, map: &map) }
            body.operations = block.operations.map { clone($0, in: ProcessID(replica: 0, partition: 0), map: &map) }
            let result = value(type)
            output.append(Operation(
                name: "stablehlo.map", operands: [accumulated, v], results: [result],
                attributes: [NamedAttribute("dimensions", .denseInts(.si(64), (0..<type.rank).map(Int64.init)))],
                regions: [Region(blocks: [body])], location: location))
            accumulated = result
        }
        return accumulated
    }

    /// Part `index` of `count` equal parts of `value` along `dimension`.
    private mutating func slice(_ value: Value, part index: Int, of count: Int, dimension: Int, type: TensorType,
                                location: SourceLocation, into output: inout [Operation]) -> Value? {
        guard let shape = value.type.tensorType?.shape, dimension < shape.count, shape[dimension] % count == 0 else { return nil }
        let size = shape[dimension] / count
        var start = [Int64](repeating: 0, count: shape.count)
        var limit = shape.map(Int64.init)
        start[dimension] = Int64(index * size)
        limit[dimension] = Int64((index + 1) * size)
        let result = self.value(type)
        output.append(Operation(
            name: "stablehlo.slice", operands: [value], results: [result],
            attributes: [
                NamedAttribute("start_indices", .denseInts(.si(64), start)),
                NamedAttribute("limit_indices", .denseInts(.si(64), limit)),
                NamedAttribute("strides", .denseInts(.si(64), [Int64](repeating: 1, count: shape.count))),
            ],
            location: location))
        return result
    }
}
