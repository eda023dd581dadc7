@testable import Phase0Core
@testable import Phase0Practice
import Phase0TestSupport
import Foundation
import Testing

/// The resume file's own JSON reader and writer (issue 14) read and write what Foundation's
/// do, refuse what is not JSON, and find unknown keys in the same pass.
@Suite struct StateCodecTests {
    struct Sample: Codable, Equatable {
        var text: String
        var number: Int64
        var ratio: Double
        var flag: Bool
        var list: [String?]
        var table: [String: Int]
        var nested: [Sample]?
    }

    static let sample = Sample(text: "é \"quoted\" \\ / \n\t\u{1}", number: -9_007_199_254_740_993, ratio: 0.1, flag: true,
                               list: ["a", nil], table: ["b": 2, "a": 1],
                               nested: [Sample(text: "", number: 0, ratio: -2.5e-9, flag: false, list: [], table: [:], nested: nil)])

    @Test func whatOneWritesTheOtherReads() throws {
        let written = try StateEncoder().encode(Self.sample)
        #expect(try JSONDecoder().decode(Sample.self, from: Data(written)) == Self.sample)
        var decoder = StateDecoder()
        #expect(try decoder.decode(Sample.self, from: written) == Self.sample)
        #expect(decoder.firstUnknownKey() == nil)
        let foundation = try JSONEncoder().encode(Self.sample)
        var again = StateDecoder()
        #expect(try again.decode(Sample.self, from: Array(foundation)) == Self.sample)
        // Keys sorted at every level, so equal values are equal bytes.
        #expect(String(decoding: written, as: UTF8.self).contains(#""table":{"a":1,"b":2}"#))
    }

    @Test(arguments: [
        "", "{", #"{"a":1,}"#, "[1,]", "01", "1.", "-", "1e", "+1", #""\u12G4""#, #""\ud800""#, #""\q""#,
        "\"a\u{1}b\"", #"{"a":1}{"b":2}"#, "nul", "[1 2]", #"{"a" 1}"#, #"{"a":1,"a":2}"#,
        String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
    ])
    func whatIsNotJSONIsRefused(text: String) {
        var decoder = StateDecoder()
        #expect(throws: DecodingError.self) { try decoder.decode(JSONProbe.self, from: Array(text.utf8)) }
    }

    @Test func invalidUTF8IsRefused() {
        var decoder = StateDecoder()
        #expect(throws: DecodingError.self) { try decoder.decode(String.self, from: [0x22, 0xff, 0xfe, 0x22]) }
    }

    @Test func unknownKeysAreFoundWhereTheyAre() throws {
        var decoder = StateDecoder()
        let text = #"{"text":"","number":1,"ratio":1.0,"flag":false,"list":[],"table":{},"colour":null,"#
            + #""nested":[{"text":"","number":1,"ratio":1,"flag":false,"list":[],"table":{},"size":5}]}"#
        let decoded = try decoder.decode(Sample.self, from: Array(text.utf8))
        #expect(decoded.ratio == 1.0 && decoded.nested?.first?.ratio == 1)
        let unknown = try #require(decoder.firstUnknownKey())
        #expect(unknown.key == "size" && unknown.path == "nested[0]", "a null value counts as absent: \(unknown)")
    }

    @Test func errorsSayWhereAsJSONDecodersDo() throws {
        for (text, says) in [(#"{"text":1}"#, #"wrong type at "text""#), (#"{"text":"x"}"#, #"missing key "number""#),
                             (#"{"text":null}"#, #"missing value at "text""#)] {
            var decoder = StateDecoder()
            do {
                _ = try decoder.decode(Sample.self, from: Array(text.utf8))
                Issue.record("accepted \(text)")
            } catch {
                #expect(describeDecodingError(error).contains(says), "\(describeDecodingError(error))")
            }
        }
    }
}

/// Any JSON at all, to test the syntax alone.
private struct JSONProbe: Decodable {
    init(from decoder: Decoder) throws {}
}
