// libFuzzer target for the parsers phase0 feeds with machine files: /proc/swaps,
// /proc/meminfo, the fstab edit, the duplicate-key scan of the JSON input files, and the
// sysctl.d files read for the next boot. Compiled together with the Phase0Parsers target's
// sources (Sources/Phase0Parsers/*.swift) by run.sh (swiftc -sanitize=fuzzer,address). A crash,
// a sanitizer report or a failed precondition is a finding; libFuzzer saves the input that
// caused it.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParsers(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
    switch (bytes[0] & 0x7f) % 5 {
    case 0:
        _ = try? ProcSwaps.parse(text)
    case 1:
        _ = try? MemInfo.parse(text)
    case 2:
        checkFstabEdit(text, swapfile: bytes[0] & 0x80 == 0 ? "/swapfile" : "/swap$(x)`y`")
    case 3:
        _ = JSONDuplicateKeys.first(in: Array(bytes.dropFirst()))
    default:
        checkSysctlBoot(text)
    }
    return 0
}

/// A sysctl.d file (and any line of it as a glob pattern) never crashes the boot-order reader,
/// and a file applied after it that sets vm.swappiness explicitly always wins.
func checkSysctlBoot(_ text: String) {
    let theirs = SysctlBoot.File(directory: "/etc/sysctl.d", name: "50-fuzz.conf", content: text)
    let ours = SysctlBoot.File(directory: "/etc/sysctl.d", name: "99-zz-phase0-swappiness.conf", content: "vm.swappiness = 10\n")
    precondition(SysctlBoot.value(of: "vm.swappiness", in: [theirs, ours])?.value == "10", "a later explicit setting lost")
    for line in text.split(separator: "\n").prefix(8) {
        _ = SysctlBoot.matches(pattern: String(line.prefix(64)), "vm/swappiness")
    }
}

/// Every line stays byte for byte (or is commented out when it is /swap.img or the swapfile),
/// exactly one active swapfile line results, and a second edit changes nothing.
func checkFstabEdit(_ text: String, swapfile: String) {
    let edit = Fstab.ensureSwapfile(in: text, swapfile: swapfile)
    let before = lines(text), after = lines(edit.text)
    precondition(after.count == before.count || after.count == before.count + 1, "line count")
    for (index, line) in before.enumerated() where after[index] != line {
        let device = Fstab.device(of: String(decoding: line, as: UTF8.self)[...]).map(String.init)
        precondition(after[index] == Array("#".utf8) + line && (device == "/swap.img" || device == swapfile), "an unrelated line changed")
    }
    precondition(Fstab.activeSwapDevices(in: edit.text).filter { $0 == swapfile }.count == 1, "not exactly one swapfile line")
    let again = Fstab.ensureSwapfile(in: edit.text, swapfile: swapfile)
    precondition(again.changes.isEmpty && Array(again.text.utf8) == Array(edit.text.utf8), "not idempotent")
}

func lines(_ text: String) -> [[UInt8]] {
    var result = Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
    if text.utf8.last == 0x0A { result.removeLast() }
    return text.isEmpty ? [] : result
}
