import BatchData
import Fixtures

extension JobStore.State {
    /// Whether the job of `work` needs that work now (and the store was not reset since it was asked for).
    mutating func needs(_ work: DataWork) -> Bool {
        guard generation == work.generation, let position = table.positions[work.jobId], table.jobs[position].data != nil else { return false }
        return table.jobs[position].snapshot(at: now, isPoll: false).need == work.need
    }

    /// The data work the job at `position` needs, with what it needs to do it.
    func work(_ position: Int, _ need: DataNeed) -> DataWork {
        let job = table.jobs[position]
        var scan: InputScan?
        if case .ready(let found, _)? = job.data?.scan { scan = found }
        return DataWork(
            jobId: job.id, generation: generation, need: need, record: job.record, responses: job.definition.responses, errorShare: job.data?.errorShare ?? 0, scan: scan)
    }
}

extension JobStore {
    /// The data work the jobs at the positions `candidates` picks need at the clock's time, so that
    /// the answer that follows can show them done: started by the service, which answers when it has
    /// ended (or its wait has), never on the request's thread.
    func pendingData(_ candidates: (JobTable, Int64) -> [Int]) -> [DataWork] {
        guard dataPlane != nil else { return [] }
        return
            (try? withState { state -> [DataWork] in
                var works: [DataWork] = []
                for position in candidates(state.table, state.now) where state.table.jobs[position].data != nil {
                    if let need = state.table.jobs[position].snapshot(at: state.now, isPoll: false).need { works.append(state.work(position, need)) }
                }
                return works
            }) ?? []
    }

    /// The data work the job `identifier` names needs now, for a caller in `scope` (Get and Stop).
    func pendingData(of identifier: JobIdentifier, in scope: Scope) -> [DataWork] {
        pendingData { table, now in table.find(identifier, in: scope, at: now).map { [$0] } ?? [] }
    }

    /// The data work the caller's jobs need now (List shows them all).
    func pendingData(in scope: Scope) -> [DataWork] {
        pendingData { table, now in table.jobs.indices.filter { table.isVisible($0, in: scope, at: now) } }
    }

    /// Whether the job still waits for `work`: no reset since it was asked for, and the job's data
    /// needs that very work at the clock's time (not done already by another run).
    @Sendable func stillNeeds(_ work: DataWork) -> Bool {
        (try? withState { state in state.needs(work) }) ?? false
    }

    /// Keeps what data work found, unless the store was reset since it was asked for, or the job no
    /// longer needs it (another run's result came first: the first one stands).
    @Sendable func applyData(_ work: DataWork, _ result: DataResult) {
        try? withState { state in
            guard state.needs(work), let position = state.table.positions[work.jobId],
                var data = state.table.jobs[position].data, let lifecycle = state.table.jobs[position].lifecycle
            else { return }
            switch result {
            case .scanned(let scan): data.scan = .ready(scan, lifecycle.withData(total: Int64(scan.totalRecords)))
            case .scanFailed(let message): data.scan = .failed(message)
            case .written(let processed): data.written = processed
            case .writeFailed(let message): data.writeFailure = message
            }
            state.table.jobs[position].data = data
            state.table.jobs[position].cachedBody = nil
            markDue(&state, position)
        }
        wakeEvents()
    }
}
