import MooringTraffic
import Testing
@testable import MooringController

/// Each stable endpoint's numbers as `/metrics` shows them, from HAProxy's `BACKEND` rows
/// (server rows and other proxies are not endpoints): every status class, both error
/// kinds, sessions and response time in seconds, ordered by family then deployment.
@Suite struct EndpointMetricsTests {
    @Test func backendRowsBecomeOneSeriesPerClassAndKind() {
        let rows = ServerStats.parse("""
            # pxname,svname,scur,status,weight,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,econ,eresp,rtime
            be_wine,BACKEND,0,UP,1,0,7,0,0,0,0,0,0,3
            be_iris,g2-0,1,UP,256,0,40,0,0,2,0,0,0,12
            be_iris,BACKEND,2,UP,256,0,120,1,3,4,0,5,6,12
            """)
        var snapshot: [String: ServerStats] = [:]
        for row in rows where row.server == "BACKEND" { snapshot[String(row.proxy.dropFirst(3))] = row }
        let text = EndpointMetrics.exposition(snapshot)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.prefix(8) == [
            "# TYPE mooring_endpoint_responses_total counter",
            #"mooring_endpoint_responses_total{deployment="iris",code="1xx"} 0"#,
            #"mooring_endpoint_responses_total{deployment="iris",code="2xx"} 120"#,
            #"mooring_endpoint_responses_total{deployment="iris",code="3xx"} 1"#,
            #"mooring_endpoint_responses_total{deployment="iris",code="4xx"} 3"#,
            #"mooring_endpoint_responses_total{deployment="iris",code="5xx"} 4"#,
            #"mooring_endpoint_responses_total{deployment="iris",code="other"} 0"#,
            #"mooring_endpoint_responses_total{deployment="wine",code="1xx"} 0"#,
        ])
        #expect(lines.contains(#"mooring_endpoint_errors_total{deployment="iris",kind="connection"} 5"#))
        #expect(lines.contains(#"mooring_endpoint_errors_total{deployment="iris",kind="response"} 6"#))
        #expect(lines.contains(#"mooring_endpoint_sessions{deployment="iris"} 2"#))
        #expect(lines.contains(#"mooring_endpoint_response_time_seconds{deployment="iris"} 0.012"#))
        #expect(lines.contains(#"mooring_endpoint_response_time_seconds{deployment="wine"} 0.003"#))
        #expect(lines.filter { $0.hasPrefix("# TYPE") }.count == 4)
        #expect(!text.contains("g2-0"))
        #expect(EndpointMetrics.exposition([:]).isEmpty, "no endpoint, no family")
    }
}
