// nvgpu-soak: the PJRT plugin under a long, many-threaded run (issue 14, item 4), and a drill
// of provoked GPU faults (item 5).
//
//   nvgpu-soak [--backend cpu|cuda] [--threads 8] [--executions 1000] [--scale small|full]
//              [--json FILE] [--rss-slack-mib 32]
//   nvgpu-soak faults [--wrong-library PATH] [--json FILE]     (a CUDA device only)
//   nvgpu-soak faults --sticky illegal-address|trap            (the drill's child process)
//
// Every thread runs `executions` executions of a mix of five programs through the plugin's
// C table, with input buffers created, donated and deleted (some while their run is still
// pending), and checks every output. Bytes in use (`PJRT_Device_MemoryStats`), the device
// allocator's reserve and the host RSS are read after a warm-up tenth and then at four
// checkpoints; the run fails on any wrong result or error, on any growth of the bytes in
// use, on growth of the reserve over the second half, or on RSS growth beyond the slack.
// Exit status 0 on a pass, 1 on a failure.
import Foundation
import PJRTSoak

func usage() -> Never {
    FileHandle.standardError.write(Data("""
        usage: nvgpu-soak [--backend cpu|cuda] [--threads N] [--executions N] [--scale small|full] [--json FILE] [--rss-slack-mib N]
               nvgpu-soak faults [--wrong-library PATH] [--json FILE]
               nvgpu-soak faults --sticky illegal-address|trap

        """.utf8))
    exit(2)
}

func write<T: Encodable>(_ value: T, to path: String?) throws {
    guard let path else { return }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(value).write(to: URL(fileURLWithPath: path))
}

if CommandLine.arguments.dropFirst().first == "faults", CommandLine.arguments.dropFirst(2).first == "--sticky" {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-faults-\(getpid())")
    guard let name = CommandLine.arguments.dropFirst(3).first, let fault = InjectedFaultKind(rawValue: name) else { usage() }
    do {
        print(try FaultDrill(wrongLibrary: nil, scratch: scratch).stickyCase(fault))
        exit(0)
    } catch {
        print("sticky case failed: \(error)")
        exit(1)
    }
}

if CommandLine.arguments.dropFirst().first == "faults" {
    var wrongLibrary: String?
    var jsonPath: String?
    var arguments = CommandLine.arguments.dropFirst(2)
    while let flag = arguments.popFirst() {
        guard let value = arguments.popFirst() else { usage() }
        switch flag {
        case "--wrong-library": wrongLibrary = value
        case "--json": jsonPath = value
        default: usage()
        }
    }
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-faults-\(getpid())")
    let outcomes = FaultDrill(wrongLibrary: wrongLibrary, scratch: scratch).run { print($0) }
    try? FileManager.default.removeItem(at: scratch)
    try? write(outcomes, to: jsonPath)
    let passed = outcomes.filter(\.passed).count
    print("faults: \(passed) of \(outcomes.count) cases passed; the process is alive")
    exit(passed == outcomes.count ? 0 : 1)
}

var soak = SoakRun(backend: "cpu", threads: 8, executions: 1000, scale: .small)
var jsonPath: String?
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    guard let value = arguments.popFirst() else { usage() }
    switch flag {
    case "--backend": soak.backend = value
    case "--threads": soak.threads = Int(value).map { max(1, $0) } ?? soak.threads
    case "--executions": soak.executions = Int(value).map { max(10, $0) } ?? soak.executions
    case "--scale": guard let scale = SoakProgram.Scale(rawValue: value) else { usage() }; soak.scale = scale
    case "--json": jsonPath = value
    case "--rss-slack-mib": soak.rssSlackBytes = (Int(value) ?? 32) << 20
    default: usage()
    }
}

print("soak: \(soak.threads) threads × \(soak.executions) executions, \(soak.scale.rawValue) programs, backend \(soak.backend)")
do {
    let report = try soak.run { print($0) }
    print(String(format: "%d executions checked in %.1f s; %d donated inputs, %d deletes while pending",
                 report.executionsChecked, report.seconds, report.donations, report.deletesWhilePending))
    print("growth after warm-up: in use \(report.bytesInUseGrowth) B, device reserve "
          + "\(report.bytesReservedGrowth.map { "\($0) B (second half: \(report.bytesReservedLateGrowth ?? 0) B)" } ?? "n/a"), "
          + "RSS \(report.residentGrowth >> 10) KiB (slack \(report.rssSlackBytes >> 20) MiB)")
    for failure in report.failures { print("FAIL: \(failure)") }
    try write(report, to: jsonPath)
    print(report.passed ? "soak: PASS" : "soak: FAIL")
    exit(report.passed ? 0 : 1)
} catch {
    print("soak: FAIL: \(error)")
    exit(1)
}
