/// The module's call graph (`func.call` edges, found in every nested region), walked with
/// explicit stacks so that deep programs cannot exhaust the native stack.
///
/// StableHLO programs do not recurse: a cycle of calls would make every interpreter and
/// compiler that inlines or evaluates calls run forever (or overflow its stack), so the
/// verifier reports the first call that closes a cycle, with the cycle's path.
struct CallGraph {
    /// One call site: the caller, the callee and where the call is.
    struct Call {
        var caller: String
        var callee: String
        var location: SourceLocation
    }

    /// Call sites per caller, in program order.
    private(set) var calls: [String: [Call]] = [:]

    init(_ module: Module) {
        for function in module.functions {
            var sites: [Call] = []
            var regions: [Region] = [function.body]
            while let region = regions.popLast() {
                for block in region.blocks {
                    for op in block.operations {
                        if op.name == "func.call" {
                            switch op[attribute: "callee"] {
                            case .symbolRef(let name)?, .string(let name)?:
                                sites.append(Call(caller: function.name, callee: name, location: op.location))
                            default: break
                            }
                        }
                        regions.append(contentsOf: op.regions.reversed())
                    }
                }
            }
            calls[function.name, default: []] += sites
        }
    }

    /// The first call (in a depth-first walk from each function in order) that reaches a
    /// function still on the walk's path, with the path from that function back to itself.
    func firstCycle(order: [String]) -> (call: Call, path: [String])? {
        enum Mark { case onPath, done }
        var marks: [String: Mark] = [:]
        for root in order where marks[root] == nil {
            // Each frame: a function on the path and the index of its next call to follow.
            var stack: [(name: String, next: Int)] = [(root, 0)]
            marks[root] = .onPath
            while let top = stack.last {
                let sites = calls[top.name] ?? []
                guard top.next < sites.count else {
                    marks[top.name] = .done
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let call = sites[top.next]
                switch marks[call.callee] {
                case .onPath?:
                    let start = stack.firstIndex { $0.name == call.callee } ?? 0
                    return (call, stack[start...].map(\.name) + [call.callee])
                case .done?:
                    continue
                case nil:
                    guard calls[call.callee] != nil else { continue }  // undefined: reported elsewhere
                    marks[call.callee] = .onPath
                    stack.append((call.callee, 0))
                }
            }
        }
        return nil
    }
}
