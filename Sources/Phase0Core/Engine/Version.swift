import Phase0Parsers

public enum Phase0Version {
    public static let current = "0.1.0"
}
