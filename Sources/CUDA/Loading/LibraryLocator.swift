import Foundation

/// Where to look for a vendor library: an override variable, the system loader path,
/// the CUDA toolkit, and the `nvidia/*/lib` folders of Python virtual environments
/// (where pip wheels such as `nvidia-cuda-nvrtc` put them).
public struct LibraryLocator: Sendable {
    /// Sonames, best first (`libnvrtc.so.13`, `libnvrtc.so.12`).
    public var sonames: [String]
    /// An environment variable naming the library file, or the folder holding it.
    public var overrideVariable: String
    /// Folders below `site-packages` that pip wheels use (`nvidia/cu13/lib`).
    public var wheelFolders: [String]

    /// Describes a library's search.
    public init(sonames: [String], overrideVariable: String, wheelFolders: [String]) {
        self.sonames = sonames
        self.overrideVariable = overrideVariable
        self.wheelFolders = wheelFolders
    }

    /// Every path to try, in order: the override alone when it is set; otherwise, for each
    /// soname (best version first), the loader's search, the CUDA toolkit and the wheel
    /// folders. Full paths are listed only when the file exists.
    public func candidates(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) -> [String] {
        var result: [String] = []
        func add(_ path: String, mustExist: Bool = true) {
            guard !result.contains(path), !mustExist || FileManager.default.fileExists(atPath: path) else { return }
            result.append(path)
        }
        // A set override is the only place looked: a typo or a broken file is an error that
        // names it, never a silent fall-back to another installation.
        if let override = environment[overrideVariable], !override.isEmpty {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: override, isDirectory: &isFolder), isFolder.boolValue {
                for soname in sonames { add(override + "/" + soname, mustExist: false) }
            } else {
                add(override, mustExist: false)
            }
            return result
        }
        var folders: [String] = []
        for variable in ["CUDA_HOME", "CUDA_PATH"] {
            if let root = environment[variable], !root.isEmpty { folders.append(root + "/lib64") }
        }
        folders.append("/usr/local/cuda/lib64")
        for venv in Self.virtualEnvironments(environment: environment, currentDirectory: currentDirectory) {
            for sitePackages in Self.sitePackages(of: venv) {
                folders += wheelFolders.map { sitePackages + "/" + $0 }
            }
        }
        for soname in sonames {
            add(soname, mustExist: false)
            for folder in folders { add(folder + "/" + soname) }
        }
        return result
    }

    /// Virtual environments worth searching: `$VIRTUAL_ENV`, `./.venv`, and the prefix of
    /// each `python3` on `PATH` that lives in a `bin` folder.
    static func virtualEnvironments(environment: [String: String], currentDirectory: String) -> [String] {
        var roots: [String] = []
        if let active = environment["VIRTUAL_ENV"], !active.isEmpty { roots.append(active) }
        roots.append(currentDirectory + "/.venv")
        for entry in (environment["PATH"] ?? "").split(separator: ":") where entry.hasSuffix("/bin") {
            if FileManager.default.fileExists(atPath: entry + "/python3") {
                roots.append(String(entry.dropLast(4)))
            }
        }
        var unique: [String] = []
        for root in roots where !unique.contains(root) { unique.append(root) }
        return unique
    }

    /// `lib/python3.*/site-packages` folders under a virtual environment.
    static func sitePackages(of root: String) -> [String] {
        let lib = root + "/lib"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: lib) else { return [] }
        return entries.filter { $0.hasPrefix("python3") }.sorted().reversed()
            .map { lib + "/" + $0 + "/site-packages" }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }
}
