import Foundation
import Testing
@testable import RunnerScaler

/// The hand-written timestamp forms, checked against known instants and against Foundation's
/// own formatters (which the code no longer uses at run time).
@Suite("UTC timestamps without formatters")
struct UTCTimestampTests {
    @Test("RFC 3339 as GitHub, EC2 and Metal write it: Z, offsets, fractions")
    func rfc3339() {
        #expect(UTCTimestamp.parseISO8601("2016-07-11T22:14:10Z") == Date(timeIntervalSince1970: 1_468_275_250))
        #expect(UTCTimestamp.parseISO8601("2011-12-20T08:29:31.000Z") == Date(timeIntervalSince1970: 1_324_369_771))
        // GitHub's registration-token form: fractional seconds and a negative offset.
        let token = UTCTimestamp.parseISO8601("2020-01-22T12:13:35.123-08:00")
        #expect(token.map { abs($0.timeIntervalSince1970 - 1_579_724_015.123) < 0.0005 } == true)
        #expect(UTCTimestamp.parseISO8601("2020-01-22T20:13:35+00:00") == Date(timeIntervalSince1970: 1_579_724_015))
        for bad in ["", "2020-01-22", "2020-01-22T20:13:35", "2020-13-22T20:13:35Z", "2020-01-22T20:13:35.Z",
                    "2020-01-22T20:13:35Zjunk", "2020-01-22T25:13:35Z", "2020-01-22T20:13:35+0000"] {
            #expect(UTCTimestamp.parseISO8601(bad) == nil, "\(bad)")
        }
    }

    @Test("Whole-second RFC 3339 in UTC round-trips and matches Foundation's ISO 8601 style")
    func iso8601Format() {
        for seconds in [0, 951_825_599, 1_468_275_250, 4_102_444_800] as [TimeInterval] {
            let date = Date(timeIntervalSince1970: seconds)
            let text = UTCTimestamp.iso8601(date)
            #expect(text == date.formatted(.iso8601))
            #expect(UTCTimestamp.parseISO8601(text) == date)
        }
    }

    @Test("With milliseconds, truncated, also before 1970")
    func milliseconds() {
        #expect(UTCTimestamp.iso8601(Date(timeIntervalSince1970: 1_468_275_250.1239), milliseconds: true) == "2016-07-11T22:14:10.123Z")
        #expect(UTCTimestamp.iso8601(Date(timeIntervalSince1970: -0.5), milliseconds: true) == "1969-12-31T23:59:59.500Z")
        #expect(UTCTimestamp.iso8601(Date(timeIntervalSince1970: 951_825_599.999), milliseconds: true) == "2000-02-29T11:59:59.999Z")
    }

    @Test("HTTP dates: RFC 9110's IMF-fixdate only")
    func httpDate() {
        #expect(UTCTimestamp.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(UTCTimestamp.parseHTTPDate("Tue, 29 Feb 2000 23:59:59 GMT") == Date(timeIntervalSince1970: 951_868_799))
        for bad in ["Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC",
                    "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT ", "Sun, 32 Nov 1994 08:49:37 GMT", ""] {
            #expect(UTCTimestamp.parseHTTPDate(bad) == nil, "\(bad)")
        }
    }
}
