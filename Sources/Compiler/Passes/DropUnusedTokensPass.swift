import StableHLO

/// `drop-unused-tokens`: removes `after_all` and `create_token` ops whose token nothing
/// reads (also chains of them: an `after_all` that only joins tokens for another unused
/// `after_all`). They have no effect of their own: a token only orders the effects of the
/// ops that take it, and the ops that produced the joined tokens stay.
public struct DropUnusedTokensPass: Pass {
    public var name: String { "drop-unused-tokens" }

    public init() {}

    public func run(on module: inout Module) throws {
        UnreadOperations.remove(from: &module) { $0.name == "stablehlo.after_all" || $0.name == "stablehlo.create_token" }
    }
}
