import Foundation

/// A repository in a resolved workspace: the pin it is synced to and who pinned it.
public struct ResolvedRepository: Sendable, Equatable {
    /// The winning pin (the first one met, breadth-first from the root project).
    public var pin: Dependency
    /// The project or repository whose pin file declared `pin`.
    public var pinnedBy: String
    /// The names of the repositories it depends on (from its own pin file at the pinned revision).
    public var dependencies: [String]
    /// Whether its own pin file could be read (false when it is not cloned yet).
    public var pinFileKnown: Bool
    /// The revision its pin file gives each of its dependencies.
    public var pinnedRevisions: [String: String] = [:]
}

/// Two pin files that pin one repository differently. Never resolved silently.
public struct PinConflict: Sendable, Equatable, CustomStringConvertible {
    /// The repository both pin.
    public var name: String
    /// The first pin met and who declared it.
    public var first: (source: String, pin: Dependency)
    /// The disagreeing pin and who declared it.
    public var second: (source: String, pin: Dependency)

    public static func == (lhs: PinConflict, rhs: PinConflict) -> Bool {
        lhs.name == rhs.name && lhs.first.source == rhs.first.source && lhs.first.pin == rhs.first.pin
            && lhs.second.source == rhs.second.source && lhs.second.pin == rhs.second.pin
    }

    public var description: String {
        func describe(_ side: (source: String, pin: Dependency)) -> String {
            let location = side.pin.declaredAt.map { " (\($0))" } ?? ""
            return "\(side.source) pins \(side.pin.revision) at \(side.pin.path) from \(side.pin.url)\(location)"
        }
        return "conflicting pins for '\(name)': \(describe(first)); \(describe(second))"
    }
}

/// The transitive dependency graph of a project: its pins, its dependencies' pins, and so on.
public struct DependencyGraph: Sendable {
    /// The project whose pin file is the root.
    public var rootProject: Project
    /// The root project's direct dependencies.
    public var rootDependencies: [String]
    /// The revision the root project pins each direct dependency at.
    public var rootRevisions: [String: String] = [:]
    /// Every repository reached, by name.
    public var repositories: [String: ResolvedRepository]
    /// Every disagreement between pin files.
    public var conflicts: [PinConflict]

    /// Reads a repository's pin file at its pinned revision; `nil` when it has none or is not available.
    public typealias PinFileReader = (Dependency) throws(WorkspaceError) -> PinFile?
    /// Tells whether two revisions name the same commit in a repository (when it can tell).
    public typealias RevisionComparer = (Dependency, String, String) -> Bool

    /// Resolves the graph breadth-first from `rootPins`.
    public static func resolve(
        project: Project, pins rootPins: PinFile, readPins: PinFileReader,
        sameCommit: RevisionComparer = { _, a, b in a == b }
    ) throws(WorkspaceError) -> DependencyGraph {
        var graph = DependencyGraph(
            rootProject: project, rootDependencies: rootPins.dependencies.map(\.name), repositories: [:],
            conflicts: [])
        for dependency in rootPins.dependencies { graph.rootRevisions[dependency.name] = dependency.revision }
        var queue: [(source: String, pin: Dependency)] = rootPins.dependencies.map { (project.name, $0) }
        var cursor = 0
        while cursor < queue.count {
            let (source, pin) = queue[cursor]
            cursor += 1
            if pin.name == project.name {
                throw .inconsistentGraph("\(source) depends on the root project '\(project.name)' (a cycle)")
            }
            if var existing = graph.repositories[pin.name] {
                if disagree(existing.pin, pin, sameCommit: sameCommit) {
                    graph.conflicts.append(
                        PinConflict(name: pin.name, first: (existing.pinnedBy, existing.pin), second: (source, pin)))
                } else if pin.submodules && !existing.pin.submodules {
                    existing.pin.submodules = true
                    graph.repositories[pin.name] = existing
                }
                continue
            }
            if let other = graph.repositories.values.first(where: { $0.pin.path == pin.path }) {
                graph.conflicts.append(
                    PinConflict(name: pin.name, first: (other.pinnedBy, other.pin), second: (source, pin)))
                continue
            }
            let ownPins = try readPins(pin)
            let children = ownPins?.dependencies ?? []
            graph.repositories[pin.name] = ResolvedRepository(
                pin: pin, pinnedBy: source, dependencies: children.map(\.name), pinFileKnown: ownPins != nil,
                pinnedRevisions: Dictionary(children.map { ($0.name, $0.revision) }, uniquingKeysWith: { a, _ in a }))
            queue.append(contentsOf: children.map { (pin.name, $0) })
        }
        return graph
    }

    private static func disagree(_ a: Dependency, _ b: Dependency, sameCommit: RevisionComparer) -> Bool {
        func normalized(_ url: String) -> String {
            var text = url
            while text.hasSuffix("/") { text.removeLast() }
            if text.hasSuffix(".git") { text.removeLast(4) }
            return text
        }
        if a.path != b.path || normalized(a.url) != normalized(b.url) { return true }
        return a.revision != b.revision && !sameCommit(a, a.revision, b.revision)
    }

    /// Names of conflicted repositories.
    public var conflictedNames: Set<String> { Set(conflicts.map(\.name)) }

    /// The repositories, each after everything it depends on (ties broken by name).
    public func dependencyOrder() throws(WorkspaceError) -> [String] {
        var order: [String] = []
        var state: [String: Bool] = [:]  // false: in progress, true: done
        func visit(_ name: String, trail: [String]) throws(WorkspaceError) {
            if state[name] == true { return }
            if state[name] == false {
                let cycle = (trail.drop { $0 != name } + [name]).joined(separator: " -> ")
                throw .inconsistentGraph("dependency cycle: \(cycle)")
            }
            state[name] = false
            for child in (repositories[name]?.dependencies ?? []).sorted() where repositories[child] != nil {
                try visit(child, trail: trail + [name])
            }
            state[name] = true
            order.append(name)
        }
        for name in repositories.keys.sorted() { try visit(name, trail: []) }
        return order
    }

    /// The graph as indented text, the root project first.
    public func textTree() -> String {
        var lines = ["\(rootProject.name) (project)"]
        func walk(_ names: [String], revisions: [String: String], prefix: String, seen: Set<String>) {
            for (index, name) in names.enumerated() {
                let last = index == names.count - 1
                let marker = conflictedNames.contains(name) ? " [CONFLICT]" : ""
                guard let repo = repositories[name] else { continue }
                let short = String((revisions[name] ?? repo.pin.revision).prefix(12))
                let repeated = seen.contains(name)
                lines.append(prefix + (last ? "└── " : "├── ") + "\(name) @ \(short)\(marker)" + (repeated ? " (cycle)" : ""))
                if !repeated {
                    walk(
                        repo.dependencies, revisions: repo.pinnedRevisions, prefix: prefix + (last ? "    " : "│   "),
                        seen: seen.union([name]))
                }
            }
        }
        walk(rootDependencies, revisions: rootRevisions, prefix: "", seen: [])
        return lines.joined(separator: "\n")
    }

    /// The graph in Graphviz DOT.
    public func dot() -> String {
        func quoted(_ text: String) -> String { PinFile.quoted(text) }
        var lines = ["digraph workspace {", "  rankdir=LR;", "  \(quoted(rootProject.name)) [shape=box, style=bold];"]
        for name in repositories.keys.sorted() {
            guard let repo = repositories[name] else { continue }
            let color = conflictedNames.contains(name) ? ", color=red" : ""
            lines.append("  \(quoted(name)) [label=\(quoted("\(name)\n\(repo.pin.revision.prefix(12))"))\(color)];")
        }
        for name in rootDependencies { lines.append("  \(quoted(rootProject.name)) -> \(quoted(name));") }
        for name in repositories.keys.sorted() {
            for child in repositories[name]?.dependencies ?? [] {
                lines.append("  \(quoted(name)) -> \(quoted(child));")
            }
        }
        for conflict in conflicts {
            lines.append(
                "  // conflict: \(conflict.name) pinned by \(conflict.first.source) and \(conflict.second.source)")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
