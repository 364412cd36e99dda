import StableHLO

/// The plugins a compiler knows: the always-on core plus the built-in and host-provided
/// ones. `activePlugins(named:)` picks those a compilation uses (`--plugin=NAME`).
public struct PluginRegistry: Sendable {
    /// Plugins that are active in every compilation (`core`: the standard passes and the
    /// `cpu` reference target).
    public private(set) var corePlugins: [any CompilerPlugin]
    /// Plugins chosen by name or active by default, in registration order.
    public private(set) var plugins: [any CompilerPlugin]

    /// A registry with the core plugin and `plugins` (built into the host program or handed
    /// in by it); a name given twice is an error.
    public init(plugins: [any CompilerPlugin] = []) throws {
        corePlugins = [CorePlugin()]
        self.plugins = []
        for plugin in plugins { try add(plugin) }
    }

    /// Adds a plugin; its name must not be taken.
    public mutating func add(_ plugin: any CompilerPlugin) throws {
        guard !knownPluginNames.contains(plugin.name) else {
            throw CompileError("plugin '\(plugin.name)' is registered twice")
        }
        plugins.append(plugin)
    }

    /// Every plugin name, core first.
    public var knownPluginNames: [String] { corePlugins.map(\.name) + plugins.map(\.name) }

    /// The plugins a compilation uses: the core plus, when `names` is empty, the
    /// default-active plugins, else exactly the named ones (each once, in registry order).
    /// An unknown name is an error that lists the known plugins.
    public func activePlugins(named names: [String]) throws -> [any CompilerPlugin] {
        let known = Set(knownPluginNames)
        if let unknown = names.first(where: { !known.contains($0) }) {
            throw CompileError(
                "unknown plugin '\(unknown)'; known plugins: \(knownPluginNames.joined(separator: ", "))")
        }
        let chosen = names.isEmpty
            ? plugins.filter(\.isActiveByDefault)
            : plugins.filter { names.contains($0.name) }
        return corePlugins + chosen
    }

    /// The registrar filled by the plugins `names` selects (see `activePlugins(named:)`).
    public func registrar(activating names: [String]) throws -> PluginRegistrar {
        var registrar = PluginRegistrar()
        for plugin in try activePlugins(named: names) { plugin.register(in: &registrar) }
        return registrar
    }
}

/// The always-on plugin: the standard passes by name and the `cpu` reference target.
public struct CorePlugin: CompilerPlugin {
    public var name: String { "core" }
    public var isActiveByDefault: Bool { true }

    public init() {}

    public func register(in registrar: inout PluginRegistrar) {
        for pass in Pipeline.standard.passes { registrar.addPass(pass) }
        registrar.addTarget(ReferenceTarget())
    }
}
