import Phase0Parsers
import Phase0Core

public enum AnsibleExport {
    public static func run(_ config: WizardConfig, directory: String, answersPath: String?, output: Output, notes: Output) -> Int32 {
        notes.write("not yet\n")
        return 1
    }
}
