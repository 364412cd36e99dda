import Runtime
import StableHLO

/// One configured compiler: the active plugins' ops, passes, pipeline extensions and
/// targets, after IREE's plugin sessions. `compile` runs
///
/// 1. the verifier, plus the checks of every op a plugin defines (an op of an unknown
///    dialect that no active plugin defines is an error);
/// 2. the plugins' `beforeStandardPasses` extensions (lower custom ops here);
/// 3. `Pipeline.standard`;
/// 4. the plugins' `afterStandardPasses` extensions;
/// 5. the target's own passes;
/// 6. the target's `translate`.
public struct CompilerSession: Sendable {
    /// What the active plugins registered.
    public let registrar: PluginRegistrar
    /// The active plugins' names, core first.
    public let activePluginNames: [String]
    /// Sees the module after each pass (`--dump-after`, reports, tests).
    public var observer: PassObserver?
    /// Re-verifies the module after every pass (for tests and debugging passes).
    public var verifiesAfterEachPass = false

    /// Dialects whose ops need no plugin: the core IR and the test dialects.
    public static let coreDialects: Set<String> = ["stablehlo", "chlo", "func", "check", "interpreter"]

    /// A session with the plugins `plugins` selects from `registry` (empty: the defaults).
    public init(registry: PluginRegistry, plugins: [String] = []) throws {
        let active = try registry.activePlugins(named: plugins)
        var registrar = PluginRegistrar()
        for plugin in active { plugin.register(in: &registrar) }
        self.registrar = registrar
        activePluginNames = active.map(\.name)
    }

    /// The registered target names, sorted.
    public var targetNames: [String] { registrar.targets.keys.sorted() }

    /// Every pass a compilation for `target` may run, by name, in pipeline order.
    public func passNames(target: String, options: CompileOptions = CompileOptions()) throws -> [String] {
        var names: [String] = []
        for pass in try pipeline(target: target, options: options).passes where !names.contains(pass.name) {
            names.append(pass.name)
        }
        return names
    }

    /// Compiles `module` for `target` into an artifact.
    public func compile(
        _ module: Module, target: String, options: CompileOptions = CompileOptions()
    ) throws -> any CompiledArtifact {
        let backend = try self.backend(named: target)
        let transformed = try lower(module, target: target, options: options)
        return try backend.translate(transformed, options: options)
    }

    /// Verifies `module` and runs every pass of the compilation for `target`, without the
    /// final translation (what `nvgpu inspect` shows).
    public func lower(_ module: Module, target: String, options: CompileOptions = CompileOptions()) throws -> Module {
        let pipeline = try pipeline(target: target, options: options)
        if let observer { try observer.validate(knownPasses: Set(pipeline.passes.map(\.name))) }
        try verify(module)
        var current = module
        for pass in pipeline.passes {
            do {
                try pass.run(on: &current)
            } catch let error as CompileError {
                throw error
            } catch {
                throw CompileError("pass '\(pass.name)' failed: \(error)", at: module.location)
            }
            if verifiesAfterEachPass {
                do {
                    try current.verify()
                } catch {
                    throw CompileError("the module does not verify after pass '\(pass.name)': \(error)")
                }
            }
            observer?.observe(passName: pass.name, module: current)
        }
        return current
    }

    /// Checks `module` with the verifier and the active plugins' op definitions.
    public func verify(_ module: Module) throws {
        try module.verify()
        for function in module.functions { try verify(function.body) }
    }

    /// The passes of a compilation for `target`, in order.
    public func pipeline(target: String, options: CompileOptions = CompileOptions()) throws -> Pipeline {
        let backend = try self.backend(named: target)
        return Pipeline(
            (registrar.extensions[.beforeStandardPasses] ?? [])
                + Pipeline.standard(foldingConstants: options.foldsConstants).passes
                + (registrar.extensions[.afterStandardPasses] ?? []) + backend.passes(options: options))
    }

    private func backend(named target: String) throws -> any TargetBackend {
        guard let backend = registrar.targets[target] else {
            let known = targetNames.isEmpty ? "none" : targetNames.joined(separator: ", ")
            throw CompileError("unknown target '\(target)'; registered targets: \(known)")
        }
        return backend
    }

    private func verify(_ region: Region) throws {
        for block in region.blocks {
            for op in block.operations {
                if let definition = registrar.operations[op.name] {
                    try definition.verify(op)
                } else if let dot = op.name.firstIndex(of: "."),
                          !Self.coreDialects.contains(String(op.name[..<dot])) {
                    throw CompileError(
                        "\(op.name): no active plugin defines this op (active plugins: \(activePluginNames.joined(separator: ", ")))",
                        at: op.location)
                }
                for sub in op.regions { try verify(sub) }
            }
        }
    }
}

/// Watches a compilation pass by pass: `--dump-after=NAME` (repeatable; `all` for every
/// pass) hands the module's text after each chosen pass to `sink`.
public struct PassObserver: Sendable {
    /// Pass names to report after; `all` matches every pass.
    public var passNames: Set<String>
    /// Receives the pass name and the module after it.
    public var sink: @Sendable (_ passName: String, _ module: Module) -> Void

    public init(after passNames: [String], sink: @escaping @Sendable (_ passName: String, _ module: Module) -> Void) {
        self.passNames = Set(passNames)
        self.sink = sink
    }

    /// Writes `// -----// after NAME //----- //` and the module text to standard error.
    public static func dumping(after passNames: [String]) -> PassObserver {
        PassObserver(after: passNames) { name, module in
            var stream = StandardErrorStream()
            print("// -----// IR dump after \(name) //----- //\n\(module.text)", to: &stream)
        }
    }

    func observe(passName: String, module: Module) {
        if passNames.contains("all") || passNames.contains(passName) { sink(passName, module) }
    }

    func validate(knownPasses: Set<String>) throws {
        if let unknown = passNames.first(where: { $0 != "all" && !knownPasses.contains($0) }) {
            throw CompileError(
                "--dump-after: unknown pass '\(unknown)'; passes of this compilation: \(knownPasses.sorted().joined(separator: ", "))")
        }
    }
}
