extension Pipeline {
    /// The target-independent passes every compilation runs, top to bottom: lower quantized
    /// tensors to integer and float math, inline private functions, canonicalize, simplify broadcasts, fold constants, canonicalize what folding
    /// exposed, merge common subexpressions, drop dead code.
    public static var standard: Pipeline { standard(foldingConstants: true) }

    /// The standard passes; without `foldingConstants` the fold-constants pass is left out
    /// (`CompileOptions.foldsConstants`), so ops on constants run on the target.
    public static func standard(foldingConstants: Bool) -> Pipeline {
        let folding: [any Pass] = foldingConstants ? [FoldConstantsPass()] : []
        let before: [any Pass] = [LowerQuantizedPass(), InlinePass(), CanonicalizePass(), SimplifyBroadcastsPass()]
        let after: [any Pass] = [CanonicalizePass(), CSEPass(), DCEPass()]
        return Pipeline(before + folding + after)
    }

    /// The standard passes by name (for `--dump-after` validation and `--pass=NAME`).
    public static var standardPassNames: [String] {
        var names: [String] = []
        for pass in standard.passes where !names.contains(pass.name) { names.append(pass.name) }
        return names
    }
}
