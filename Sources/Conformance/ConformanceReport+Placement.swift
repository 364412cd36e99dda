import Foundation

/// Where passing cases ran, for runs on a device (`--device=cuda`): a case passes "on the
/// GPU" only when every op but the `check.*` assertions ran there.
extension ConformanceReport {
    /// Whether any outcome carries a placement (the run used a device executor).
    public var hasPlacements: Bool { outcomes.contains { $0.placement != nil } }

    /// Passing cases whose every non-check op ran on the device.
    public var passedOnDevice: Int {
        outcomes.filter { $0.status == .passed && $0.placement == .device }.count
    }

    /// Passing cases that needed host fallbacks.
    public var passedWithHostFallbacks: Int {
        outcomes.filter { $0.status == .passed && $0.placement == .hostFallback }.count
    }

    /// Passing cases whose every op but host I/O ran on the device.
    public var passedWithHostIOOnly: Int {
        outcomes.filter { $0.status == .passed && $0.placement == .deviceWithHostIO }.count
    }

    /// `N passed: N fully on the device, N with host fallbacks`, or nil without placements
    /// (cases whose only host ops are I/O are counted apart).
    public var placementLine: String? {
        guard hasPlacements else { return nil }
        let io = passedWithHostIOOnly
        return "\(passed) passed: \(passedOnDevice) with every op on the device, "
            + (io > 0 ? "\(io) with every op on the device but host I/O (interpreter.probe/print, infeed, outfeed), " : "")
            + "\(passedWithHostFallbacks) with host fallbacks"
    }

    /// Passing cases with every op on the device, per family.
    public var passedOnDeviceByFamily: [String: Int] {
        var counts: [String: Int] = [:]
        for o in outcomes where o.status == .passed && o.placement == .device { counts[o.family, default: 0] += 1 }
        return counts
    }

    /// Host-fallback reasons of passing cases with the number of cases each, most frequent first.
    public var hostFallbackReasons: [(reason: String, cases: Int)] {
        var counts: [String: Int] = [:]
        for o in outcomes where o.status == .passed {
            for reason in Set(o.hostFallbacks ?? []) { counts[reason, default: 0] += 1 }
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The host-fallback reasons and the placement line, as printed above the summary.
    func renderPlacements(maxReasons: Int) -> String {
        guard let line = placementLine else { return "" }
        var out = ""
        let reasons = hostFallbackReasons
        if !reasons.isEmpty {
            out += "\nhost fallbacks in passing cases (cases):\n"
            for r in reasons.prefix(maxReasons) { out += "  \(r.reason): \(r.cases)\n" }
            if reasons.count > maxReasons { out += "  … \(reasons.count - maxReasons) more reasons (see --json)\n" }
        }
        return out + "\n" + line + "\n"
    }
}
