import Foundation
import MooringDigest
import MooringTesting
import Testing

struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func matchesNISTVectors(input: String, digest: String) {
        #expect(SHA256Digest.hex(Data(input.utf8)) == digest)
    }

    @Test func millionAs() {
        #expect(SHA256Digest.hex(Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// A file spanning several read chunks, with a ragged end, hashes as `sha256sum` says.
    @Test func fileDigestAgreesWithSha256sum() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.appending("model.bin")
        let bytes = (0..<(SHA256Digest.fileChunkSize * 2 + 12_345)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        try Data(bytes).write(to: file)
        let expected = try runCommand("/usr/bin/sha256sum", [file.path]).stdout.split(separator: " ").first.map(String.init)
        #expect(try SHA256Digest.hex(ofFileAt: file) == expected)
        #expect(SHA256Digest.hex(Data(bytes)) == expected)
    }

    /// A model far larger than the read chunk is hashed in constant memory: the process's
    /// peak resident size grows by much less than the file.
    @Test func fileDigestStreamsInsteadOfLoadingTheFile() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.appending("weights.bin")
        let size: UInt64 = 400 << 20
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: size) // sparse: reads as zeros, costs no disk
        try handle.close()
        let before = peakResidentBytes()
        let digest = try await offPool { try SHA256Digest.hex(ofFileAt: file) }
        let growth = peakResidentBytes() - before
        #expect(digest.count == 64)
        #expect(growth < 200 << 20, "peak RSS grew by \(growth >> 20) MiB hashing a \(size >> 20) MiB file")
    }

    @Test func unreadableFileIsAnErrorNamingIt() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/mooring/model.bin")
        let error = #expect(throws: FileDigestError.self) { try SHA256Digest.hex(ofFileAt: missing) }
        #expect(error?.description.hasPrefix("cannot open `/nonexistent/mooring/model.bin` to hash it: ") == true)
    }
}

/// HMAC-SHA256 against RFC 4231's test cases (the ones with whole-length output).
struct HMACSHA256Tests {
    /// RFC 4231's cases 1, 2, 3 and 6, by name: key and message as the RFC builds them.
    static let cases: [String: (key: [UInt8], message: [UInt8], code: String)] = [
        "1: 20-byte key of 0x0b": (Array(repeating: 0x0b, count: 20), Array("Hi There".utf8),
                                   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        "2: a key shorter than the block": (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
                                            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        "3: 20-byte key of 0xaa, 50 bytes of 0xdd": (Array(repeating: 0xaa, count: 20), Array(repeating: 0xdd, count: 50),
                                                     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        "6: a 131-byte key, longer than the block (hashed first)": (
            Array(repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ]

    @Test(arguments: cases.keys.sorted())
    func matchesRFC4231(testCase: String) throws {
        let vector = try #require(Self.cases[testCase])
        #expect(Hex.string(HMACSHA256.code(for: vector.message, key: vector.key)) == vector.code)
    }

    /// An empty key and an empty body still sign (Python's `hmac` gives the same answer).
    @Test func emptyKeyAndMessage() {
        #expect(Hex.string(HMACSHA256.code(for: [], key: []))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }
}

/// The streaming hasher gives the one-call digest however the bytes are split, and starts
/// over after `finalize()` and `reset()`.
struct SHA256HasherTests {
    @Test(arguments: [1, 7, 64, 1000])
    func splitAnywhereGivesTheSameDigest(pieceSize: Int) {
        let bytes = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        let hasher = SHA256Hasher()
        var index = 0
        while index < bytes.count {
            hasher.update(Array(bytes[index..<min(index + pieceSize, bytes.count)]))
            index += pieceSize
        }
        #expect(hasher.finalize() == SHA256Digest.hash(bytes))
    }

    @Test func startsOverAfterFinalizeAndReset() {
        let hasher = SHA256Hasher()
        hasher.update(Array("abc".utf8))
        #expect(Hex.string(hasher.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.string(hasher.finalize()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        hasher.update(Array("discarded".utf8))
        hasher.reset()
        hasher.update(Array("abc".utf8))
        #expect(Hex.string(hasher.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
