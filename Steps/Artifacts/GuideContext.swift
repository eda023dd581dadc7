import Phase0Core
import Phase0Parsers
import Phase0Templates

extension StepContext {
    /// The saved answers Steps 4–5 build on (asked by Steps 2–3), with the guide's defaults for
    /// any not given, validated: these steps also work on their own (tests, a re-run).
    func guideAnswers() throws -> GuideAnswers {
        try GuideAnswers { answerIfGiven($0) }
    }
}

extension StepContext {
    /// Appended to an operator task's instruction in practice mode, where pressing Enter makes
    /// the simulated operator do the task (see SimOperator.swift).
    func practiceHint(_ what: String) -> String {
        host.isPractice && !options.assumeYes ? "\n(Practice: press Enter and the simulated operator \(what) on the simulated Spark.)" : ""
    }
}

extension EmbeddedTemplates {
    /// The template `name` (Templates/NAME.tmpl) rendered with `values` and `flags`.
    static func render(_ name: String, values: [String: String], flags: [String: Bool] = [:]) throws -> String {
        guard let template = text(name) else { throw TemplateError.unknownTemplate(name) }
        return try TemplateRenderer(name: name, text: template).render(values: values, flags: flags)
    }
}
