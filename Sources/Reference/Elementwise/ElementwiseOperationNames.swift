extension Interpreter {
    /// The names of the elementwise, conversion, CHLO and check ops the reference
    /// backend runs (for tools that sort programs by the ops they use).
    public static var elementwiseOperationNames: Set<String> {
        Set(ElementwiseKernels.table.keys).union(CheckKernels.table.keys)
    }
}
