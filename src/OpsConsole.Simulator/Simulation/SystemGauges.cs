using OpsConsole.Simulator.Catalog;

using OpsConsole.Simulator.Traffic;

namespace OpsConsole.Simulator.Simulation;

/// <summary>
/// The gauges and process counters that follow the system's state rather than single requests: requests in
/// progress, CPU and memory, disks, pools, sessions, active users, satisfaction, the upload queue and Kafka lag.
/// </summary>
internal sealed class SystemGauges(DemoSaas saas)
{
    private static readonly Dictionary<string, ProcessProfile> Profiles = new()
    {
        [ServiceNames.ApiGateway] = new(0.02, 0.004, 180e6, ["/"]),
        [ServiceNames.AgentApi] = new(0.03, 0.01, 420e6, ["/"]),
        [ServiceNames.RagService] = new(0.05, 0.03, 1.6e9, ["/"]),
        [ServiceNames.UploadPipeline] = new(0.04, 0.08, 900e6, ["/", "/data"]),
        [ServiceNames.MlEngine] = new(0.12, 0.06, 3.8e9, ["/", "/models"]),
        [ServiceNames.DataPipeline] = new(0.03, 0.02, 650e6, ["/", "/data"]),
    };

    private readonly Dictionary<string, double> _memoryDrift = [];
    private double _diskGrowth;
    private double _satisfaction = 4.3;
    private double _monthlyBase = Tenant.All.Sum(t => t.Users) * 0.93;

    public void Report(DateTimeOffset now, TimeSpan step, double load)
    {
        var chance = saas.Chance;
        var seconds = step.TotalSeconds;
        _diskGrowth += seconds * 2e-8;
        foreach (var service in saas.Services.All)
        {
            var profile = Profiles[service.Name];
            var busy = service.BusySeconds;
            service.BusySeconds = 0;
            if (!service.IsUp)
            {
                continue;
            }

            var metrics = service.CurrentMetrics;
            metrics.Http.InProgress(busy / seconds);
            var drift = _memoryDrift[service.Name] = Math.Clamp(_memoryDrift.GetValueOrDefault(service.Name) + (chance.Normal() * 0.003), -0.08, 0.12);
            metrics.Process.Used(seconds * (profile.IdleCores + (profile.CoresPerBusySecond * busy / seconds)) * (1 + (0.1 * chance.Normal())),
                profile.ResidentBytes * (1 + drift + (0.1 * load)));
            foreach (var path in profile.Disks)
            {
                metrics.Process.Disk(path, Math.Round((path == "/" ? 0.41 : path == "/data" ? 0.63 : 0.52) + _diskGrowth, 5));
            }
        }

        Specific(now, step, load);
        saas.Recent.EndStep();
    }

    private void Specific(DateTimeOffset now, TimeSpan step, double load)
    {
        var chance = saas.Chance;
        var services = saas.Services;
        var conditions = saas.Conditions;

        if (services.Gateway.IsUp)
        {
            var business = services.Gateway.Metrics.Business;
            var users = Tenant.All.Sum(t => t.Users);
            _monthlyBase += 0.0005;
            // Distinct users so far today: grows with the day's traffic and starts again at midnight UTC.
            var dayShare = saas.Diurnal ? DiurnalCurve.ShareOfDaySoFar(now) : now.UtcDateTime.TimeOfDay.TotalHours / 24;
            business.ActiveUsers(users * (0.06 + (0.52 * dayShare)), _monthlyBase);
            var target = 4.4 - (12 * saas.Recent.ErrorRatio) - (1.5 * saas.Recent.SlowRatio);
            _satisfaction += ((target - _satisfaction) * 0.02) + (chance.Normal() * 0.005);
            business.Satisfaction(Math.Round(_satisfaction, 3));
        }

        if (services.AgentApi.IsUp)
        {
            services.AgentApi.Metrics.Chat.ActiveSessions(saas.CurrentRate * 0.55 * 80 * (1 + (0.05 * chance.Normal())));
        }

        if (services.Rag.IsUp)
        {
            foreach (var (tenantId, average) in saas.Quality.Averages)
            {
                services.Rag.Metrics.Rag.QualityAverage(tenantId, Math.Round(average, 4));
            }

            services.Rag.Metrics.Database.Connections(4 + (18 * load) + chance.Uniform(-2, 2));
        }

        if (services.Upload.IsUp)
        {
            var queue = 8 + (60 * load) + chance.Uniform(-5, 5) + (conditions.UploadBacklog(now) * 2_400);
            services.Upload.Metrics.Upload.QueueSize(queue);
            services.Upload.Metrics.Database.Connections(2 + (8 * load) + chance.Uniform(-1, 1));
        }

        if (services.MlEngine.IsUp)
        {
            saas.Models.Report(services.MlEngine.Metrics.Model);
        }

        saas.Kafka.Report(services.DataPipeline.IsUp ? services.DataPipeline.Metrics.Pipeline : null, step, load, conditions.KafkaLag(now));
        if (services.DataPipeline.IsUp)
        {
            services.DataPipeline.Metrics.Database.Connections(3 + (4 * load) + chance.Uniform(-1, 1));
        }
    }

    private sealed record ProcessProfile(double IdleCores, double CoresPerBusySecond, double ResidentBytes, string[] Disks);
}
