extension StateStore {
    /// Migration "v10-previous-spec": the spec that served before the applied one with a
    /// different model — what a `git revert` of the model change returns to — as canonical
    /// JSON, with its hash and commit (all three or none). The artifact cache's collector
    /// keeps its model, so that rollback downloads nothing. Rows from before carry none.
    static let v10PreviousSpecSchema = """
        ALTER TABLE deployment ADD COLUMN previousSpec TEXT
            CONSTRAINT deployment_previous_spec_json CHECK (previousSpec IS NULL OR json_valid(previousSpec));
        ALTER TABLE deployment ADD COLUMN previousSpecHash TEXT;
        ALTER TABLE deployment ADD COLUMN previousRevision TEXT
            CONSTRAINT deployment_previous_triple CHECK (
                (previousSpec IS NULL) = (previousSpecHash IS NULL)
                AND (previousSpecHash IS NULL) = (previousRevision IS NULL));
        """
}
