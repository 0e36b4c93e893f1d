/// The status of a batch inference job (the model's `ModelInvocationJobStatus`).
public enum JobStatus: String, Sendable, CaseIterable {
    case submitted = "Submitted"
    case validating = "Validating"
    case scheduled = "Scheduled"
    case inProgress = "InProgress"
    case completed = "Completed"
    case partiallyCompleted = "PartiallyCompleted"
    case failed = "Failed"
    case stopping = "Stopping"
    case stopped = "Stopped"
    case expired = "Expired"

    /// Completed, PartiallyCompleted, Failed, Stopped and Expired: the job has ended.
    public var isTerminal: Bool {
        switch self {
        case .completed, .partiallyCompleted, .failed, .stopped, .expired: true
        case .submitted, .validating, .scheduled, .inProgress, .stopping: false
        }
    }
}

extension JobStatus {
    /// Submitted, Validating and Scheduled: the job has not started; it expires if its timeout passes now.
    public var isWaitingToRun: Bool {
        switch self {
        case .submitted, .validating, .scheduled: true
        default: false
        }
    }

    /// The statuses a lifecycle phase may move a job to from this one (the lifecycle in the model's
    /// documentation): forward through validation and scheduling, to a terminal status, or through
    /// Stopping when stopped. Expired is not among them: a job becomes Expired by itself when its
    /// timeout passes while it waits.
    public var possibleNext: [JobStatus] {
        switch self {
        case .submitted: [.validating, .failed, .stopping, .stopped]
        case .validating: [.scheduled, .failed, .stopping, .stopped]
        case .scheduled: [.inProgress, .failed, .stopping, .stopped]
        case .inProgress: [.completed, .partiallyCompleted, .failed, .stopping]
        case .stopping: [.stopped]
        case .completed, .partiallyCompleted, .failed, .stopped, .expired: []
        }
    }
}
