extension Pipeline {
    /// The target-independent passes every compilation runs, top to bottom: inline private
    /// functions, canonicalize, simplify broadcasts, fold constants, canonicalize what folding
    /// exposed, merge common subexpressions, drop dead code.
    public static var standard: Pipeline {
        Pipeline([
            InlinePass(),
            CanonicalizePass(),
            SimplifyBroadcastsPass(),
            FoldConstantsPass(),
            CanonicalizePass(),
            CSEPass(),
            DCEPass(),
        ])
    }

    /// The standard passes by name (for `--dump-after` validation and `--pass=NAME`).
    public static var standardPassNames: [String] {
        var names: [String] = []
        for pass in standard.passes where !names.contains(pass.name) { names.append(pass.name) }
        return names
    }
}
