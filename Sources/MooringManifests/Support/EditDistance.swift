/// Levenshtein distance, for "did you mean" suggestions on misspelt field names.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
package func closestMatch(to word: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word, $0)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    let limit = Swift.max(1, Swift.min(3, word.count / 3 + 1))
    // A prefix match ("replica" for "replicas") counts as close too.
    if best.1 <= limit { return best.0 }
    if let prefix = candidates.first(where: { $0.hasPrefix(word) || word.hasPrefix($0) }), word.count >= 3 {
        return prefix
    }
    return nil
}
