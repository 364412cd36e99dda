/// Turns pin-file JSON into a validated `PinFile`, with file:line:column on every error.
enum PinFileDecoder {
    static func decode(_ text: String, file: String) throws(WorkspaceError) -> PinFile {
        let root = try JSONDocumentParser.parse(text, file: file)
        guard case .object(let members, _) = root else {
            throw .invalidFile(root.position, "a pin file must be a JSON object, found \(root.kindName)")
        }
        try rejectUnknownKeys(members, allowed: ["version", "check", "dependencies"])
        guard let version = members.first(where: { $0.key == "version" }) else {
            throw .invalidFile(root.position, "missing \"version\" (this tool writes version \(PinFile.currentVersion))")
        }
        guard case .number(let number, _) = version.value, number == Double(PinFile.currentVersion) else {
            throw .invalidFile(version.value.position, "unsupported pin file version (expected \(PinFile.currentVersion))")
        }
        var pins = PinFile()
        if let check = members.first(where: { $0.key == "check" }) {
            pins.check = try string(check.value, field: "check")
        }
        if let dependencies = members.first(where: { $0.key == "dependencies" }) {
            guard case .array(let elements, _) = dependencies.value else {
                throw .invalidFile(dependencies.value.position, "\"dependencies\" must be an array")
            }
            var seenNames: Set<String> = []
            var seenPaths: Set<String> = []
            for element in elements {
                let dependency = try decodeDependency(element)
                if !seenNames.insert(dependency.name).inserted {
                    throw .invalidFile(element.position, "dependency '\(dependency.name)' is listed twice")
                }
                if !seenPaths.insert(dependency.path).inserted {
                    throw .invalidFile(element.position, "two dependencies share the path '\(dependency.path)'")
                }
                pins.dependencies.append(dependency)
            }
        }
        return pins
    }

    private static func decodeDependency(_ node: JSONNode) throws(WorkspaceError) -> Dependency {
        guard case .object(let members, let position) = node else {
            throw .invalidFile(node.position, "a dependency must be an object, found \(node.kindName)")
        }
        try rejectUnknownKeys(members, allowed: ["name", "url", "path", "revision", "submodules", "track"])
        func required(_ key: String) throws(WorkspaceError) -> JSONNode {
            guard let member = members.first(where: { $0.key == key }) else {
                throw .invalidFile(position, "dependency is missing \"\(key)\"")
            }
            return member.value
        }
        let nameNode = try required("name")
        let name = try string(nameNode, field: "name")
        try check(PinValidation.validateName(name), at: nameNode)
        let urlNode = try required("url")
        let url = try string(urlNode, field: "url")
        try check(PinValidation.validateURL(url), at: urlNode)
        var path = name
        if let pathNode = members.first(where: { $0.key == "path" })?.value {
            path = try string(pathNode, field: "path")
            try check(PinValidation.validateRelativePath(path), at: pathNode)
        }
        let revisionNode = try required("revision")
        let revision = try string(revisionNode, field: "revision")
        try check(PinValidation.validateRevision(revision), at: revisionNode)
        var submodules = false
        if let node = members.first(where: { $0.key == "submodules" })?.value {
            guard case .bool(let value, _) = node else {
                throw .invalidFile(node.position, "\"submodules\" must be true or false")
            }
            submodules = value
        }
        var track: TrackingRule?
        if let node = members.first(where: { $0.key == "track" })?.value {
            track = try decodeTrack(node)
        }
        return Dependency(
            name: name, url: url, path: path, revision: revision, submodules: submodules, track: track,
            declaredAt: position)
    }

    private static func decodeTrack(_ node: JSONNode) throws(WorkspaceError) -> TrackingRule {
        guard case .object(let members, _) = node, members.count == 1, let member = members.first else {
            throw .invalidFile(node.position, "\"track\" must be {\"tags\": \"PATTERN\"} or {\"branch\": \"NAME\"}")
        }
        let value = try string(member.value, field: member.key)
        switch member.key {
        case "tags":
            try check(PinValidation.validateTagPattern(value), at: member.value)
            return .tags(pattern: value)
        case "branch":
            try check(PinValidation.validateRevision(value), at: member.value)
            return .branch(value)
        default:
            throw .invalidFile(member.keyPosition, "unknown tracking rule '\(member.key)' (use \"tags\" or \"branch\")")
        }
    }

    private static func string(_ node: JSONNode, field: String) throws(WorkspaceError) -> String {
        guard case .string(let value, _) = node else {
            throw .invalidFile(node.position, "\"\(field)\" must be a string, found \(node.kindName)")
        }
        return value
    }

    private static func check(_ problem: String?, at node: JSONNode) throws(WorkspaceError) {
        if let problem { throw .invalidFile(node.position, problem) }
    }

    private static func rejectUnknownKeys(
        _ members: [(key: String, keyPosition: SourcePosition, value: JSONNode)], allowed: Set<String>
    ) throws(WorkspaceError) {
        for member in members where !allowed.contains(member.key) {
            throw .invalidFile(
                member.keyPosition,
                "unknown key '\(member.key)' (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
    }
}
