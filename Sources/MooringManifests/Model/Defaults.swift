/// Every default a manifest field gets when neither the deployment nor its runtime sets
/// it, and the range each accepts. `docs/manifests.md` explains where each comes from.
public enum ManifestDefaults {
    public static let replicas = 1
    public static let replicasRange = 0...64

    public static let startupTimeoutSeconds = 600          // large models take minutes to load
    public static let startupTimeoutRange = 1...86_400
    public static let periodSeconds = 10                   // Kubernetes' periodSeconds
    public static let periodRange = 1...3_600
    public static let timeoutSeconds = 1                   // Kubernetes' timeoutSeconds
    public static let timeoutRange = 1...3_600
    public static let failureThreshold = 3                 // Kubernetes' failureThreshold
    public static let failureThresholdRange = 1...100
    public static let successThreshold = 1                 // Kubernetes' successThreshold
    public static let successThresholdRange = 1...100
    public static let httpPath = "/healthz"
    public static let httpScheme = "http"
    public static let portRange = 1...65_535

    public static let strategy = RolloutStrategy.surge
    public static let minHealthySeconds = 10               // Nomad's min_healthy_time
    public static let minHealthyRange = 0...3_600
    public static let progressDeadlineSeconds = 600        // Kubernetes' progressDeadlineSeconds
    public static let progressDeadlineRange = 1...86_400
    public static let autoRollback = true                  // Nomad's auto_revert, on by default here
    public static let canaryMaxSteps = 20
    public static let canaryPauseSeconds = 60              // Argo Rollouts' examples pause minutes
    public static let canaryPauseRange = 0...86_400
    public static let canaryWeightRange = 1...99
    public static let canaryMaxErrorRatio = 0.05           // 5 % failed requests
    public static let canaryMinRequests = 20               // fewer: the step is inconclusive and waits
    public static let canaryMinRequestsRange = 0...1_000_000
    public static let canaryResponseTimeRange = 1...3_600_000
    public static let downloadDeadlineSeconds = 21_600     // 6 h: tens of GiB over a slow link
    public static let downloadDeadlineRange = 1...604_800

    public static let restartPolicy = RestartPolicy.always
    public static let backoffInitialSeconds = 1.0          // not Kubernetes' 10 s
    public static let backoffMaxSeconds = 300.0            // Kubernetes' CrashLoopBackOff cap
    public static let backoffResetAfterSeconds = 600.0     // Kubernetes resets after 10 min healthy
    public static let backoffSecondsRange = 0.1...86_400.0

    public static let gracePeriodSeconds = 30              // Kubernetes' terminationGracePeriodSeconds
    public static let gracePeriodRange = 0...3_600

    public static let workingDir = "{{revision.dir}}"
    public static let suspend = false
}
