import Foundation

/// The entries of an OpenSSH `known_hosts` file, for checking a server's host key.
///
/// Plain host patterns (`host`, `host,alias`, `[host]:2222`) are supported; hashed entries
/// (`|1|…`, from `HashKnownHosts yes`) cannot be matched without HMAC-SHA1 and are skipped,
/// as are `@cert-authority` and `@revoked` lines. Write unhashed entries for Mooring
/// (`ssh-keyscan host >> known_hosts`).
struct KnownHosts: Sendable {
    struct Entry: Sendable {
        let hosts: [String]
        let keyType: String
        let key: Data
    }

    /// What the file says about a host's key.
    enum Verdict: Equatable {
        case trusted
        case mismatch
        case unknownHost
    }

    let path: String
    let entries: [Entry]

    init(path: String) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw GitError(
                code: .invalidConfiguration,
                message: "known_hosts file `\(path)` cannot be read: \(error.localizedDescription)")
        }
        self.init(path: path, contents: text)
    }

    init(path: String, contents: String) {
        self.path = path
        var entries: [Entry] = []
        for line in contents.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix("@") || trimmed.hasPrefix("|") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 3, let key = Data(base64Encoded: String(fields[2])) else { continue }
            entries.append(Entry(hosts: fields[0].split(separator: ",").map(String.init), keyType: String(fields[1]), key: key))
        }
        self.entries = entries
    }

    /// Checks `key` (the raw public key blob the server offered) for `host`.
    func verdict(host: String, key: Data) -> Verdict {
        let matching = entries.filter { entry in
            entry.hosts.contains { pattern in
                pattern == host || pattern.hasPrefix("[\(host)]:")
            }
        }
        if matching.isEmpty { return .unknownHost }
        return matching.contains { $0.key == key } ? .trusted : .mismatch
    }
}
