import Phase0Parsers
import Phase0Core

extension StepContext {
    /// The saved answers Steps 4–5 build on (asked by Steps 2–3), with the guide's defaults for
    /// any not given, validated: these steps also work on their own (tests, a re-run).
    func guideAnswers() throws -> GuideAnswers {
        var answers: [String: String] = [:]
        for key in ["user", "home", "repoDir", "agentDir", "venvPython", "tmuxSession", "unitName", "ollamaUnit",
                    "ollamaURL", "model", "webuiContainer", "webuiPort", "webuiNetwork"] {
            if let value = answerIfGiven(key) { answers[key] = value }
        }
        return try GuideAnswers(answers)
    }
}

extension StepContext {
    /// Appended to an operator task's instruction in practice mode, where pressing Enter makes
    /// the simulated operator do the task (see SimOperator.swift).
    func practiceHint(_ what: String) -> String {
        host.isPractice && !options.assumeYes ? "\n(Practice: press Enter and the simulated operator \(what) on the simulated Spark.)" : ""
    }
}
