import Phase0Parsers

/// What the resume file records of a run: each action and step, failures and skips, and when
/// it is written (at once, or with the next save).
extension Engine {
    /// The step that stopped on a refusal or a failure says so, with the reason, in the resume
    /// file: `phase0 status` then shows "failed" and why, not "in-progress" with no note. The
    /// first reason recorded stays (an action's failure, then the run's ending on it).
    func markStepFailed(_ reason: String) throws {
        updateStep(context.stepNumber) {
            guard $0.status != .failed else { return }
            $0.status = .failed
            $0.note = reason
        }
        try save()
    }

    func markFailed(_ reason: String) {
        try? markStepFailed(reason)  // best effort: the run is ending on this failure, which is said on screen
    }

    /// The operator skipped a step, or one action of it: recorded, saved, said.
    func skipped(_ step: Step, action: Action? = nil) throws {
        let note = "skipped by the operator"
        if let action {
            record(action.id) {
                $0.status = .skipped
                $0.note = note
            }
        } else {
            updateStep(step.number) {
                $0.status = .skipped
                $0.note = note
            }
        }
        try save()
        say(action.map { "  [skipped] \($0.title)" } ?? "[skipped] \(step.displayName).")
    }

    func record(_ id: String, _ change: (inout ActionRecord) -> Void) {
        record(step: context.stepNumber, action: id, change)
    }

    func record(step: Int, action id: String, _ change: (inout ActionRecord) -> Void) {
        context.progress.updateStep(step) { $0.updateAction(id, change) }
    }

    func updateStep(_ number: Int, _ change: (inout StepRecord) -> Void) {
        context.progress.updateStep(number, change)
    }

    func save() throws {
        if let snapshot = host.snapshot { context.progress.machine = snapshot }
        context.progress.updatedAt = clock()
        try store?.save(context.progress)
        pendingSave = false
        FaultInjection.reached("save")
    }

    /// Records what a re-check would find again, with no effect since the last save (an action
    /// or a step found done, a step started): written with the next save, which comes before
    /// the next effect, or when the run ends. A cut before then loses nothing a resume does not
    /// find again the same way; a durable save costs ~0.4 ms of CPU on ext4 (issue 14).
    func saveLater() { pendingSave = true }

    /// A step just found done: its hook (undo marks the step it reversed) is saved at once;
    /// without one, what was recorded is written with the next save.
    func saveVerified(_ step: Step) throws {
        if let onVerified = step.onVerified {
            onVerified(context)
            try save()
        } else {
            saveLater()
        }
    }
}
