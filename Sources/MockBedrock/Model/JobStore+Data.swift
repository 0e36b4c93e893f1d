import BatchData
import Fixtures

extension JobStore.State {
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
    /// Does the data work the jobs at the positions `candidates` picks need at the clock's time (all
    /// of it at once, waiting at most the data plane's bound), so that the answer that follows shows
    /// them done.
    func prepareData(_ candidates: (JobTable, Int64) -> [Int]) {
        guard let dataPlane else { return }
        let deadline = dataPlane.deadline()
        for _ in 0..<2 {
            let works =
                (try? withState { state -> [DataWork] in
                    var works: [DataWork] = []
                    for position in candidates(state.table, state.now) where state.table.jobs[position].data != nil {
                        if let need = state.table.jobs[position].snapshot(at: state.now, isPoll: false).need { works.append(state.work(position, need)) }
                    }
                    return works
                }) ?? []
            if works.isEmpty { return }
            dataPlane.performAll(works, until: deadline, apply: applyData)
        }
    }

    /// Keeps what data work found, unless the store was reset since it was asked for.
    @Sendable func applyData(_ work: DataWork, _ result: DataResult) {
        try? withState { state in
            guard state.generation == work.generation, let position = state.table.positions[work.jobId],
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
