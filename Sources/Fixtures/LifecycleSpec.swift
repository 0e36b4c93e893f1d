/// How a fixture job moves through its statuses, as the fixture wrote it.
public enum JobBehaviour: Sendable, Equatable {
    /// The job has a `status` and no `lifecycle`: it is served as written, whatever the clock says.
    case `static`
    /// The job has a `lifecycle`: these phases from its `submitTime`.
    case lifecycle(LifecycleSpec)
    /// The job has neither: the default lifecycle to this outcome (`outcome`, default Completed).
    case defaultLifecycle(LifecycleOutcome)
}

/// The end the default lifecycle leads to.
public enum LifecycleOutcome: String, Sendable, CaseIterable {
    case completed = "Completed"
    case partiallyCompleted = "PartiallyCompleted"
    case failed = "Failed"
    case expired = "Expired"
    case stopped = "Stopped"
}

/// The phases of a job's `lifecycle` member: `[{"status": "Submitted", "for": "90s"}, ..., {"status": "Completed"}]`.
public struct LifecycleSpec: Sendable, Equatable {
    public var phases: [PhaseSpec]

    public init(phases: [PhaseSpec]) {
        self.phases = phases
    }
}

/// One phase of a lifecycle.
public struct PhaseSpec: Sendable, Equatable {
    public enum Length: Sendable, Equatable {
        /// The phase lasts this long on the clock.
        case duration(milliseconds: Int64)
        /// The phase lasts this many Gets of the job.
        case polls(Int)
        /// The last phase: the job stays in it.
        case final
    }

    public var status: JobStatus
    public var length: Length
    public var message: String?
    public var processedRecordCount: Int64?
    public var successRecordCount: Int64?
    public var errorRecordCount: Int64?

    public init(
        status: JobStatus, length: Length, message: String? = nil,
        processedRecordCount: Int64? = nil, successRecordCount: Int64? = nil, errorRecordCount: Int64? = nil
    ) {
        self.status = status
        self.length = length
        self.message = message
        self.processedRecordCount = processedRecordCount
        self.successRecordCount = successRecordCount
        self.errorRecordCount = errorRecordCount
    }

    /// True when the phase sets any record count.
    public var setsRecordCounts: Bool {
        processedRecordCount != nil || successRecordCount != nil || errorRecordCount != nil
    }
}
