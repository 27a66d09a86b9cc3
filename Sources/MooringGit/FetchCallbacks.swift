import CLibGit2
import Foundation

/// The libgit2 remote callbacks for a fetch. Each gets the ``FetchContext`` as its payload
/// (passed unretained; the fetch keeps it alive for the duration of `git_remote_fetch`).
enum FetchCallbacks {
    static func install(on callbacks: inout git_remote_callbacks, context: FetchContext) {
        callbacks.payload = Unmanaged.passUnretained(context).toOpaque()
        callbacks.credentials = { out, _, usernameFromURL, allowed, payload in
            guard let out, let payload else { return GIT_EUSER.rawValue }
            let context = Unmanaged<FetchContext>.fromOpaque(payload).takeUnretainedValue()
            let urlUser = usernameFromURL.map { String(cString: $0) }
            return FetchCallbacks.acquireCredential(out, urlUser: urlUser, allowed: allowed, context: context)
        }
        callbacks.certificate_check = { cert, _, host, payload in
            guard let payload else { return GIT_EUSER.rawValue }
            let context = Unmanaged<FetchContext>.fromOpaque(payload).takeUnretainedValue()
            _ = context.noteProgress()
            guard let cert, cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else {
                return GIT_PASSTHROUGH.rawValue  // TLS: libgit2 checks against the system CA bundle.
            }
            let hostName = host.map { String(cString: $0) } ?? ""
            return FetchCallbacks.checkHostKey(cert, host: hostName, context: context)
        }
        callbacks.transfer_progress = { _, payload in
            guard let payload else { return 0 }
            let context = Unmanaged<FetchContext>.fromOpaque(payload).takeUnretainedValue()
            return FetchCallbacks.progress(context)
        }
        callbacks.sideband_progress = { _, _, payload in
            guard let payload else { return 0 }
            let context = Unmanaged<FetchContext>.fromOpaque(payload).takeUnretainedValue()
            return FetchCallbacks.progress(context)
        }
    }

    private static func progress(_ context: FetchContext) -> Int32 {
        if context.noteProgress() { return 0 }
        git_error_set_str(Int32(GIT_ERROR_CALLBACK.rawValue), "fetch abandoned: no progress within the stall timeout")
        return GIT_EUSER.rawValue
    }

    private static func fail(_ context: FetchContext, _ message: String) -> Int32 {
        context.credentialProblem = message
        git_error_set_str(Int32(GIT_ERROR_CALLBACK.rawValue), message)
        return GIT_EAUTH.rawValue
    }

    private static func acquireCredential(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>, urlUser: String?, allowed: UInt32, context: FetchContext
    ) -> Int32 {
        _ = context.noteProgress()
        if context.isCancelled { return GIT_EUSER.rawValue }
        context.attempts += 1
        let maxAttempts = context.credentials.maxAttempts
        if context.attempts > maxAttempts {
            return fail(context, "the server rejected \(context.credentialDescription) "
                + "(\(maxAttempts) attempt\(maxAttempts == 1 ? "" : "s")). Check the credential in the controller's config")
        }
        if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0,
           let https = context.credentials.https, let secret = context.httpsSecret {
            context.logger.debug("offering HTTPS credential", metadata: ["user": "\(https.username)", "attempt": "\(context.attempts)"])
            return git_credential_userpass_plaintext_new(out, https.username, secret)
        }
        if let ssh = context.credentials.ssh {
            let user = ssh.username ?? urlUser ?? "git"
            if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
                context.logger.debug("offering SSH key", metadata: ["key": "\(ssh.privateKeyPath)", "attempt": "\(context.attempts)"])
                return git_credential_ssh_key_new(out, user, ssh.publicKeyPath, ssh.privateKeyPath, context.sshPassphrase)
            }
            if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
                return git_credential_username_new(out, user)
            }
        }
        return fail(context, "the server at \(scrubUserInfo(in: context.url)) asks for credentials and none that it accepts "
            + "are configured. Configure an HTTPS token or SSH key for this repository")
    }

    private static func checkHostKey(_ cert: UnsafeMutablePointer<git_cert>, host: String, context: FetchContext) -> Int32 {
        guard let knownHosts = context.knownHosts else {
            context.hostKeyProblem = "no known_hosts file is configured, so the SSH host key of `\(host)` cannot be checked. "
                + "Configure one with the host's key (ssh-keyscan \(host))"
            git_error_set_str(Int32(GIT_ERROR_SSH.rawValue), context.hostKeyProblem)
            return GIT_ECERTIFICATE.rawValue
        }
        let hostKey = UnsafeRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self).pointee
        guard hostKey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostKey.hostkey else {
            context.hostKeyProblem = "the SSH library did not provide the raw host key of `\(host)`, so it cannot be checked"
            git_error_set_str(Int32(GIT_ERROR_SSH.rawValue), context.hostKeyProblem)
            return GIT_ECERTIFICATE.rawValue
        }
        let key = Data(bytes: raw, count: hostKey.hostkey_len)
        switch knownHosts.verdict(host: host, key: key) {
        case .trusted:
            return 0
        case .unknownHost:
            context.hostKeyProblem = "SSH host `\(host)` is not in known_hosts `\(knownHosts.path)`. "
                + "Add its key (ssh-keyscan \(host)) after checking it"
        case .mismatch:
            context.hostKeyProblem = "SSH host key of `\(host)` does not match known_hosts `\(knownHosts.path)`: "
                + "the host changed its key or someone is in the middle. Check it before updating known_hosts"
        }
        git_error_set_str(Int32(GIT_ERROR_SSH.rawValue), context.hostKeyProblem)
        return GIT_ECERTIFICATE.rawValue
    }
}
