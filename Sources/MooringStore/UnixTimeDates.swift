import GRDB

/// Records whose dates are stored as Unix seconds with fractions — the store's one
/// convention for every table (see docs/state-store.md).
public protocol UnixTimeDates {}

extension UnixTimeDates where Self: EncodableRecord {
    /// Dates are stored as Unix seconds.
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .timeIntervalSince1970
    }
}

extension UnixTimeDates where Self: FetchableRecord {
    /// Dates are read as Unix seconds.
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .timeIntervalSince1970
    }
}
