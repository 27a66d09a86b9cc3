import CLibCrypto

/// HMAC-SHA256 (RFC 2104), the signature GitHub, Gitea and Mooring's generic webhook put
/// on a push's body.
public enum HMACSHA256 {
    /// The 32-byte authentication code of `message` under `key`.
    public static func code(for message: [UInt8], key: [UInt8]) -> [UInt8] {
        // RFC 2104: a key longer than the 64-byte block is replaced by its hash. Doing it
        // here keeps the length OpenSSL takes as an `int` small for any key.
        let key = key.count > 64 ? SHA256Digest.hash(key) : key
        var code = [UInt8](repeating: 0, count: SHA256Hasher.byteCount)
        var length: UInt32 = 0
        key.withUnsafeBytes { key in
            message.withUnsafeBytes { message in
                code.withUnsafeMutableBufferPointer { out in
                    // An empty key or message still needs a valid pointer for OpenSSL.
                    withUnsafePointer(to: UInt8(0)) { empty in
                        _ = HMAC(EVP_sha256(), key.baseAddress ?? UnsafeRawPointer(empty), Int32(key.count),
                                 message.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? empty, message.count,
                                 out.baseAddress, &length)
                    }
                }
            }
        }
        return code
    }
}
