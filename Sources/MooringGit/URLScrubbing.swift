/// Replaces the user-info part of every `scheme://user:password@host` URL in `text` with
/// `***`, so credentials a user put in a URL never reach a log line, an event or a status.
public func scrubUserInfo(in text: String) -> String {
    var result = ""
    var rest = Substring(text)
    while let range = rest.range(of: "://") {
        result += rest[..<range.upperBound]
        rest = rest[range.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == " " || $0 == "'" || $0 == "\"" || $0 == "\n" || $0 == "`" })
            ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            result += "***"
            rest = rest[at...]
        }
    }
    result += rest
    return result
}
