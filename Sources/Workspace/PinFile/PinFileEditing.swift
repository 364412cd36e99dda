import Foundation

extension PinFile {
    /// Writes `self` over the pin file at `url` touching only what changed: when the file on
    /// disk differs from `self` in revisions alone, each changed `"revision"` string is
    /// replaced in place (formatting, key order, comments-free layout and every other entry
    /// stay byte for byte as they were); otherwise the canonical text is written. Atomic
    /// either way.
    public func writePreservingLayout(to url: URL) throws(WorkspaceError) {
        guard let text = try? String(contentsOf: url, encoding: .utf8),
            let edited = try? Self.editedText(text, file: url.path, to: self)
        else {
            try write(to: url)
            return
        }
        do {
            try Data(edited.utf8).write(to: url, options: .atomic)
        } catch {
            throw .refused("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// `text` (a pin file equal to `target` except for revisions) with the revisions of
    /// `target` spliced in; `nil` when anything else differs.
    static func editedText(_ text: String, file: String, to target: PinFile) throws(WorkspaceError) -> String? {
        let current = try PinFileDecoder.decode(text, file: file)
        guard current.check == target.check, current.dependencies.count == target.dependencies.count else { return nil }
        let root = try JSONDocumentParser.parse(text, file: file)
        guard case .object(let members, _) = root,
            case .array(let elements, _)? = members.first(where: { $0.key == "dependencies" })?.value
        else { return nil }
        var bytes = Array(text.utf8)
        let lineStarts = Self.lineStarts(bytes)
        // Replace from the end of the file backwards so earlier offsets stay valid.
        var edits: [(start: Int, end: Int, replacement: [UInt8])] = []
        for (index, (old, new)) in zip(current.dependencies, target.dependencies).enumerated() {
            var withNewRevision = old
            withNewRevision.revision = new.revision
            guard withNewRevision == new else { return nil }
            if old.revision == new.revision { continue }
            guard index < elements.count, case .object(let fields, _) = elements[index],
                let revision = fields.first(where: { $0.key == "revision" })?.value,
                case .string = revision
            else { return nil }
            let position = revision.position
            guard position.line - 1 < lineStarts.count else { return nil }
            let start = lineStarts[position.line - 1] + position.column - 1
            guard let end = Self.endOfStringLiteral(bytes, from: start) else { return nil }
            edits.append((start, end, Array(Self.quoted(new.revision).utf8)))
        }
        for edit in edits.sorted(by: { $0.start > $1.start }) {
            bytes.replaceSubrange(edit.start..<edit.end, with: edit.replacement)
        }
        let edited = String(decoding: bytes, as: UTF8.self)
        guard try PinFileDecoder.decode(edited, file: file) == target else { return nil }
        return edited
    }

    private static func lineStarts(_ bytes: [UInt8]) -> [Int] {
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
        return starts
    }

    /// The offset just past the string literal whose opening quote is at `start`.
    private static func endOfStringLiteral(_ bytes: [UInt8], from start: Int) -> Int? {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "\"") else { return nil }
        var offset = start + 1
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: "\\"): offset += 2
            case UInt8(ascii: "\""): return offset + 1
            default: offset += 1
            }
        }
        return nil
    }
}
