using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Alerting;
using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Tests.Alerting;

public sealed class SilenceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(T0);
    private readonly SilenceStore _silences;

    public SilenceTests() => _silences = new SilenceStore(new InMemoryAlertingRepository(), _clock);

    private static SilenceRequest Request(string matchers, DateTimeOffset start, DateTimeOffset end, string? id = null) =>
        new(id, Matchers.Parse(matchers), start, end, "operator", "maintenance");

    [Fact]
    public async Task State_DerivedFromTimes_PendingActiveExpired()
    {
        var created = (await _silences.SetAsync(Request("service=\"rag\"", T0.AddMinutes(10), T0.AddMinutes(70)), default)).Silence!;
        var rag = LabelSet.From(("alertname", "X"), ("service", "rag"));

        Assert.Equal(SilenceState.Pending, created.StateAt(_clock.GetUtcNow()));
        Assert.Empty(_silences.SilencedBy(rag, _clock.GetUtcNow()));
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(SilenceState.Active, created.StateAt(_clock.GetUtcNow()));
        Assert.Equal([created.Id], _silences.SilencedBy(rag, _clock.GetUtcNow()));
        Assert.Empty(_silences.SilencedBy(LabelSet.From(("service", "agent")), _clock.GetUtcNow()));
        _clock.Advance(TimeSpan.FromMinutes(60));
        Assert.Equal(SilenceState.Expired, created.StateAt(_clock.GetUtcNow()));
        Assert.Empty(_silences.SilencedBy(rag, _clock.GetUtcNow()));
    }

    [Theory]
    [InlineData("", 0, 60, "at least one matcher is required")]
    [InlineData("service=~\".*\"", 0, 60, "at least one matcher must not match the empty string")]
    [InlineData("service=\"\", env!=\"prod\"", 0, 60, "at least one matcher must not match the empty string")]
    [InlineData("service=\"rag\"", 60, 30, "end time must be after the start time")]
    [InlineData("service=\"rag\"", -60, -30, "end time can't be in the past")]
    public async Task Set_InvalidSilence_RefusedWithTheReasonAndNothingStored(string matchers, int startMinutes, int endMinutes, string expected)
    {
        var request = new SilenceRequest(null, matchers.Length == 0 ? [] : Matchers.Parse(matchers), T0.AddMinutes(startMinutes), T0.AddMinutes(endMinutes), "operator", "why");

        var result = await _silences.SetAsync(request, default);

        Assert.Equal(SilenceOutcome.Invalid, result.Outcome);
        Assert.Contains(result.Errors!, e => e.StartsWith(expected, StringComparison.Ordinal));
        Assert.Empty(_silences.List());
    }

    [Fact]
    public async Task Set_NoAuthorOrComment_Refused()
    {
        var result = await _silences.SetAsync(new SilenceRequest(null, Matchers.Parse("a=\"b\""), T0, T0.AddHours(1), " ", ""), default);

        Assert.Equal(["createdBy is required", "comment is required: say why the alerts are silenced"], result.Errors);
    }

    [Fact]
    public async Task Expire_ActiveSilence_EndsNowAndStopsMuting_SecondExpireRefused()
    {
        var silence = (await _silences.SetAsync(Request("service=\"rag\"", T0, T0.AddHours(1)), default)).Silence!;
        _clock.Advance(TimeSpan.FromMinutes(5));

        var expired = await _silences.ExpireAsync(silence.Id, default);

        Assert.Equal(SilenceOutcome.Expired, expired.Outcome);
        Assert.Equal((T0, T0.AddMinutes(5)), (expired.Silence!.StartsAt, expired.Silence.EndsAt));
        Assert.Empty(_silences.SilencedBy(LabelSet.From(("service", "rag")), _clock.GetUtcNow()));
        Assert.Equal(SilenceOutcome.AlreadyExpired, (await _silences.ExpireAsync(silence.Id, default)).Outcome);
        Assert.Equal(SilenceOutcome.NotFound, (await _silences.ExpireAsync("missing", default)).Outcome);
    }

    [Fact]
    public async Task Expire_PendingSilence_NeverStarts()
    {
        var silence = (await _silences.SetAsync(Request("service=\"rag\"", T0.AddHours(1), T0.AddHours(2)), default)).Silence!;

        var expired = (await _silences.ExpireAsync(silence.Id, default)).Silence!;

        Assert.Equal((T0, T0), (expired.StartsAt, expired.EndsAt));
        Assert.Equal(SilenceState.Expired, expired.StateAt(T0));
    }

    [Fact]
    public async Task Set_ActiveSilenceNewEnd_UpdatedInPlace()
    {
        var silence = (await _silences.SetAsync(Request("service=\"rag\"", T0, T0.AddHours(1)), default)).Silence!;
        _clock.Advance(TimeSpan.FromMinutes(10));

        var result = await _silences.SetAsync(Request("service=\"rag\"", T0, T0.AddHours(3), silence.Id), default);

        Assert.Equal(SilenceOutcome.Updated, result.Outcome);
        Assert.Equal((silence.Id, T0.AddHours(3)), (result.Silence!.Id, result.Silence.EndsAt));
        Assert.Single(_silences.List());
    }

    [Fact]
    public async Task Set_MatchersChanged_OldExpiresAndANewSilenceIsCreated()
    {
        var silence = (await _silences.SetAsync(Request("service=\"rag\"", T0, T0.AddHours(1)), default)).Silence!;
        _clock.Advance(TimeSpan.FromMinutes(10));

        var result = await _silences.SetAsync(Request("service=~\"rag|agent\"", T0, T0.AddHours(1), silence.Id), default);

        Assert.Equal(SilenceOutcome.Replaced, result.Outcome);
        Assert.NotEqual(silence.Id, result.Silence!.Id);
        Assert.Equal(T0.AddMinutes(10), result.Silence.StartsAt); // a start in the past becomes now
        var old = _silences.Get(silence.Id)!;
        Assert.Equal((SilenceState.Expired, T0.AddMinutes(10)), (old.StateAt(_clock.GetUtcNow()), old.EndsAt));
        Assert.Equal([result.Silence.Id], _silences.SilencedBy(LabelSet.From(("service", "agent")), _clock.GetUtcNow()));
    }

    [Fact]
    public async Task Set_UnknownId_NotFoundAndNothingCreated()
    {
        var result = await _silences.SetAsync(Request("service=\"rag\"", T0, T0.AddHours(1), "0c9b9f57-0000-0000-0000-000000000000"), default);

        Assert.Equal(SilenceOutcome.NotFound, result.Outcome);
        Assert.Empty(_silences.List());
    }

    [Theory]
    [InlineData("alertname=\"Down\"", "alertname=\"Down\"")]
    [InlineData("{service=~\"rag|agent\", severity!=\"info\"}", "service=~\"rag|agent\",severity!=\"info\"")]
    [InlineData("env!~dev.* , job=api", "env!~\"dev.*\",job=\"api\"")]
    public void Parse_MatcherText_ReadsEveryOperator(string text, string expected)
    {
        Assert.Equal(expected, string.Join(",", Matchers.Parse(text)));
    }

    [Theory]
    [InlineData("service", "expected an operator")]
    [InlineData("1x=\"a\"", "not a valid label name")]
    [InlineData("a=~\"(\"", "invalid regular expression")]
    [InlineData("a=\"open", "unterminated quoted value")]
    [InlineData("{a=\"b\"", "missing closing")]
    public void Parse_BadMatcher_ClearMessage(string text, string expected)
    {
        var e = Assert.Throws<MatcherFormatException>(() => Matchers.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inhibitor_CriticalServiceDown_MutesWarningsOfTheSameServiceOnly()
    {
        Alert A(string name, string severity, string service, AlertState state = AlertState.Firing) => new()
        {
            Id = Alert.NewId(),
            Labels = LabelSet.From(("alertname", name), ("severity", severity), ("service", service)),
            State = state,
            Origin = AlertOrigin.Rule,
            ActiveAt = T0,
            UpdatedAt = T0,
        };
        var down = A("ServiceDown", "critical", "rag");
        var ragWarning = A("HighLatency", "warning", "rag");
        var agentWarning = A("HighLatency", "warning", "agent");
        var rule = new InhibitRule(Matchers.Parse("alertname=\"ServiceDown\", severity=\"critical\""), Matchers.Parse("severity=\"warning\""), ["service"]);
        var inhibitor = new Inhibitor([rule], () => [down, ragWarning, agentWarning]);

        Assert.Equal([down.Fingerprint], inhibitor.MutedBy(ragWarning, T0));
        Assert.Empty(inhibitor.MutedBy(agentWarning, T0));
        Assert.Empty(inhibitor.MutedBy(down, T0));
        var pendingDown = new Inhibitor([rule], () => [down with { State = AlertState.Pending }, ragWarning]);
        Assert.Empty(pendingDown.MutedBy(ragWarning, T0)); // only a firing source inhibits
    }
}
