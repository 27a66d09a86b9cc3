import Foundation

/// How far a download is, for status: "downloading 1.2 GiB / 4.0 GiB (30 %), 85 MiB/s".
public struct ArtifactProgress: Sendable, Equatable {
    /// Bytes on disk so far (a resumed download counts what it had).
    public var bytes: Int64
    /// The total, when the server said it.
    public var total: Int64?
    /// Bytes per second over the last report interval.
    public var rate: Double
    /// `file 2 of 5: ` for a directory, empty for a single file.
    public var prefix: String = ""

    public var description: String {
        var text = "\(prefix)downloading \(formatBytes(bytes))"
        if let total, total > 0 {
            text += " / \(formatBytes(total)) (\(Int((Double(bytes) / Double(total) * 100).rounded(.down))) %)"
        }
        return text + ", \(formatBytes(Int64(rate)))/s"
    }
}

/// `1.2 GiB`, `85 MiB`, `512 B`: binary units, one decimal from KiB up.
public func formatBytes(_ bytes: Int64) -> String {
    let units = ["KiB", "MiB", "GiB", "TiB"]
    guard bytes >= 1024 else { return "\(bytes) B" }
    var value = Double(bytes) / 1024
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return String(format: "%.1f %@", value, units[unit])
}

/// Counts bytes and reports progress at most once per `interval` (and at the end).
final class ProgressMeter {
    private let report: (ArtifactProgress) -> Void
    private let interval: TimeInterval
    private var lastReport = Date.distantPast
    private var bytesAtLastReport: Int64 = 0
    private(set) var progress: ArtifactProgress

    init(prefix: String = "", interval: TimeInterval = 1, report: @escaping (ArtifactProgress) -> Void) {
        self.report = report
        self.interval = interval
        self.progress = ArtifactProgress(bytes: 0, total: nil, rate: 0, prefix: prefix)
    }

    /// A (re)started transfer: `bytes` already on disk, `total` if known.
    func restart(at bytes: Int64, total: Int64?) {
        progress.bytes = bytes
        progress.total = total
        bytesAtLastReport = bytes
    }

    func add(_ count: Int) {
        progress.bytes += Int64(count)
        let now = Date()
        let elapsed = now.timeIntervalSince(lastReport)
        guard elapsed >= interval else { return }
        if lastReport != .distantPast { progress.rate = Double(progress.bytes - bytesAtLastReport) / elapsed }
        lastReport = now
        bytesAtLastReport = progress.bytes
        report(progress)
    }
}
