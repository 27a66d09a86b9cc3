import Foundation

/// The pull (or merge) request a commit merged, read from its subject or message:
/// `Merge pull request #12 from …` (GitHub merge), `Title (#12)` (GitHub squash),
/// `See merge request group/repo!12` (GitLab), or a `PR: #12` / `Pull-Request: 12` trailer.
/// Nil when none is named.
public func pullRequestNumber(subject: String, message: String) -> Int? {
    func number(after marker: String, in text: String) -> Int? {
        guard let range = text.range(of: marker) else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        return Int(digits).flatMap { $0 > 0 ? $0 : nil }
    }
    if let n = number(after: "Merge pull request #", in: subject) { return n }
    if subject.hasSuffix(")"), let open = subject.range(of: "(#", options: .backwards),
       let n = Int(subject[open.upperBound...].dropLast()), n > 0 {
        return n
    }
    for line in message.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
        let lower = line.lowercased()
        for trailer in ["pr:", "pull-request:", "pull request:", "merge-request:"] where lower.hasPrefix(trailer) {
            let value = line.dropFirst(trailer.count).trimmingCharacters(in: .whitespaces)
            let digits = value.drop { $0 == "#" || $0 == "!" }.prefix { $0.isASCII && $0.isNumber }
            if let n = Int(digits), n > 0 { return n }
        }
        if line.hasPrefix("See merge request "), let bang = line.lastIndex(of: "!"),
           let n = Int(line[line.index(after: bang)...].prefix { $0.isASCII && $0.isNumber }), n > 0 {
            return n
        }
    }
    return nil
}
