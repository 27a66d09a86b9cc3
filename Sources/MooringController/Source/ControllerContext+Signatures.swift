import Foundation
import MooringGit
import MooringStore

extension ControllerContext {
    /// Checks the tip commit's signature against `policy.verifyCommits` before any manifest
    /// of it is read, and records who made the commit (and who signed it) for the audit
    /// trail. Nil when the commit may be read; otherwise the refusal — naming the commit, the
    /// key's fingerprint and why — for the source's error: the commit is rejected whole and
    /// nothing changes.
    ///
    /// Runs at every poll, so a change to the allowed signers file (or keyring) applies at
    /// the next poll, without a restart, to the tip as it is.
    func checkSignature(of commit: CommitInfo) async -> String? {
        var signer: String?
        if let policy = configuration.commitSignatures {
            let source = self.source
            let verdict: SignatureVerdict = await Blocking.run {
                let signature: CommitSignature?
                do {
                    signature = try source.signature(of: commit.id)
                } catch {
                    return .rejected(reason: "cannot read its signature: \(error)", fingerprint: nil)
                }
                return CommitSignatureVerifier(policy: policy).verify(signature)
            }
            switch verdict {
            case let .rejected(reason, fingerprint):
                let key = fingerprint.map { " (key \($0))" } ?? ""
                return "commit \(commit.id.short) rejected, nothing applied: policy.verifyCommits: \(reason)\(key)"
            case let .verified(principal, fingerprint):
                logger.debug("commit \(commit.id.short) signed by \(principal) (key \(fingerprint))")
                signer = "\(fingerprint) \(principal)"
            }
        }
        let audit = CommitAuditRecord(commit: commit, signer: signer)
        // An unchanged poll reads, and writes nothing.
        let known: CommitAuditRecord?
        do {
            known = try await store.read { tx in try tx.commitAudit(audit.commit) }
        } catch {
            known = nil
        }
        if known != audit {
            await persist("who made commit \(commit.id.short)") { tx in try tx.recordCommitAudit(audit) }
        }
        return nil
    }
}

extension CommitAuditRecord {
    /// The audit facts of `commit`: author, committer, subject, pull request, signer.
    init(commit: CommitInfo, signer: String?) {
        self.init(commit: commit.id.hex,
                  author: "\(commit.author) <\(commit.authorEmail)>",
                  committer: "\(commit.committer) <\(commit.committerEmail)>",
                  subject: commit.subject,
                  pullRequest: pullRequestNumber(subject: commit.subject, message: commit.message),
                  signer: signer)
    }
}
