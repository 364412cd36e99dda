@testable import StableHLO

/// Parses `body` as the body of `func.func @f(args)` and returns the function's ops.
func parseBody(_ body: String, arguments: String = "") throws -> [StableHLO.Operation] {
    let module = try Module.parse("func.func @f(\(arguments)) {\n\(body)\n}", file: "test.mlir")
    return module.functions.first?.body.blocks.first?.operations ?? []
}

/// The first op of `body`.
func parseFirstOp(_ body: String, arguments: String = "") throws -> StableHLO.Operation? {
    try parseBody(body, arguments: arguments).first
}

/// The diagnostic `Module.parse` throws for `text`, or nil when it parses.
func parseError(_ text: String) -> Diagnostic? {
    do {
        _ = try Module.parse(text, file: "bad.mlir")
        return nil
    } catch let d as Diagnostic {
        return d
    } catch {
        return nil
    }
}

/// The attribute of `const` in `%c = stablehlo.constant <literal>`.
func parseConstantValue(_ literal: String) throws -> Attribute? {
    try parseFirstOp("%c = stablehlo.constant \(literal)")?[attribute: "value"]
}
