namespace OpsConsole.Conformance.Tests;

/// <summary>What Prometheus's own answer to a query must be, so a query that silently tests nothing is caught.</summary>
public enum Expect
{
    /// <summary>A result with at least one series (or a scalar or string).</summary>
    Data,

    /// <summary>An empty vector or matrix.</summary>
    Empty,

    /// <summary>An error (then OpsConsole must give the same errorType).</summary>
    Error,
}

/// <summary>
/// The query table: every function, aggregation and operator OpsConsole supports, evaluated at times chosen around
/// the data set's gaps, resets and series ends (seconds after <see cref="ConformanceDataSet.Start"/>; see the data
/// set for what happens when). Instant queries at one or more times; range queries over [start, end] at a step.
/// </summary>
public static class ConformanceQueries
{
    // Usual instant times: on a scrape, and between scrapes just after web 10.0.2.1's counter reset at 7800.
    private static readonly double[] Usual = [5400, 7837.5];
    private static readonly double[] Mid = [5400];

    // Range queries: all of it; an odd start and step; across api 10.0.1.2's restart gap; past the end; hourly.
    private static readonly (double Start, double End, double Step) Full = (0, 10800, 60);
    private static readonly (double Start, double End, double Step) Odd = (1234, 5678, 37);
    private static readonly (double Start, double End, double Step) Gap = (4000, 5000, 15);
    private static readonly (double Start, double End, double Step) Tail = (10200, 12000, 30);
    private static readonly (double Start, double End, double Step) Hourly = (0, 10800, 3600);

    /// <summary>(query, time in seconds, expectation) for each instant query case.</summary>
    public static TheoryData<string, double, Expect> Instant()
    {
        var data = new TheoryData<string, double, Expect>();
        void Add(string query, double[] times, Expect expect = Expect.Data)
        {
            foreach (var t in times)
            {
                data.Add(query, t, expect);
            }
        }

        // Selectors, lookback and staleness.
        Add("http_requests_total", Mid);
        Add("http_requests_total{job=\"api\", code=\"500\"}", [4380, 4500, 4501]);
        Add("http_requests_total{code=~\"4..|5..\", job!~\"w.*\"}", Mid);
        Add("http_requests_total{code!=\"200\", tenant_id=\"globex\"}", [7837.5]);
        Add("{__name__=~\"tenant_.*|build_info\"}", [600]);
        Add("{job=\"batch\"}", [6900]);
        Add("{job=\"batch\"}", [6901], Expect.Empty);
        Add("queue_depth", [2100, 2101, 2520, 9300.5]);
        Add("queue_depth offset 1h30m", [10800]);
        Add("queue_depth offset -5m", [1500]);
        Add("http_requests_total{instance=\"10.0.1.2:8080\", code=\"200\"}[2m]", [4620]);
        Add("account_balance{account=\"a1\"}[1m] offset 30m", Mid);
        Add("cache_hit_ratio", [10199], Expect.Empty);
        Add("cache_hit_ratio", [10800, 11100]);
        Add("deploy_in_progress", [10200]);
        Add("deploy_in_progress", [10200.5], Expect.Empty);
        Add("nonexistent_metric", Mid, Expect.Empty);

        // Counter functions: rate, irate, increase (resets, gaps, extrapolation), delta, idelta.
        Add("rate(http_requests_total[5m])", [5400, 4400, 4700, 7837.5, 7900]);
        Add("rate(http_requests_total{job=\"web\"}[1m])", [7815]);
        Add("rate(http_requests_total[10m] offset 30m)", Mid);
        Add("rate(batch_runs_total[5m])", [4950, 5450, 2430]);
        Add("rate(batch_runs_total[5m])", [5200, 2400], Expect.Empty);
        Add("irate(http_requests_total[1m])", [5400, 7807.5]);
        Add("irate(http_requests_total{instance=\"10.0.1.2:8080\"}[10m])", [4580]);
        Add("increase(http_requests_total[1h30m])", [10800]);
        Add("increase(http_requests_total{code=\"500\"}[15m])", [4600, 7837.5]);
        Add("increase(request_duration_seconds_count[10m])", [6120]);
        Add("increase(batch_runs_total[1h])", [6000]);
        Add("rate({__name__=~\"batch_.*_total\"}[5m])", [5000, 8000]);
        Add("delta(queue_depth[10m])", [2600, 5400]);
        Add("delta(node_temperature_celsius[5m])", Mid);
        Add("delta(account_balance[3m])", [7837.5]);
        Add("idelta(queue_depth[5m])", [5400, 2550]);
        Add("idelta(account_balance[1m])", [3000]);

        // *_over_time.
        Add("avg_over_time(node_temperature_celsius[10m])", Mid);
        Add("avg_over_time(account_balance[1h])", [7837.5]);
        Add("min_over_time(account_balance[30m])", Mid);
        Add("max_over_time(queue_depth[1h5m30s])", [10000]);
        Add("sum_over_time(account_balance[15m])", Mid);
        Add("sum_over_time(request_duration_seconds_sum[2m])", [3000]);
        Add("count_over_time(queue_depth[20m])", [2600, 9500]);
        Add("count_over_time(batch_runs_total[1h30m])", [7000]);
        Add("last_over_time(queue_depth[15m])", [2400, 9800]);

        // histogram_quantile.
        Add("histogram_quantile(0.9, rate(request_duration_seconds_bucket[5m]))", [5400, 6030]);
        Add("histogram_quantile(0.5, sum by (le) (rate(request_duration_seconds_bucket[10m])))", [7837.5]);
        Add("histogram_quantile(0.99, sum by (le, job) (increase(request_duration_seconds_bucket[15m])))", Mid);
        Add("histogram_quantile(0, sum by (le) (rate(request_duration_seconds_bucket[5m])))", Mid);
        Add("histogram_quantile(1, sum by (le, tenant_id) (rate(request_duration_seconds_bucket[5m])))", Mid);
        Add("histogram_quantile(1.5, rate(request_duration_seconds_bucket[5m]))", Mid);
        Add("histogram_quantile(-0.5, rate(request_duration_seconds_bucket[5m]))", Mid);
        Add("histogram_quantile(0.75, request_duration_seconds_bucket)", [3600]);
        Add("histogram_quantile(0.5, rate(request_duration_seconds_bucket{le!=\"+Inf\"}[5m]))", Mid);
        Add("histogram_quantile(0.3, sum without (instance) (request_duration_seconds_bucket))", Mid);
        Add("histogram_quantile(0.9, rate(rpc_duration_seconds_bucket[5m]))", Mid);
        Add("histogram_quantile(0.5, {__name__=~\".*_duration_seconds_bucket\", tenant_id=\"globex\"})", Mid);
        Add("histogram_quantile(0.5, {__name__=~\".*_duration_seconds_bucket\"})", Mid, Expect.Error);

        // Math, clamping and rounding.
        Add("abs(account_balance)", Mid);
        Add("ceil(account_balance)", Usual);
        Add("floor(account_balance)", Usual);
        Add("round(account_balance)", Usual);
        Add("round(node_temperature_celsius, 5)", Mid);
        Add("round(account_balance, 0.5)", Mid);
        Add("round(rate(http_requests_total[5m]), 0.01)", Mid);
        Add("clamp(account_balance, -2, 3)", Mid);
        Add("clamp(account_balance, 5, 1)", Mid, Expect.Empty);
        Add("clamp_min(queue_depth, 100)", Mid);
        Add("clamp_max(node_temperature_celsius, 50)", Mid);

        // time, vector, scalar, absent.
        Add("time()", Mid);
        Add("time() - 3600", [7837.5]);
        Add("vector(1)", Mid);
        Add("vector(time())", [7837.5]);
        Add("vector(scalar(tenant_quota{tenant_id=\"acme\"}))", Mid);
        Add("scalar(tenant_quota{tenant_id=\"acme\"})", Mid);
        Add("scalar(tenant_quota)", Mid);
        Add("scalar(sum(up))", [4400]);
        Add("http_requests_total{code=\"500\"} * scalar(tenant_quota{tenant_id=\"globex\"})", Mid);
        Add("absent(nonexistent_metric)", Mid);
        Add("absent(nonexistent_metric{job=\"x\", tenant_id=\"acme\"})", Mid);
        Add("absent(nonexistent_metric{job=\"x\", job=~\"y\", code=\"1\"})", Mid);
        Add("absent(nonexistent_metric{job=~\"x\"})", Mid);
        Add("absent((nonexistent_metric{job=\"x\"}))", Mid);
        Add("absent(nonexistent_metric{job=\"\", code=\"7\"})", Mid);
        Add("absent(http_requests_total)", Mid, Expect.Empty);
        Add("absent(sum(nonexistent_metric))", Mid);
        Add("absent(deploy_in_progress{job=\"api\"})", [5400]);
        Add("absent(deploy_in_progress{job=\"api\"})", [9500], Expect.Empty);

        // label_replace.
        Add("label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):.*\")", Mid);
        Add("label_replace(up, \"job\", \"\", \"job\", \"api\")", Mid);
        Add("label_replace(up, \"pair\", \"$1-$2\", \"instance\", \"10\\\\.0\\\\.(\\\\d+)\\\\.(\\\\d+):.*\")", Mid);
        Add("label_replace(up, \"x\", \"y\", \"instance\", \"nomatch\")", Mid);
        Add("label_replace(rate(http_requests_total[5m]), \"code_class\", \"${1}xx\", \"code\", \"(.).*\")", Mid);
        Add("label_replace(up, \"instance\", \"$2\", \"instance\", \"(.*)\")", Mid, Expect.Error);

        // sort.
        Add("sort(node_temperature_celsius)", Usual);
        Add("sort_desc(rate(http_requests_total[5m]))", Mid);
        Add("sort(account_balance)", Mid);
        Add("sort_desc(queue_depth)", [9300]);

        // Aggregations with by and without.
        Add("sum(rate(http_requests_total[5m]))", Mid);
        Add("sum by (job) (rate(http_requests_total[5m]))", [5400, 4400]);
        Add("sum without (instance, code) (rate(http_requests_total[5m]))", Mid);
        Add("sum by (tenant_id, job) (increase(http_requests_total[1h]))", [7837.5]);
        Add("sum(up) by (job)", [4400]);
        Add("sum by (__name__) ({__name__=~\"up|build_info\"})", Mid);
        Add("avg by (job) (node_temperature_celsius)", Mid);
        Add("avg(account_balance)", Usual);
        Add("avg by (tenant_id) (account_balance)", [5400, 7837.5, 3000, 9000]);
        Add("avg(rate(http_requests_total[5m]))", Mid);
        Add("min by (tenant_id) (account_balance)", Mid);
        Add("max without (account) (account_balance)", Mid);
        Add("max(queue_depth)", Mid);
        Add("count(up)", Mid);
        Add("count by (job) (up == 1)", [4400]);
        Add("count without (instance) (http_requests_total)", Mid);
        Add("count(nonexistent_metric)", Mid, Expect.Empty);
        Add("topk(3, rate(http_requests_total[5m]))", Usual);
        Add("topk by (job) (2, rate(http_requests_total[5m]))", Mid);
        Add("bottomk(2, node_temperature_celsius)", Mid);
        Add("bottomk without (instance) (1, rate(http_requests_total[5m]))", Mid);
        Add("topk(2, account_balance)", Usual);
        Add("bottomk(3, account_balance)", Usual);
        Add("topk(0, up)", Mid, Expect.Empty);
        Add("topk(100, tenant_quota)", Mid);
        Add("bottomk(2.9, queue_depth)", Mid);
        Add("quantile(0.9, rate(http_requests_total[5m]))", Mid);
        Add("quantile by (tenant_id) (0.5, node_temperature_celsius)", Mid);
        Add("quantile(0, account_balance)", Mid);
        Add("quantile(0.25, account_balance)", Usual);
        Add("quantile(1.2, account_balance)", Mid);
        Add("quantile(-1, account_balance)", Mid);
        Add("count_values(\"value\", up)", [4400]);
        Add("count_values by (job) (\"v\", up)", [4400]);
        Add("count_values(\"balance\", account_balance)", Mid);
        Add("count_values without (tenant_id) (\"b\", account_balance)", Mid);
        Add("count_values(\"rate\", round(rate(http_requests_total[5m]), 0.1))", Mid);
        Add("count_values(\"small\", account_balance / 1e9)", Mid);
        Add("count_values without (b) (\"b\", account_balance)", Mid);
        Add("count_values by (tenant_id) (\"tenant_id\", up * 0 + 1)", Mid);
        Add("label_replace(up{job=\"api\"}, \"__name__\", \"renamed\", \"\", \"\")", Mid);
        Add("count without (__name__) ({job=\"api\"})", Mid);
        Add("topk(2, up{instance=\"10.0.1.1:8080\"} or up{instance=\"10.0.2.1:8080\"} or up{instance=\"10.0.1.2:8080\"} + 1)", Mid);
        Add("bottomk(2, up{instance=\"10.0.1.1:8080\"} or up{instance=\"10.0.2.1:8080\"} or up{instance=\"10.0.1.2:8080\"} - 1)", Mid);
        Add("topk(NaN, up)", Mid, Expect.Error);
        Add("stddev(node_temperature_celsius)", Mid);
        Add("stddev by (tenant_id) (account_balance)", Usual);
        Add("stddev without (code) (rate(http_requests_total[5m]))", Mid);
        Add("stddev(tenant_quota{tenant_id=\"acme\"})", Mid);
        Add("stddev(up)", [4400]);
        Add("stddev(account_balance{tenant_id=\"acme\"} * 0 + 0.1)", Mid);
        Add("avg(account_balance{tenant_id=\"acme\"} * 0 + 0.1)", Mid);
        Add("topk(3, up)", [4400, 5400]);
        Add("bottomk(2, up)", [4400, 5400]);
        Add("topk by (job) (1, up)", Mid);

        // Arithmetic.
        Add("rate(http_requests_total[5m]) * 60", Mid);
        Add("2 * node_temperature_celsius", Mid);
        Add("node_temperature_celsius / 0", Mid);
        Add("-account_balance / 0", Usual);
        Add("-node_temperature_celsius", Mid);
        Add("account_balance % 3", Mid);
        Add("queue_depth % 7", Mid);
        Add("account_balance ^ 2", Mid);
        Add("queue_depth ^ 0.5", Mid);
        Add("1 - up", [4400]);
        Add("2 ^ 3 ^ 2", Mid);
        Add("-2 ^ 2", Mid);
        Add("(1 + 2) * 3 - 4 / 8", Mid);
        Add("10 % 3", Mid);
        Add("account_balance / 1e9", Mid);
        Add("queue_depth * 1e18", Mid);
        Add("rate(http_requests_total{code=\"500\"}[5m]) / 1e6", Mid);
        Add("1e-7", Mid);
        Add("123456789012345678901234567890", Mid);
        Add("request_duration_seconds_sum / request_duration_seconds_count", Mid);
        Add("rate(request_duration_seconds_sum[5m]) / rate(request_duration_seconds_count[5m])", Mid);

        // Comparisons, with and without bool.
        Add("queue_depth > 100", Mid);
        Add("queue_depth > bool 100", Mid);
        Add("100 < queue_depth", Mid);
        Add("100 < bool queue_depth", Mid);
        Add("up == 0", [4400]);
        Add("up != bool 1", [4400]);
        Add("1 < bool 2", Mid);
        Add("2 >= bool 2", Mid);
        Add("account_balance <= -2", Usual);
        Add("up == 1", Mid);
        Add("account_balance == bool account_balance offset 15s", Usual);
        Add("queue_depth < queue_depth offset 5m", Mid);
        Add("queue_depth >= bool queue_depth offset 5m", Mid);
        Add("sum by (job) (rate(http_requests_total[5m])) > bool on(job) sum by (job) (rate(http_requests_total[5m] offset 10m))", Mid);

        // Vector matching: on, ignoring, group_left, group_right.
        Add("http_requests_total{code=\"500\"} / ignoring(code) http_requests_total{code=\"200\"}", Usual);
        Add("rate(http_requests_total{code=\"500\"}[5m]) / on(job, instance, tenant_id) rate(http_requests_total{code=\"200\"}[5m])", Mid);
        Add("rate(http_requests_total[5m]) / on(job, tenant_id) group_left sum by (job, tenant_id) (rate(http_requests_total[5m]))", Mid);
        Add("up * on(instance, job) group_left(version) build_info", [4400]);
        Add("build_info * on(instance, job) group_right(version) up", [4400]);
        Add("tenant_quota * on(tenant_id) group_right http_requests_total", Mid);
        Add("http_requests_total / on(tenant_id) group_left tenant_quota", Mid);
        Add("http_requests_total > on(tenant_id) group_left tenant_quota", Mid);
        Add("sum by (instance, job) (rate(http_requests_total[5m])) * on(instance) group_left(version) build_info", Mid);

        // Set operators.
        Add("up == 1 and on(instance) build_info", [4400]);
        Add("http_requests_total{code=\"500\"} or http_requests_total{code=\"404\"}", Mid);
        Add("up unless on(job) build_info{job=\"api\"}", Mid);
        Add("queue_depth or vector(0)", [2200]);
        Add("absent(nonexistent_metric) or vector(2)", Mid);
        Add("account_balance > 0 unless account_balance > 7", Usual);
        Add("rate(http_requests_total[5m]) and on(instance) (up == 1)", [4400]);
        Add("up and nonexistent_metric", Mid, Expect.Empty);
        Add("nonexistent_metric or up{job=\"node\"}", Mid);

        // NaN and infinities through sort, aggregations and comparisons.
        Add("sort(account_balance or label_replace(vector(NaN), \"account\", \"nan\", \"\", \"\"))", Mid);
        Add("sort_desc(account_balance or label_replace(vector(NaN), \"account\", \"nan\", \"\", \"\"))", Mid);
        Add("topk(3, account_balance or label_replace(vector(NaN), \"account\", \"nan\", \"\", \"\"))", Mid);
        Add("bottomk(3, label_replace(vector(NaN), \"account\", \"nan\", \"\", \"\") or account_balance)", Mid);
        Add("max(label_replace(vector(NaN), \"account\", \"nan\", \"\", \"\") or account_balance)", Mid);
        Add("min(account_balance or label_replace(vector(NaN), \"account\", \"nan\", \"\", \"\"))", Mid);
        Add("quantile(0.5, account_balance or label_replace(vector(NaN), \"account\", \"nan\", \"\", \"\"))", Mid);
        Add("count_values(\"x\", account_balance / 0)", Mid);
        Add("sum(account_balance / 0)", Mid);
        Add("avg(queue_depth / 0)", Mid);
        Add("account_balance ^ 0.5", Mid);
        Add("histogram_quantile(0.5, rate(request_duration_seconds_bucket[5m]) * 0)", Mid);
        Add("(account_balance / 0) > 0", Mid);

        // Regular expressions (fully anchored) and nesting.
        Add("up{instance=~\"10.0.1.*\"}", Mid);
        Add("up{job=~\"pi\"}", Mid, Expect.Empty);
        Add("up{job=~\"(?i)API\"}", Mid);
        Add("up{instance!~\".*:8080\"}", Mid);
        Add("{__name__=~\"up|build_.*\", job=~\"a.*\"}", Mid);
        Add("max by (job) (sum by (job, instance) (rate(http_requests_total[5m])))", Mid);
        Add("count(count by (job) (up))", Mid);
        Add("1 + 2 * 3 ^ 2 ^ 0.5 - 4", Mid);
        Add("5.5 % -2", Mid);
        Add("2 * -up", Mid);
        Add("time() > bool 0", Mid);
        Add("queue_depth offset 5m", [2400, 2820]);
        Add("http_requests_total / ignoring(code) group_left sum without (code) (http_requests_total)", Mid);
        Add("up * on() group_left tenant_quota{tenant_id=\"acme\"}", Mid);
        Add("up unless on() vector(1)", Mid, Expect.Empty);

        // Errors both must report the same way.
        Add("http_requests_total / on(job) http_requests_total", Mid, Expect.Error);
        Add("up * on(job) group_left build_info", Mid, Expect.Error);
        Add("rate({__name__=~\"request_duration_seconds_sum|request_duration_seconds_count\"}[5m])", Mid, Expect.Error);

        // Layout: comments, line breaks, keyword case.
        Add("sum by (job) (\n  rate(http_requests_total[5m]) # per second\n)", Mid);
        Add("SUM BY (job) (up)", Mid);
        Add("up AND ON(instance) build_info", Mid);
        Add("queue_depth OFFSET 5m", Mid);
        Add("1 < BOOL 2", Mid);
        Add("sum(up) WITHOUT (instance)", Mid);

        // Syntax corners Prometheus accepts.
        Add("label_replace(up{job=\"api\"}, \"x\", \"\\u00e9\\x41\\101\\U0001F600\", \"\", \"\")", Mid);
        Add("up{job=\"a\\\"b\"}", Mid, Expect.Empty);
        Add("up{}", Mid);
        Add("up{job='api', instance=~'.*\\'.*'}", Mid, Expect.Empty);
        Add("up{job=\"api\",}", Mid);
        Add("sum by (job,) (up)", Mid);
        Add("sum by () (up)", Mid);
        Add("topk(1 + 1, queue_depth)", Mid);
        Add("quantile(scalar(tenant_quota{tenant_id=\"acme\"}) / 2000, queue_depth)", Mid);
        Add("up == 1 == 1", Mid);
        Add("{__name__!=\"up\", job=\"api\"}", Mid);
        Add("rate({__name__=~\"http_.*\"}[5m])", Mid);
        Add("+up - - 1", Mid);
        Add("5. + 0x0A", Mid);
        Add("sum(up) by (job) > 1 and on(job) sum(up) by (job) < 5", Mid);

        // Literals.
        Add("42", Mid);
        Add("-1.5e3", Mid);
        Add("0x1F", Mid);
        Add("Inf", Mid);
        Add("-Inf", Mid);
        Add("NaN", Mid);
        Add(".5 + 1e-3", Mid);
        Add("0755", Mid);
        Add("08 + 010", Mid);
        Add("0755.5", Mid);
        Add("0X1f", Mid);
        Add("1e-400", Mid);
        Add("\"hello\"", Mid);
        Add("'single quoted'", Mid);
        Add("`raw \\d string`", Mid);
        return data;
    }

    /// <summary>(query, start, end, step in seconds, expectation) for each range query case.</summary>
    public static TheoryData<string, double, double, double, Expect> Range()
    {
        var data = new TheoryData<string, double, double, double, Expect>();
        void Add(string query, (double Start, double End, double Step) range, Expect expect = Expect.Data) =>
            data.Add(query, range.Start, range.End, range.Step, expect);

        Add("http_requests_total{job=\"api\", code=\"200\"}", Gap);
        Add("http_requests_total{job=\"api\", code=\"200\"}", Tail);
        Add("queue_depth", (1700, 2700, 20));
        Add("queue_depth", Full);
        Add("rate(http_requests_total[5m])", Full);
        Add("rate(http_requests_total[5m])", Odd);
        Add("rate(http_requests_total[5m])", Gap);
        Add("irate(http_requests_total{job=\"web\"}[1m])", (7500, 8100, 15));
        Add("increase(batch_runs_total[10m])", (2000, 7500, 45));
        Add("delta(account_balance[5m])", Odd);
        Add("idelta(queue_depth[2m])", Odd);
        Add("sum by (job) (rate(http_requests_total[5m]))", Full);
        Add("sum by (job) (rate(http_requests_total[5m]))", Tail);
        Add("histogram_quantile(0.95, sum by (le, job) (rate(request_duration_seconds_bucket[5m])))", Full);
        Add("histogram_quantile(0.5, rate(request_duration_seconds_bucket[1m]))", (5700, 6300, 15));
        Add("topk(2, rate(http_requests_total{code=\"200\"}[5m]))", Odd);
        Add("bottomk(1, queue_depth)", Full);
        Add("count_over_time(queue_depth[10m])", (1500, 3000, 30));
        Add("last_over_time(batch_runs_total[10m])", (4500, 7500, 60));
        Add("avg_over_time(node_temperature_celsius[15m])", Odd);
        Add("min_over_time(account_balance[10m])", Odd);
        Add("max_over_time(queue_depth[1h30m])", Hourly);
        Add("sum_over_time(account_balance[10m])", Odd);
        Add("time()", Odd);
        Add("vector(1) + time()", Hourly);
        Add("1 + 2", Odd);
        Add("scalar(sum(up))", Full);
        Add("absent(batch_runs_total)", Full);
        Add("absent(nonexistent_metric)", Hourly);
        Add("up == 0", Full);
        Add("sum(up) by (job) > bool 1", Full);
        Add("up * on(instance, job) group_left(version) build_info", Hourly);
        Add("http_requests_total{code=\"500\"} / ignoring(code) http_requests_total{code=\"200\"}", Odd);
        Add("queue_depth or vector(0)", (1700, 2700, 60));
        Add("label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):.*\")", Hourly);
        Add("count_values(\"v\", up)", Gap);
        Add("quantile by (job) (0.5, rate(http_requests_total[5m]))", Odd);
        Add("stddev(node_temperature_celsius)", Full);
        Add("avg by (tenant_id) (account_balance)", Full);
        Add("sort_desc(node_temperature_celsius)", Hourly);
        Add("deploy_in_progress", (8700, 10500, 60));
        Add("cache_hit_ratio", Tail);
        Add("rate(http_requests_total[5m] offset 1h30m)", Full);
        Add("clamp(account_balance, -1, 1)", Odd);
        Add("round(node_temperature_celsius / 3, 0.1)", Odd);
        Add("rate(http_requests_total{job=\"api\"}[20s])", Odd);
        Add("delta(queue_depth[10m])", (1700, 3300, 30));
        Add("increase(http_requests_total{instance=\"10.0.1.2:8080\"}[10m])", Gap);
        Add("irate(http_requests_total{instance=\"10.0.1.2:8080\"}[5m])", Gap);
        Add("idelta(batch_runs_total[1m])", (4500, 5700, 15));
        Add("queue_depth offset -1m", Tail);
        Add("absent(deploy_in_progress)", Full);
        Add("scalar(deploy_in_progress)", (8700, 10500, 60));
        Add("scalar(queue_depth)", Odd);
        Add("sum by (code) (increase(http_requests_total[15m]))", (1234.567, 9876.543, 61.5));
        Add("nonexistent_metric", Full, Expect.Empty);
        Add("absent(nonexistent_metric{job=\"x\"})", Hourly);
        Add("rate({__name__=~\"batch_.*_total\"}[5m])", (2000, 7000, 60));
        Add("rate({__name__=~\"batch_.*_total\"}[5m])", Full, Expect.Error);
        Add("-{__name__=~\"batch_.*_total\"}", Full, Expect.Error);
        Add("histogram_quantile(0.5, {__name__=~\".*_duration_seconds_bucket\"})", Hourly, Expect.Error);
        Add("http_requests_total / on(job) http_requests_total", Odd, Expect.Error);
        return data;
    }

    /// <summary>Whether Prometheus defines the order of the result (then the order of values is compared too).</summary>
    public static bool IsOrdered(string query) =>
        query.StartsWith("sort(", StringComparison.Ordinal) || query.StartsWith("sort_desc(", StringComparison.Ordinal)
        || query.StartsWith("topk", StringComparison.Ordinal) || query.StartsWith("bottomk", StringComparison.Ordinal);
}
