using OpsConsole.Ingest.Otlp;

namespace OpsConsole.Ingest.Tests;

public class PrometheusNamingTests
{
    [Theory]
    [InlineData("http.server.request.duration", "s", "Histogram", "http_server_request_duration_seconds")]
    [InlineData("http.server.request.duration", "ms", "Histogram", "http_server_request_duration_milliseconds")]
    [InlineData("rpc.duration", "us", "Summary", "rpc_duration_microseconds")]
    [InlineData("process.memory.usage", "By", "Gauge", "process_memory_usage_bytes")]
    [InlineData("db.pool.size", "MiBy", "NonMonotonicSum", "db_pool_size_mebibytes")]
    [InlineData("http.requests", "{request}", "Counter", "http_requests_total")]
    [InlineData("http_requests_total", "", "Counter", "http_requests_total")]
    [InlineData("requests.total.count", "", "Counter", "requests_count_total")]
    [InlineData("process.cpu.time", "s", "Counter", "process_cpu_time_seconds_total")]
    [InlineData("errors", "1", "Counter", "errors_total")]
    [InlineData("cpu.utilization", "1", "Gauge", "cpu_utilization_ratio")]
    [InlineData("cache_hit_ratio", "1", "Gauge", "cache_hit_ratio")]
    [InlineData("cpu.utilization", "1", "NonMonotonicSum", "cpu_utilization")]
    [InlineData("queue.size", "{item}", "NonMonotonicSum", "queue_size")]
    [InlineData("network.io", "By/s", "Gauge", "network_io_bytes_per_second")]
    [InlineData("disk.ops", "{operation}/s", "Counter", "disk_ops_per_second_total")]
    [InlineData("arrivals", "1/h", "Gauge", "arrivals_per_hour")]
    [InlineData("latency_seconds", "s", "Histogram", "latency_seconds")]
    [InlineData("room.temp", "Cel", "Gauge", "room_temp_celsius")]
    [InlineData("distance", "m/furlong", "Gauge", "distance_meters_per_furlong")]
    [InlineData("foo--bar__baz", "", "Gauge", "foo_bar_baz")]
    [InlineData("ünïcode.näme", "", "Gauge", "n_code_n_me")]
    [InlineData("2xx.responses", "", "Counter", "_2xx_responses_total")]
    [InlineData("job:http_requests:rate5m", "", "Gauge", "job:http_requests:rate5m")]
    [InlineData("odd.unit", "wid-gets", "Gauge", "odd_unit_wid_gets")]
    public void MetricName_FollowsOpenTelemetryToPrometheusRules(string name, string unit, string kind, string expected) =>
        Assert.Equal(expected, PrometheusNaming.MetricName(name, unit, Enum.Parse<PrometheusFamilyKind>(kind)));

    [Theory]
    [InlineData("s", "Histogram", "seconds")]
    [InlineData("By/s", "Gauge", "bytes_per_second")]
    [InlineData("1", "Gauge", "ratio")]
    [InlineData("1", "Counter", "")]
    [InlineData("{request}", "Counter", "")]
    [InlineData("1/s", "Counter", "per_second")]
    public void UnitName_PrometheusWords(string unit, string kind, string expected) =>
        Assert.Equal(expected, PrometheusNaming.UnitName(unit, Enum.Parse<PrometheusFamilyKind>(kind)));

    [Theory]
    [InlineData("http.method", "http_method")]
    [InlineData("tenant_id", "tenant_id")]
    [InlineData("a-b.c/d", "a_b_c_d")]
    [InlineData("2xx", "key_2xx")]
    [InlineData("_private", "key_private")]
    [InlineData("__name__", "key__name__")]
    [InlineData("ключ", "key____")]
    public void LabelName_Sanitised(string key, string expected) => Assert.Equal(expected, PrometheusNaming.LabelName(key));

    [Theory]
    [InlineData(0.005, "0.005")]
    [InlineData(1.0, "1")]
    [InlineData(2.5, "2.5")]
    [InlineData(1e-9, "0.000000001")]
    [InlineData(2.5e-7, "0.00000025")]
    [InlineData(-1.5e-5, "-0.000015")]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(1.23e25, "12300000000000000000000000")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void FormatFloat_ShortestWithoutExponent(double value, string expected) => Assert.Equal(expected, PrometheusNaming.FormatFloat(value));
}
