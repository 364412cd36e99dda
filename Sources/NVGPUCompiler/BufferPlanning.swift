/// Packs the intermediate buffers of a step list into one arena: each buffer lives from
/// the first step that touches it to the last (results: to the end), and a buffer may take
/// the bytes of any buffer that is dead by the time it is first written. Offsets are
/// 256-byte aligned (what cuBLASLt and vector loads want).
public enum BufferPlanning {
    public static let alignment = 256

    /// One buffer's lifetime in step indices (inclusive) and its size.
    public struct Lifetime: Hashable, Sendable {
        public var buffer: Int
        public var bytes: Int
        public var firstStep: Int
        public var lastStep: Int

        public init(buffer: Int, bytes: Int, firstStep: Int, lastStep: Int) {
            self.buffer = buffer
            self.bytes = bytes
            self.firstStep = firstStep
            self.lastStep = lastStep
        }
    }

    /// The result: an offset per buffer and the arena's size.
    public struct Plan: Hashable, Sendable {
        public var offsets: [Int: Int]
        public var arenaBytes: Int
    }

    /// Lifetimes of `buffers` given the buffers each step touches; `results` stay live to the end.
    public static func lifetimes(buffers: [(index: Int, bytes: Int)], stepBuffers: [[Int]], results: Set<Int>) -> [Lifetime] {
        var first: [Int: Int] = [:], last: [Int: Int] = [:]
        for (s, touched) in stepBuffers.enumerated() {
            for b in touched {
                if first[b] == nil { first[b] = s }
                last[b] = s
            }
        }
        let end = stepBuffers.count
        return buffers.map { buffer in
            let start = first[buffer.index] ?? end
            let stop = results.contains(buffer.index) ? end : (last[buffer.index] ?? start)
            return Lifetime(buffer: buffer.index, bytes: buffer.bytes, firstStep: start, lastStep: stop)
        }
    }

    /// First-fit by offset against the buffers still live when each buffer is first written.
    public static func plan(_ lifetimes: [Lifetime]) -> Plan {
        let order = lifetimes.sorted {
            ($0.firstStep, -$0.bytes, $0.buffer) < ($1.firstStep, -$1.bytes, $1.buffer)
        }
        var placed: [(offset: Int, bytes: Int, lifetime: Lifetime)] = []
        var offsets: [Int: Int] = [:]
        var arena = 0
        for item in order {
            let bytes = rounded(max(item.bytes, 1))
            let live = placed
                .filter { $0.lifetime.lastStep >= item.firstStep && $0.lifetime.firstStep <= item.lastStep }
                .sorted { $0.offset < $1.offset }
            var candidate = 0
            for other in live {
                if candidate + bytes <= other.offset { break }
                candidate = max(candidate, rounded(other.offset + other.bytes))
            }
            offsets[item.buffer] = candidate
            placed.append((candidate, bytes, item))
            arena = max(arena, candidate + bytes)
        }
        return Plan(offsets: offsets, arenaBytes: arena)
    }

    public static func rounded(_ bytes: Int) -> Int { (bytes + alignment - 1) / alignment * alignment }
}
