import Crypto
import Foundation

/// SHA-256 through swift-crypto, used for spec identity hashes and for checking
/// `model.sha256`. Files are hashed as a stream, so a model of any size is checked in
/// constant memory.
///
/// Code that also imports `Crypto` sees two `SHA256Digest` types; name this one
/// `MooringManifests.SHA256Digest` there.
public struct SHA256Digest: Sendable {
    /// How much of a file is read at a time by ``hex(ofFileAt:)``: 1 MiB.
    public static let fileChunkSize = 1 << 20

    /// The 32-byte digest of `data`.
    public static func hash<D: DataProtocol>(_ data: D) -> [UInt8] {
        Array(SHA256.hash(data: data))
    }

    /// The digest of `data` as 64 lowercase hex characters.
    public static func hex<D: DataProtocol>(_ data: D) -> String {
        hexString(SHA256.hash(data: data))
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
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: fileChunkSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileDigestError(path: url.path, operation: "read", errno: errno)
            }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
        }
        return hexString(hasher.finalize())
    }

    private static func hexString<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
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
