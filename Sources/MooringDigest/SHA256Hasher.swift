import CLibCrypto

/// SHA-256 fed in pieces: a file or a download is hashed as it streams, in constant memory.
/// OpenSSL's libcrypto does the work (its SHA-NI and AVX2 code on x86-64).
///
/// A reference type: the hashing context is OpenSSL's, freed when the last reference goes.
/// Not safe to share between threads while it is fed.
public final class SHA256Hasher {
    /// Bytes in a digest: 32.
    public static let byteCount = 32

    private let context: OpaquePointer

    /// A hasher that has seen no bytes. Stops the process only if OpenSSL cannot allocate
    /// a few hundred bytes or has no SHA-256, neither of which a caller could recover from.
    public init() {
        guard let context = EVP_MD_CTX_new() else {
            fatalError("OpenSSL could not allocate a digest context (out of memory)")
        }
        self.context = context
        reset()
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Forgets every byte seen so far: the hasher starts over.
    public func reset() {
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            fatalError("OpenSSL refused to start a SHA-256 digest")
        }
    }

    /// Adds `bytes` to the digest.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    /// Adds `bytes` to the digest.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest of everything added since the last ``reset()``; the hasher
    /// starts over afterwards.
    public func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Self.byteCount)
        var length: UInt32 = 0
        digest.withUnsafeMutableBufferPointer { buffer in
            _ = EVP_DigestFinal_ex(context, buffer.baseAddress, &length)
        }
        reset()
        return digest
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        digest.withUnsafeMutableBufferPointer { out in
            _ = EVP_Digest(bytes.baseAddress, bytes.count, out.baseAddress, &length, EVP_sha256(), nil)
        }
        return digest
    }

    // Whole byte collections (`Data`, `[UInt8]`): ``SHA256Digest/hash(_:)``.
}
