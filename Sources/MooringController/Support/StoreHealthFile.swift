import Foundation
import Synchronization
import MooringFileSafety

/// `<state>/store-health`: what the controller could not write to the state store, kept
/// where a full disk cannot stop it being said. The file is created at its full size
/// (4 KiB) when the controller starts and only ever overwritten in place, so writing it
/// needs no new disk blocks; `mooring status` reads it beside the store.
public struct StoreHealthFile: Sendable {
    /// The file's fixed size.
    static let size = 4096
    public let url: URL

    public init(layout: StateLayout) {
        url = layout.root.appendingPathComponent("store-health")
    }

    /// Creates the file at its full size with "ok" (at start-up, when there is room).
    public func prepare() throws {
        try write(nil)
    }

    /// Records `problem` (or that the store is writable again, for nil). Never grows the file.
    public func write(_ problem: String?) throws {
        let fd = try OwnedFiles.open(url.path, flags: O_WRONLY | O_CREAT)
        defer { close(fd) }
        var bytes = Array((problem.map { "error \($0)" } ?? "ok").utf8.prefix(Self.size - 1))
        bytes += Array(repeating: UInt8(ascii: " "), count: Self.size - bytes.count)
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard written == Self.size else {
            throw ControllerError(.stateDirectory, "cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    /// The recorded problem, or nil when the store was last written fine (or the file is
    /// absent, as before any controller of this version ran).
    public func read() throws -> String? {
        guard try OwnedFiles.checkFile(url.path) else { return nil }
        let fd = try OwnedFiles.open(url.path, flags: O_RDONLY)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: Self.size)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        return text.hasPrefix("error ") ? String(text.dropFirst("error ".count)) : nil
    }
}

/// The controller's view of whether the store takes its writes: every failure is said in
/// the health file (and the log), the first success after one clears it.
final class StoreHealth: Sendable {
    private let file: StoreHealthFile
    private let failing = Mutex(false)

    init(file: StoreHealthFile) {
        self.file = file
    }

    func failed(_ problem: String) -> String? {
        failing.withLock { $0 = true }
        do {
            try file.write(problem)
            return nil
        } catch {
            return "\(error)"
        }
    }

    func succeeded() -> String? {
        guard failing.withLock({ value in defer { value = false }; return value }) else { return nil }
        do {
            try file.write(nil)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
