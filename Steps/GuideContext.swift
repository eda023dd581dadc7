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
