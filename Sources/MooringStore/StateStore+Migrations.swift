import GRDB

extension StateStore {
    /// The schema's migrations, in order.
    ///
    /// A migration is never edited once it has shipped: change the schema by registering a
    /// new one ("v2", …) below the last. Table and column names are plain strings so that
    /// renaming a Swift property can never change what an old migration does.
    /// The identifiers of every migration this version knows, in order.
    public static var migrationIdentifiers: [String] { migrator.migrations }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: v1Schema)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: v2Schema)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: v3Schema)
        }
        migrator.registerMigration("v4") { db in
            try widenRolloutPhases(db)
        }
        migrator.registerMigration("v7-model-tests") { db in
            try db.execute(sql: modelTestsSchema)
        }
        migrator.registerMigration("v8-ports") { db in
            try db.execute(sql: v8PortsSchema)
        }
        migrator.registerMigration("v9-canary") { db in
            try db.execute(sql: v9CanarySchema)
        }
        migrator.registerMigration("v10-previous-spec") { db in
            try db.execute(sql: v10PreviousSpecSchema)
        }
        migrator.registerMigration("v11-draining-since") { db in
            try db.execute(sql: v11DrainingSinceSchema)
        }
        return migrator
    }

    /// Migration "v1". Timestamps are REAL Unix seconds (with fractions); booleans are
    /// 0/1 integers; JSON columns are checked with `json_valid`.
    private static let v1Schema = """
        CREATE TABLE source (
            id INTEGER PRIMARY KEY NOT NULL,
            repo TEXT NOT NULL,
            branch TEXT NOT NULL,
            path TEXT NOT NULL,
            lastFetchedCommit TEXT,
            lastFetchedSubject TEXT,
            lastFetchAt REAL,
            nextFetchAt REAL,
            lastError TEXT,
            lastErrorAt REAL,
            lastAppliedCommit TEXT,
            controllerPid INTEGER,
            controllerStartedAt REAL,
            apiAddress TEXT,
            updatedAt REAL NOT NULL,
            CONSTRAINT source_single_row CHECK (id = 1),
            CONSTRAINT source_repo_not_empty CHECK (repo <> ''),
            CONSTRAINT source_branch_not_empty CHECK (branch <> ''),
            CONSTRAINT source_controller_pid_positive CHECK (controllerPid IS NULL OR controllerPid > 0)
        );

        CREATE TABLE revision (
            "commit" TEXT PRIMARY KEY NOT NULL,
            subject TEXT NOT NULL,
            author TEXT NOT NULL,
            committedAt REAL NOT NULL,
            seenAt REAL NOT NULL,
            valid BOOLEAN NOT NULL,
            diagnostics TEXT NOT NULL DEFAULT '[]',
            CONSTRAINT revision_commit_hex CHECK (
                length("commit") IN (40, 64) AND NOT "commit" GLOB '*[^0-9a-f]*'),
            CONSTRAINT revision_valid_bool CHECK (valid IN (0, 1)),
            CONSTRAINT revision_diagnostics_json_array CHECK (
                json_valid(diagnostics) AND json_type(diagnostics) = 'array'),
            CONSTRAINT revision_rejected_has_diagnostics CHECK (
                valid = 1 OR json_array_length(diagnostics) > 0)
        );
        CREATE INDEX revision_by_seen ON revision(seenAt);

        CREATE TABLE deployment (
            name TEXT PRIMARY KEY NOT NULL,
            desiredSpec TEXT NOT NULL,
            desiredSpecHash TEXT NOT NULL,
            desiredRevision TEXT NOT NULL,
            attemptedSpecHash TEXT,
            attemptedRevision TEXT,
            appliedSpec TEXT,
            appliedSpecHash TEXT,
            appliedRevision TEXT,
            lastHealthySpecHash TEXT,
            quarantinedSpecHash TEXT,
            quarantineReason TEXT,
            sync TEXT NOT NULL,
            health TEXT NOT NULL,
            message TEXT NOT NULL DEFAULT '',
            readyReplicas INTEGER NOT NULL DEFAULT 0,
            desiredReplicas INTEGER NOT NULL,
            endpoint TEXT,
            suspended BOOLEAN NOT NULL DEFAULT 0,
            createdAt REAL NOT NULL,
            updatedAt REAL NOT NULL,
            CONSTRAINT deployment_name_dns_label CHECK (
                length(name) BETWEEN 1 AND 63
                AND NOT name GLOB '*[^a-z0-9-]*'
                AND NOT name GLOB '-*' AND NOT name GLOB '*-'),
            CONSTRAINT deployment_desired_spec_json CHECK (json_valid(desiredSpec)),
            CONSTRAINT deployment_desired_spec_hash_not_empty CHECK (desiredSpecHash <> ''),
            CONSTRAINT deployment_desired_revision_not_empty CHECK (desiredRevision <> ''),
            CONSTRAINT deployment_attempted_pair CHECK (
                (attemptedSpecHash IS NULL) = (attemptedRevision IS NULL)),
            CONSTRAINT deployment_applied_spec_json CHECK (
                appliedSpec IS NULL OR json_valid(appliedSpec)),
            CONSTRAINT deployment_applied_triple CHECK (
                (appliedSpec IS NULL) = (appliedSpecHash IS NULL)
                AND (appliedSpecHash IS NULL) = (appliedRevision IS NULL)),
            CONSTRAINT deployment_quarantine_has_reason CHECK (
                (quarantinedSpecHash IS NULL) = (quarantineReason IS NULL)),
            CONSTRAINT deployment_sync_word CHECK (sync IN ('Synced', 'OutOfSync', 'Unknown')),
            CONSTRAINT deployment_health_word CHECK (health IN (
                'Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown')),
            CONSTRAINT deployment_replica_counts CHECK (readyReplicas >= 0 AND desiredReplicas >= 0),
            CONSTRAINT deployment_suspended_bool CHECK (suspended IN (0, 1))
        );

        CREATE TABLE replica (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            deployment TEXT NOT NULL
                REFERENCES deployment(name) ON DELETE CASCADE ON UPDATE CASCADE,
            replicaIndex INTEGER NOT NULL,
            generation TEXT NOT NULL,
            specHash TEXT NOT NULL,
            revision TEXT NOT NULL,
            port INTEGER NOT NULL,
            pid INTEGER,
            startTime INTEGER,
            processGroup INTEGER,
            state TEXT NOT NULL,
            restarts INTEGER NOT NULL DEFAULT 0,
            lastExitCode INTEGER,
            lastExitSignal INTEGER,
            lastExitAt REAL,
            startedAt REAL NOT NULL,
            logPath TEXT NOT NULL,
            CONSTRAINT replica_identity_unique UNIQUE (deployment, generation, replicaIndex),
            CONSTRAINT replica_index_non_negative CHECK (replicaIndex >= 0),
            CONSTRAINT replica_generation_not_empty CHECK (generation <> ''),
            CONSTRAINT replica_spec_hash_not_empty CHECK (specHash <> ''),
            CONSTRAINT replica_port_range CHECK (port BETWEEN 1 AND 65535),
            CONSTRAINT replica_pid_positive CHECK (pid IS NULL OR pid > 0),
            CONSTRAINT replica_identity_pair CHECK ((pid IS NULL) = (startTime IS NULL)),
            CONSTRAINT replica_process_group_positive CHECK (processGroup IS NULL OR processGroup > 0),
            CONSTRAINT replica_state_not_empty CHECK (state <> ''),
            CONSTRAINT replica_restarts_non_negative CHECK (restarts >= 0),
            CONSTRAINT replica_exit_signal_positive CHECK (lastExitSignal IS NULL OR lastExitSignal > 0),
            CONSTRAINT replica_log_path_not_empty CHECK (logPath <> '')
        );

        CREATE TABLE rollout (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            deployment TEXT NOT NULL,
            revision TEXT NOT NULL,
            specHash TEXT NOT NULL,
            fromSpecHash TEXT,
            fromRevision TEXT,
            strategy TEXT NOT NULL,
            startedAt REAL NOT NULL,
            finishedAt REAL,
            outcome TEXT NOT NULL DEFAULT 'InProgress',
            reason TEXT,
            CONSTRAINT rollout_deployment_not_empty CHECK (deployment <> ''),
            CONSTRAINT rollout_spec_hash_not_empty CHECK (specHash <> ''),
            CONSTRAINT rollout_strategy_not_empty CHECK (strategy <> ''),
            CONSTRAINT rollout_outcome_word CHECK (outcome IN (
                'InProgress', 'Succeeded', 'Failed', 'RolledBack', 'Superseded')),
            CONSTRAINT rollout_finished_iff_done CHECK (
                (outcome = 'InProgress') = (finishedAt IS NULL)),
            CONSTRAINT rollout_failure_has_reason CHECK (
                outcome IN ('InProgress', 'Succeeded') OR reason IS NOT NULL)
        );
        CREATE UNIQUE INDEX rollout_one_in_progress ON rollout(deployment)
            WHERE outcome = 'InProgress';
        CREATE INDEX rollout_by_deployment ON rollout(deployment, id);

        CREATE TABLE event (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time REAL NOT NULL,
            deployment TEXT,
            type TEXT NOT NULL,
            reason TEXT NOT NULL,
            message TEXT NOT NULL,
            CONSTRAINT event_type_word CHECK (type IN ('Normal', 'Warning')),
            CONSTRAINT event_reason_camel_case CHECK (
                reason GLOB '[A-Z]*' AND NOT reason GLOB '*[^A-Za-z0-9]*')
        );
        CREATE INDEX event_by_deployment ON event(deployment, id);

        CREATE TABLE intent (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            deployment TEXT,
            action TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}',
            createdAt REAL NOT NULL,
            completedAt REAL,
            outcome TEXT,
            CONSTRAINT intent_action_not_empty CHECK (action <> ''),
            CONSTRAINT intent_payload_json CHECK (json_valid(payload)),
            CONSTRAINT intent_completed_with_outcome CHECK (
                (completedAt IS NULL) = (outcome IS NULL))
        );
        CREATE INDEX intent_open ON intent(id) WHERE completedAt IS NULL;
        """

    /// Migration "v2" (controller core v2): the deployment row carries its rollout state
    /// machine (`rollout` JSON, `rolloutPhase`), the serving generation, the spec-hash
    /// version of its hashes, a pending rejection and user suspension; replica states,
    /// rollout strategies and intent actions become checked vocabularies (tables rebuilt,
    /// old words mapped); the source row records whether its tip was rejected.
    private static let v2Schema = """
        ALTER TABLE deployment ADD COLUMN specHashVersion INTEGER NOT NULL DEFAULT 1
            CONSTRAINT deployment_spec_hash_version_positive CHECK (specHashVersion >= 1);
        ALTER TABLE deployment ADD COLUMN servingGeneration TEXT;
        ALTER TABLE deployment ADD COLUMN nextGeneration INTEGER NOT NULL DEFAULT 1
            CONSTRAINT deployment_next_generation_positive CHECK (nextGeneration >= 1);
        ALTER TABLE deployment ADD COLUMN rollout TEXT
            CONSTRAINT deployment_rollout_json CHECK (rollout IS NULL OR json_valid(rollout));
        ALTER TABLE deployment ADD COLUMN rolloutPhase TEXT
            CONSTRAINT deployment_rollout_phase_word CHECK (rolloutPhase IS NULL OR rolloutPhase IN (
                'Preparing', 'Starting', 'Gating', 'Promoting', 'Draining', 'Done', 'RollingBack', 'Failed'));
        ALTER TABLE deployment ADD COLUMN removing BOOLEAN NOT NULL DEFAULT 0
            CONSTRAINT deployment_removing_bool CHECK (removing IN (0, 1));
        ALTER TABLE deployment ADD COLUMN userSuspended BOOLEAN NOT NULL DEFAULT 0
            CONSTRAINT deployment_user_suspended_bool CHECK (userSuspended IN (0, 1));
        ALTER TABLE deployment ADD COLUMN rejection TEXT;

        ALTER TABLE source ADD COLUMN tipRejected BOOLEAN NOT NULL DEFAULT 0
            CONSTRAINT source_tip_rejected_bool CHECK (tipRejected IN (0, 1));

        CREATE TABLE replica_v2 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            deployment TEXT NOT NULL
                REFERENCES deployment(name) ON DELETE CASCADE ON UPDATE CASCADE,
            replicaIndex INTEGER NOT NULL,
            generation TEXT NOT NULL,
            specHash TEXT NOT NULL,
            revision TEXT NOT NULL,
            port INTEGER,
            pid INTEGER,
            startTime INTEGER,
            processGroup INTEGER,
            state TEXT NOT NULL,
            restarts INTEGER NOT NULL DEFAULT 0,
            lastExitCode INTEGER,
            lastExitSignal INTEGER,
            lastExitAt REAL,
            readySince REAL,
            startedAt REAL NOT NULL,
            logPath TEXT NOT NULL,
            CONSTRAINT replica_identity_unique UNIQUE (deployment, generation, replicaIndex),
            CONSTRAINT replica_index_non_negative CHECK (replicaIndex >= 0),
            CONSTRAINT replica_generation_not_empty CHECK (generation <> ''),
            CONSTRAINT replica_spec_hash_not_empty CHECK (specHash <> ''),
            CONSTRAINT replica_port_range CHECK (port IS NULL OR port BETWEEN 1 AND 65535),
            CONSTRAINT replica_pid_positive CHECK (pid IS NULL OR pid > 0),
            CONSTRAINT replica_identity_pair CHECK ((pid IS NULL) = (startTime IS NULL)),
            CONSTRAINT replica_process_group_positive CHECK (processGroup IS NULL OR processGroup > 0),
            CONSTRAINT replica_state_word CHECK (state IN (
                'Pending', 'Starting', 'Running', 'Ready', 'BackOff', 'CrashLoop', 'Exited', 'Stopping')),
            CONSTRAINT replica_pending_has_no_process CHECK (state <> 'Pending' OR pid IS NULL),
            CONSTRAINT replica_restarts_non_negative CHECK (restarts >= 0),
            CONSTRAINT replica_exit_signal_positive CHECK (lastExitSignal IS NULL OR lastExitSignal > 0),
            CONSTRAINT replica_log_path_not_empty CHECK (logPath <> '')
        );
        INSERT INTO replica_v2 (id, deployment, replicaIndex, generation, specHash, revision, port, pid,
                                startTime, processGroup, state, restarts, lastExitCode, lastExitSignal,
                                lastExitAt, startedAt, logPath)
            SELECT id, deployment, replicaIndex, generation, specHash, revision, port, pid, startTime,
                   processGroup,
                   CASE state
                       WHEN 'starting' THEN 'Starting' WHEN 'running' THEN 'Running'
                       WHEN 'ready' THEN 'Ready' WHEN 'stopping' THEN 'Stopping'
                       WHEN 'exited' THEN 'Exited' WHEN 'backoff' THEN 'BackOff'
                       WHEN 'crashLoop' THEN 'CrashLoop' ELSE 'Running' END,
                   restarts, lastExitCode, lastExitSignal, lastExitAt, startedAt, logPath
            FROM replica;
        DROP TABLE replica;
        ALTER TABLE replica_v2 RENAME TO replica;
        CREATE INDEX replica_by_deployment ON replica(deployment, id);

        CREATE TABLE rollout_v2 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            deployment TEXT NOT NULL,
            revision TEXT NOT NULL,
            specHash TEXT NOT NULL,
            fromSpecHash TEXT,
            fromRevision TEXT,
            strategy TEXT NOT NULL,
            phase TEXT NOT NULL DEFAULT 'Starting',
            startedAt REAL NOT NULL,
            finishedAt REAL,
            outcome TEXT NOT NULL DEFAULT 'InProgress',
            reason TEXT,
            CONSTRAINT rollout_deployment_not_empty CHECK (deployment <> ''),
            CONSTRAINT rollout_spec_hash_not_empty CHECK (specHash <> ''),
            CONSTRAINT rollout_strategy_word CHECK (strategy IN ('Surge', 'Recreate', 'Scale')),
            CONSTRAINT rollout_phase_word CHECK (phase IN (
                'Preparing', 'Starting', 'Gating', 'Promoting', 'Draining', 'Done', 'RollingBack', 'Failed')),
            CONSTRAINT rollout_outcome_word CHECK (outcome IN (
                'InProgress', 'Succeeded', 'Failed', 'RolledBack', 'Superseded')),
            CONSTRAINT rollout_finished_iff_done CHECK (
                (outcome = 'InProgress') = (finishedAt IS NULL)),
            CONSTRAINT rollout_failure_has_reason CHECK (
                outcome IN ('InProgress', 'Succeeded') OR reason IS NOT NULL)
        );
        INSERT INTO rollout_v2 (id, deployment, revision, specHash, fromSpecHash, fromRevision, strategy,
                                phase, startedAt, finishedAt, outcome, reason)
            SELECT id, deployment, revision, specHash, fromSpecHash, fromRevision,
                   CASE WHEN strategy IN ('Surge', 'Recreate', 'Scale') THEN strategy ELSE 'Surge' END,
                   CASE outcome WHEN 'InProgress' THEN 'Starting' WHEN 'Succeeded' THEN 'Done' ELSE 'Failed' END,
                   startedAt, finishedAt, outcome, reason
            FROM rollout;
        DROP TABLE rollout;
        ALTER TABLE rollout_v2 RENAME TO rollout;
        CREATE UNIQUE INDEX rollout_one_in_progress ON rollout(deployment)
            WHERE outcome = 'InProgress';
        CREATE INDEX rollout_by_deployment ON rollout(deployment, id);

        CREATE TABLE intent_v2 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            deployment TEXT,
            action TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}',
            createdAt REAL NOT NULL,
            completedAt REAL,
            outcome TEXT,
            CONSTRAINT intent_action_word CHECK (action IN (
                'Sync', 'Retry', 'Suspend', 'Resume', 'StartReplica', 'StopReplica')),
            CONSTRAINT intent_payload_json CHECK (json_valid(payload)),
            CONSTRAINT intent_completed_with_outcome CHECK (
                (completedAt IS NULL) = (outcome IS NULL))
        );
        INSERT INTO intent_v2 SELECT id, deployment,
                   CASE WHEN action IN ('Sync', 'Retry', 'Suspend', 'Resume', 'StartReplica', 'StopReplica')
                        THEN action ELSE 'Sync' END,
                   payload, createdAt, completedAt, outcome
            FROM intent;
        DROP TABLE intent;
        ALTER TABLE intent_v2 RENAME TO intent;
        CREATE INDEX intent_open ON intent(id) WHERE completedAt IS NULL;
        """

    /// Migration "v3": the audit trail. `commitAudit` holds who made each commit the
    /// controller fetched (author, committer, subject, pull request, verified signer); each
    /// rollout copies its commit's facts when it begins, with the fields its spec changed
    /// (`specDiff`, a JSON array of field paths), so the history answers "who deployed what,
    /// when and why" even after the commit is gone from the repository.
    private static let v3Schema = """
        CREATE TABLE commitAudit (
            "commit" TEXT PRIMARY KEY NOT NULL,
            author TEXT NOT NULL,
            committer TEXT NOT NULL,
            subject TEXT NOT NULL,
            pullRequest INTEGER,
            signer TEXT,
            CONSTRAINT commit_audit_commit_hex CHECK (
                length("commit") IN (40, 64) AND NOT "commit" GLOB '*[^0-9a-f]*'),
            CONSTRAINT commit_audit_pull_request_positive CHECK (pullRequest IS NULL OR pullRequest > 0)
        );

        ALTER TABLE rollout ADD COLUMN author TEXT;
        ALTER TABLE rollout ADD COLUMN committer TEXT;
        ALTER TABLE rollout ADD COLUMN subject TEXT;
        ALTER TABLE rollout ADD COLUMN pullRequest INTEGER
            CONSTRAINT rollout_pull_request_positive CHECK (pullRequest IS NULL OR pullRequest > 0);
        ALTER TABLE rollout ADD COLUMN signer TEXT;
        ALTER TABLE rollout ADD COLUMN specDiff TEXT NOT NULL DEFAULT '[]'
            CONSTRAINT rollout_spec_diff_json_array CHECK (json_valid(specDiff) AND json_type(specDiff) = 'array');
        CREATE INDEX rollout_by_start ON rollout(startedAt);
        """
}
