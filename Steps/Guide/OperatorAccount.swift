import Phase0Core
import Phase0Parsers

/// Which account the agent belongs to. phase0 is meant to run as the operator (sudo where
/// needed); run as root directly, it must not conclude that root is the operator: the unit
/// would run the agent as root and `tmux attach` would only work for root. So it asks, with
/// a default that is never root.
public enum OperatorAccount {
    public static let key = AnswerKey.user.rawValue
    /// The guide's operator.
    public static let guideUser = AnswerKey.user.guideDefault ?? ""

    /// The invoker when it is not root; run as root: the account that ran `sudo phase0`
    /// (SUDO_USER), else the guide's account if it exists here; else nothing (asked, no default).
    public static func defaultUser(host: Host, sudoUser: String?) -> String? {
        func usable(_ name: String?) -> String? {
            guard let name, !name.isEmpty, let account = host.lookupUser(name), account.uid != 0 else { return nil }
            return name
        }
        if host.invoker != "root", let invoker = usable(host.invoker) { return invoker }
        return usable(sudoUser) ?? usable(guideUser)
    }

    /// A user that exists on the machine and is not root; root (or any uid 0 account) only
    /// when the operator confirms it at the prompt.
    public static func validate(_ raw: String, host: Host) -> Validate.Outcome {
        switch Validate.existingUser(raw, host: host) {
        case .failure(let failure):
            return .failure(failure)
        case .success(let name):
            guard host.lookupUser(name)?.uid == 0 else { return .success(name) }
            return .failure(
                ValidationFailure(
                    "\(name) is the superuser: the agent, its TUI and whatever the model runs would have full control of this machine, and `tmux attach` would work only as root. Name the operator's own account (the guide's is \(guideUser)).",
                    acceptIfConfirmed: name, question: "Run the agent as \(name) anyway?"))
        }
    }

    /// Asked before Step 0 when phase0 runs as root on the live machine.
    public static func question(sudoUser: String?) -> Question {
        Question(
            key: key,
            prompt: "phase0 runs as root. Which operator account does the agent belong to",
            help:
                "The account that owns ~/Vybn and the venv, that the agent's unit runs as, and that attaches to its tmux session. Not root.",
            defaultValue: { ctx in defaultUser(host: ctx.host, sudoUser: ctx.options.sudoUser) },
            validate: { raw, ctx in validate(raw, host: ctx.host) })
    }

    /// Whether this run needs the question: live, run as root directly.
    public static func mustAsk(host: Host) -> Bool { !host.isPractice && host.invoker == "root" }
}
