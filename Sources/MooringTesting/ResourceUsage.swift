import Foundation

/// The process's peak resident set size so far, in bytes (`getrusage`'s `ru_maxrss`,
/// which Linux gives in KiB). A high-water mark for the whole process: use it to bound
/// what a step could have allocated ("grew by less than N"), never to measure it.
public func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss * 1024
}
