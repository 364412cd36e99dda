import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a finished process printed and how it exited.
public struct ProcessOutput: Sendable {
    /// The exit status (or the terminating signal's number, for a killed process).
    public var status: Int32
    /// Everything it wrote to standard output.
    public var stdout: String
    /// Everything it wrote to standard error.
    public var stderr: String
}

/// Callbacks about one child process: its id once started (for the journal), and its
/// standard error as it arrives (for progress displays).
public struct ProcessObserver: Sendable {
    /// Called with the child's process id right after it started.
    public var launched: (@Sendable (Int32) -> Void)?
    /// Called with each piece of standard error as it arrives (it is collected as well).
    public var standardError: (@Sendable (String) -> Void)?

    public init(
        launched: (@Sendable (Int32) -> Void)? = nil, standardError: (@Sendable (String) -> Void)? = nil
    ) {
        self.launched = launched
        self.standardError = standardError
    }
}

/// Runs programs with an argument vector, never through a shell (except `runShell`, which
/// runs a user-supplied command with `/bin/sh -c` on purpose).
///
/// Children are started with `posix_spawn` in *our* process group (Foundation's `Process`
/// makes each child the leader of a new group), so that killing the group we run in (a
/// CI job cancelled, Ctrl-C on a terminal) kills the git processes we started too, instead
/// of leaving them running with the repository's locks held.
public enum ProcessRunner {
    /// Runs `executable` (looked up on `PATH`) with `arguments` in `directory`, adding
    /// `environment` to the inherited one; collects its output.
    public static func run(
        _ executable: String, _ arguments: [String], in directory: URL, environment: [String: String] = [:],
        observer: ProcessObserver? = nil
    ) throws(WorkspaceError) -> ProcessOutput {
        let stdout = try makePipe(executable)
        let stderr: (read: Int32, write: Int32)
        do {
            stderr = try makePipe(executable)
        } catch {
            close(stdout.read)
            close(stdout.write)
            throw error
        }
        let pid: pid_t
        do {
            pid = try spawn(
                executable, arguments, directory: directory, environment: environment,
                outputs: (stdout.write, stderr.write))
        } catch {
            for fd in [stdout.read, stdout.write, stderr.read, stderr.write] { close(fd) }
            throw error
        }
        close(stdout.write)
        close(stderr.write)
        observer?.launched?(pid)
        let stderrBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        let onStandardError = observer?.standardError
        DispatchQueue.global().async {
            stderrBox.data = readAll(stderr.read) { chunk in onStandardError?(String(decoding: chunk, as: UTF8.self)) }
            group.leave()
        }
        let stdoutData = readAll(stdout.read) { _ in }
        group.wait()
        let status = waitForExit(pid)
        return ProcessOutput(
            status: status, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrBox.data, as: UTF8.self))
    }

    /// Runs a user-supplied shell command with `/bin/sh -c`, in `directory`, passing context
    /// only through `environment` (nothing is interpolated into the command). Each output
    /// line (stdout and stderr merged) goes to `onLine`; returns the exit status.
    public static func runShell(
        _ command: String, in directory: URL, environment: [String: String],
        onLine: @Sendable (String) -> Void
    ) throws(WorkspaceError) -> Int32 {
        let output = try makePipe("/bin/sh")
        let pid: pid_t
        do {
            pid = try spawn(
                "/bin/sh", ["-c", command], directory: directory, environment: environment,
                outputs: (output.write, output.write))
        } catch {
            close(output.read)
            close(output.write)
            throw error
        }
        close(output.write)
        var pending = Data()
        _ = readAll(output.read) { chunk in
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                onLine(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        if !pending.isEmpty { onLine(String(decoding: pending, as: UTF8.self)) }
        return waitForExit(pid)
    }

    /// Makes SIGTERM, SIGINT and SIGHUP sent to this process alone (`kill PID`) reach the
    /// children too: when we lead our process group (a shell job, a process started by a CI
    /// runner or by `Process`), the signal is passed on to the group, then we exit with
    /// 128 + the signal's number. A signal sent to the whole group reaches them anyway.
    public static func forwardTerminationSignals() {
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for number in [SIGTERM, SIGINT, SIGHUP] {
            let previous = signal(number, terminationHandler)
            // A signal ignored on purpose (SIGINT of a background job) stays ignored.
            if let previous, unsafeBitCast(previous, to: Int.self) == 1 /* SIG_IGN */ {
                signal(number, SIG_IGN)
                continue
            }
            sigaddset(&unblocked, number)
        }
        // A parent may have started us with these blocked (the mask survives exec).
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    }

    private static let terminationHandler: @convention(c) (Int32) -> Void = { number in
        // Only async-signal-safe calls here.
        if getpgrp() == getpid() {
            signal(number, SIG_IGN)
            kill(0, number)
        }
        _exit(128 + number)
    }

    /// Whether process `pid` is still running (a zombie, dead but not yet reaped, is not).
    public static func isRunning(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno != EPERM { return false }
        #if os(Linux)
            // `/proc/PID/stat` is "PID (COMMAND) STATE ...": a killed process whose parent died
            // too may stay a zombie for a while when nothing reaps orphans.
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            {
                let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
                return state != "Z" && state != "X"
            }
        #endif
        return true
    }

    // MARK: posix_spawn

    /// Held while pipes are made and children spawned (see `makePipe`).
    private static let spawnLock = NSLock()

    #if canImport(Darwin)
        private typealias FileActionsPointer = UnsafeMutablePointer<posix_spawn_file_actions_t?>
    #else
        private typealias FileActionsPointer = UnsafeMutablePointer<posix_spawn_file_actions_t>
    #endif
    private typealias AddChdir = @convention(c) (FileActionsPointer, UnsafePointer<CChar>) -> Int32

    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29, macOS 10.15), looked up at run
    /// time because the C module does not export it.
    private static let addChdirFunction: AddChdir? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addchdir_np")
        else { return nil }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    private static func makePipe(_ executable: String) throws(WorkspaceError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        // Marked close-on-exec under the lock every spawn takes, so that no child started
        // on another thread meanwhile inherits them (which would keep our reads open).
        spawnLock.lock()
        let result = pipe(&fds)
        if result == 0 {
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        spawnLock.unlock()
        guard result == 0 else {
            throw .launchFailed(executable: executable, reason: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        return (fds[0], fds[1])
    }

    /// Starts `executable` (a path, or a name looked up on `PATH`) with standard input from
    /// `/dev/null` and standard output/error on `outputs`, in our own process group.
    private static func spawn(
        _ executable: String, _ arguments: [String], directory: URL, environment: [String: String],
        outputs: (stdout: Int32, stderr: Int32)
    ) throws(WorkspaceError) -> pid_t {
        #if canImport(Darwin)
            var actions: posix_spawn_file_actions_t? = nil
            var attributes: posix_spawnattr_t? = nil
        #else
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputs.stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, outputs.stderr, 2)
        var program = executable
        var argumentVector = [executable] + arguments
        if let addChdir = addChdirFunction {
            _ = addChdir(&actions, directory.path)
        } else {
            // No posix_spawn_file_actions_addchdir_np: change directory in a shell that then
            // execs the program (the directory and arguments stay positional parameters).
            program = "/bin/sh"
            argumentVector = ["/bin/sh", "-c", "cd -- \"$1\" && shift && exec \"$@\"", "sh", directory.path]
                + argumentVector
        }
        // Default signal dispositions and an empty mask in the child (we may ignore SIGPIPE);
        // no POSIX_SPAWN_SETPGROUP: the child stays in our process group.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv: [UnsafeMutablePointer<CChar>?] = argumentVector.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        spawnLock.lock()
        let result = argv.withUnsafeBufferPointer { argvBuffer in
            envp.withUnsafeBufferPointer { envpBuffer in
                guard let arguments = argvBuffer.baseAddress, let variables = envpBuffer.baseAddress else { return EINVAL }
                return posix_spawnp(&pid, program, &actions, &attributes, arguments, variables)
            }
        }
        spawnLock.unlock()
        guard result == 0 else {
            throw .launchFailed(executable: executable, reason: String(cString: strerror(result)))
        }
        return pid
    }

    /// Reads `fd` to its end (then closes it), passing each chunk to `onChunk` as it comes.
    private static func readAll(_ fd: Int32, onChunk: (Data) -> Void) -> Data {
        var collected = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            let chunk = Data(buffer[0..<count])
            collected.append(chunk)
            onChunk(chunk)
        }
        close(fd)
        return collected
    }

    /// Waits for `pid`; its exit status, or the number of the signal that killed it.
    private static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }
}

/// Output collected on another thread; read only after the collecting work has finished.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
