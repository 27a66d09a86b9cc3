import Foundation

/// What checking a commit's signature found.
public enum SignatureVerdict: Sendable, Hashable {
    /// Signed by an allowed key. `signer` is the principal (SSH) or user id (OpenPGP).
    case verified(signer: String, fingerprint: String)
    /// Not acceptable: `reason` says why in words an operator can act on; `fingerprint` is
    /// the signing key's, when the signature names one.
    case rejected(reason: String, fingerprint: String?)

    /// The signing key's fingerprint, when known.
    public var fingerprint: String? {
        switch self {
        case let .verified(_, fingerprint): return fingerprint
        case let .rejected(_, fingerprint): return fingerprint
        }
    }
}

/// Checks a commit signature with the host's own tools: `ssh-keygen -Y verify` against an
/// `allowed_signers` file, or `gpgv` against a keyring (Debian: openssh-client, gpgv).
/// The allowed signers or keyring file is read again at every check, so rotating it takes
/// effect at the next poll without a restart.
///
/// Blocking (it runs processes): call it off the cooperative thread pool.
public struct CommitSignatureVerifier: Sendable {
    public let policy: CommitSignaturePolicy
    /// Where `ssh-keygen` and `gpgv` are looked up.
    public var searchPath: String

    public init(policy: CommitSignaturePolicy, searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") {
        self.policy = policy
        self.searchPath = searchPath + ":/usr/bin:/bin"
    }

    /// The verdict on `signature` (nil: the commit is not signed).
    public func verify(_ signature: CommitSignature?) -> SignatureVerdict {
        guard let signature else {
            return .rejected(reason: "the commit is not signed; sign it (git commit -S, or have the Git host sign merges) with a key the host allows", fingerprint: nil)
        }
        let workspace: URL
        do {
            workspace = try makeWorkspace()
        } catch {
            return .rejected(reason: "cannot make a temporary folder to check the signature (\(error)); retried at the next poll", fingerprint: nil)
        }
        defer { try? FileManager.default.removeItem(at: workspace) } // our own temporary folder
        switch policy.mode {
        case let .ssh(allowedSigners):
            guard signature.isSSH else {
                return .rejected(reason: "the commit has an OpenPGP signature, but policy.verifyCommits.mode is ssh", fingerprint: nil)
            }
            return verifySSH(signature, allowedSigners: allowedSigners, in: workspace)
        case let .gpg(keyring):
            guard !signature.isSSH else {
                return .rejected(reason: "the commit has an SSH signature, but policy.verifyCommits.mode is gpg", fingerprint: sshFingerprint(signature, in: workspace))
            }
            return verifyGPG(signature, keyring: keyring, in: workspace)
        }
    }

    // MARK: SSH

    private func verifySSH(_ signature: CommitSignature, allowedSigners: String, in workspace: URL) -> SignatureVerdict {
        guard FileManager.default.isReadableFile(atPath: allowedSigners) else {
            return .rejected(reason: "cannot read the allowed signers file \(allowedSigners) (policy.verifyCommits.allowedSigners); nothing is applied until it can be read", fingerprint: nil)
        }
        guard let tool = find("ssh-keygen") else {
            return .rejected(reason: "ssh-keygen is not installed; install openssh-client (scripts/install-deps.sh)", fingerprint: nil)
        }
        let signatureFile = workspace.appendingPathComponent("commit.sig")
        let dataFile = workspace.appendingPathComponent("commit.data")
        do {
            try signature.signature.write(to: signatureFile)
            try signature.signedData.write(to: dataFile)
        } catch {
            return .rejected(reason: "cannot write the signature to check it (\(error)); retried at the next poll", fingerprint: nil)
        }
        let fingerprint = sshFingerprint(signature, in: workspace)
        let principals = run(tool, ["-Y", "find-principals", "-f", allowedSigners, "-s", signatureFile.path])
        let principal = principals.status == 0 ? principals.output.split(separator: "\n").first.map(String.init) : nil
        guard let principal, !principal.isEmpty else {
            return .rejected(reason: "signed by a key that is not in the allowed signers file \(allowedSigners)", fingerprint: fingerprint)
        }
        let check = run(tool, ["-Y", "verify", "-f", allowedSigners, "-I", principal, "-n", "git", "-s", signatureFile.path], input: dataFile)
        guard check.status == 0 else {
            let detail = (check.errors + check.output).trimmingCharacters(in: .whitespacesAndNewlines)
            return .rejected(reason: "the signature of \(principal) does not match the commit's content (tampered, or corrupt): \(detail)", fingerprint: fingerprint)
        }
        return .verified(signer: principal, fingerprint: fingerprint ?? Self.fingerprint(in: check.output + check.errors) ?? "unknown")
    }

    /// The fingerprint of the key in an SSH signature (`SHA256:…`), read by `ssh-keygen -l`
    /// from the public key the SSHSIG blob carries.
    private func sshFingerprint(_ signature: CommitSignature, in workspace: URL) -> String? {
        guard let key = SSHSignatureBlob.publicKeyLine(in: signature.signature), let tool = find("ssh-keygen") else { return nil }
        let keyFile = workspace.appendingPathComponent("signer.pub")
        do { try Data((key + "\n").utf8).write(to: keyFile) } catch { return nil }
        let listed = run(tool, ["-l", "-f", keyFile.path])
        return listed.status == 0 ? Self.fingerprint(in: listed.output) : nil
    }

    /// The first `SHA256:…` word of `text`.
    static func fingerprint(in text: String) -> String? {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).first { $0.hasPrefix("SHA256:") }.map(String.init)
    }

    // MARK: OpenPGP

    private func verifyGPG(_ signature: CommitSignature, keyring: String, in workspace: URL) -> SignatureVerdict {
        guard FileManager.default.isReadableFile(atPath: keyring) else {
            return .rejected(reason: "cannot read the keyring \(keyring) (policy.verifyCommits.keyring); nothing is applied until it can be read", fingerprint: nil)
        }
        guard let tool = find("gpgv") else {
            return .rejected(reason: "gpgv is not installed; install gpgv (scripts/install-deps.sh)", fingerprint: nil)
        }
        let signatureFile = workspace.appendingPathComponent("commit.asc")
        let dataFile = workspace.appendingPathComponent("commit.data")
        do {
            try signature.signature.write(to: signatureFile)
            try signature.signedData.write(to: dataFile)
        } catch {
            return .rejected(reason: "cannot write the signature to check it (\(error)); retried at the next poll", fingerprint: nil)
        }
        let absolute = URL(fileURLWithPath: keyring).standardizedFileURL.path
        let check = run(tool, ["--homedir", workspace.path, "--status-fd", "1", "--keyring", absolute, signatureFile.path, dataFile.path])
        var status: [String: [String]] = [:]
        for line in check.output.split(separator: "\n") where line.hasPrefix("[GNUPG:] ") {
            let words = line.dropFirst("[GNUPG:] ".count).split(separator: " ").map(String.init)
            if let first = words.first { status[first] = Array(words.dropFirst()) }
        }
        if check.status == 0, let valid = status["VALIDSIG"], let fingerprint = valid.first {
            let signer = status["GOODSIG"].map { $0.dropFirst().joined(separator: " ") } ?? fingerprint
            return .verified(signer: signer, fingerprint: fingerprint)
        }
        if let bad = status["BADSIG"] {
            return .rejected(reason: "the signature of \(bad.dropFirst().joined(separator: " ")) does not match the commit's content (tampered, or corrupt)", fingerprint: bad.first)
        }
        if let missing = status["NO_PUBKEY"] ?? status["ERRSIG"] {
            return .rejected(reason: "signed by a key that is not in the keyring \(keyring)", fingerprint: missing.first)
        }
        let detail = (check.errors + check.output).trimmingCharacters(in: .whitespacesAndNewlines)
        return .rejected(reason: "gpgv did not accept the signature: \(detail)", fingerprint: nil)
    }

    // MARK: Processes

    private func find(_ tool: String) -> String? {
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private func makeWorkspace() throws -> URL {
        var template = Array((NSTemporaryDirectory() + "/mooring-signature-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let created else { throw CocoaError(.fileWriteUnknown) }
        return URL(fileURLWithPath: created)
    }

    /// Runs `tool` with `arguments` (stdin from `input`, else empty), to completion.
    private func run(_ tool: String, _ arguments: [String], input: URL? = nil) -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.environment = ["PATH": searchPath, "LC_ALL": "C"]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let inputHandle = input.flatMap { FileHandle(forReadingAtPath: $0.path) }
        process.standardInput = inputHandle ?? FileHandle.nullDevice
        defer { try? inputHandle?.close() } // closing a file only read from loses nothing
        do {
            try process.run()
        } catch {
            return (-1, "", "cannot run \(tool): \(error)")
        }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}

/// Reads the public key out of an armored SSH signature (`SSHSIG` blob, PROTOCOL.sshsig):
/// magic, version, then the signer's public key as an SSH string.
enum SSHSignatureBlob {
    /// `ssh-ed25519 AAAA…` for the key that made `armored`, or nil when it is not an SSHSIG.
    static func publicKeyLine(in armored: Data) -> String? {
        let text = String(decoding: armored, as: UTF8.self)
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let blob = Data(base64Encoded: body), blob.count > 10, blob.prefix(6) == Data("SSHSIG".utf8) else { return nil }
        var offset = blob.startIndex + 10 // magic (6) + version (4)
        guard let key = readString(blob, &offset) else { return nil }
        var keyOffset = key.startIndex
        guard let type = readString(key, &keyOffset) else { return nil }
        return "\(String(decoding: type, as: UTF8.self)) \(key.base64EncodedString())"
    }

    private static func readString(_ data: Data, _ offset: inout Data.Index) -> Data? {
        guard data.endIndex - offset >= 4 else { return nil }
        let length = data[offset..<offset + 4].reduce(0) { ($0 << 8) | Int($1) }
        offset += 4
        guard length >= 0, data.endIndex - offset >= length else { return nil }
        defer { offset += length }
        return Data(data[offset..<offset + length])
    }
}
