extension StateStore {
    /// Migration "v11-draining-since": when the data plane was told to drain a replica (no
    /// new requests) before it stops, so a restarted controller keeps that drain's deadline
    /// (`gracePeriodSeconds` from here) instead of starting it over. Rows from before carry
    /// none: their drain, if any, starts again once.
    static let v11DrainingSinceSchema = """
        ALTER TABLE replica ADD COLUMN drainingSince REAL;
        """
}
