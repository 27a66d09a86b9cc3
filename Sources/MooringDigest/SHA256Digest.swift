import Foundation

/// SHA-256 in the forms Mooring uses: spec identity hashes, `model.sha256` checks and
/// artifact cache keys. Files are hashed as a stream, so a model of any size is checked in
/// constant memory.
public enum SHA256Digest {
    /// How much of a file is read at a time by ``hex(ofFileAt:)``: 1 MiB.
    public static let fileChunkSize = 1 << 20

    /// The 32-byte digest of `data`.
    public static func hash<D: DataProtocol>(_ data: D) -> [UInt8] {
        if let digest = data.withContiguousStorageIfAvailable({ SHA256Hasher.hash(UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        let hasher = SHA256Hasher()
        for region in data.regions { region.withUnsafeBytes { hasher.update($0) } }
        return hasher.finalize()
    }

    /// The digest of `data` as 64 lowercase hex characters.
    public static func hex<D: DataProtocol>(_ data: D) -> String {
        Hex.string(hash(data))
    }

    /// The digest of the file at `url` as 64 lowercase hex characters, read in chunks of
    /// ``fileChunkSize`` bytes (the file is never held in memory whole). Throws
    /// ``FileDigestError`` when the file cannot be opened or read.
    public static func hex(ofFileAt url: URL) throws -> String {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FileDigestError(path: url.path, operation: "open", errno: errno)
        }
        defer { close(descriptor) }
        let hasher = SHA256Hasher()
        var buffer = [UInt8](repeating: 0, count: fileChunkSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileDigestError(path: url.path, operation: "read", errno: errno)
            }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
        }
        return Hex.string(hasher.finalize())
    }
}

/// A file could not be hashed: it could not be opened or read.
public struct FileDigestError: Error, Sendable, CustomStringConvertible {
    /// The file's path.
    public var path: String
    /// The system call that failed (`open` or `read`).
    public var operation: String
    /// The system error number.
    public var errno: Int32

    public var description: String {
        "cannot \(operation) `\(path)` to hash it: \(String(cString: strerror(errno)))"
    }
}
