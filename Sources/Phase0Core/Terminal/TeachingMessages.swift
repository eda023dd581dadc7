/// What practice and the drills say when the operator must pretend: the simulated Spark has
/// no laptop lid, no phone and no web console.
extension Messages {
    public static let practicePretend = """
             (practice) PRETEND: the simulated Spark has no laptop lid and no phone. Imagine doing what the
             question says on a real Spark, and answer what you would have seen there (yes when it worked).
        """
}
