import Phase0Core

// Foundation has a Progress and a Host too; in these tests the names mean phase0's.
typealias Progress = Phase0Core.Progress
typealias Host = Phase0Core.Host
