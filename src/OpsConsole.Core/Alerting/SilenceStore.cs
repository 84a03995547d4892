using OpsConsole.Domain.Telemetry;

namespace OpsConsole.Core.Alerting;

/// <summary>A silence as a client posts it (Alertmanager's <c>postableSilence</c>); <see cref="Id"/> set to update one.</summary>
public sealed record SilenceRequest(string? Id, IReadOnlyList<LabelMatcher> Matchers, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string? CreatedBy, string? Comment);

public enum SilenceOutcome
{
    Created,
    Updated,

    /// <summary>The edit changed the matchers or would rewrite history: the old silence expired, a new one was created.</summary>
    Replaced,
    Invalid,
    NotFound,
    AlreadyExpired,
    Expired,
}

/// <summary>The answer to a silence change: the outcome, the silence as it now is, the one it replaced, and the errors.</summary>
public sealed record SilenceResult(SilenceOutcome Outcome, Silence? Silence = null, Silence? Previous = null, IReadOnlyList<string>? Errors = null);

/// <summary>
/// The silences, kept in memory and stored through <see cref="IAlertingRepository"/>. State is derived from the times;
/// an update keeps the silence when Alertmanager would (same matchers; a pending one may move, an active one may only
/// change its end), otherwise the old silence is expired and a new one created, so history is never rewritten.
/// </summary>
public sealed class SilenceStore(IAlertingRepository repository, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly Dictionary<string, Silence> _silences = new(StringComparer.Ordinal);

    public TimeProvider Time => time;

    public void Load(IEnumerable<Silence> silences)
    {
        lock (_gate)
        {
            foreach (var s in silences)
            {
                _silences[s.Id] = s;
            }
        }
    }

    public Silence? Get(string id)
    {
        lock (_gate)
        {
            return _silences.GetValueOrDefault(id);
        }
    }

    /// <summary>Every silence, as Alertmanager lists them: active (soonest end first), pending (soonest start first), expired (latest end first).</summary>
    public IReadOnlyList<Silence> List()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            return [.. _silences.Values
                .OrderBy(s => s.StateAt(now) switch { SilenceState.Active => 0, SilenceState.Pending => 1, _ => 2 })
                .ThenBy(s => s.StateAt(now) switch { SilenceState.Active => s.EndsAt.UtcTicks, SilenceState.Pending => s.StartsAt.UtcTicks, _ => -s.EndsAt.UtcTicks })];
        }
    }

    public IReadOnlyList<string> SilencedBy(LabelSet labels, DateTimeOffset now)
    {
        List<string>? by = null;
        lock (_gate)
        {
            foreach (var s in _silences.Values)
            {
                if (s.Mutes(labels, now))
                {
                    (by ??= []).Add(s.Id);
                }
            }
        }

        return by ?? (IReadOnlyList<string>)[];
    }

    /// <summary>Creates a silence, or updates the one named by <see cref="SilenceRequest.Id"/>.</summary>
    public async Task<SilenceResult> SetAsync(SilenceRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _writes.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            var errors = Silence.Validate(request.Matchers, request.StartsAt, request.EndsAt, request.CreatedBy, request.Comment, now);
            if (errors.Count > 0)
            {
                return new SilenceResult(SilenceOutcome.Invalid, Errors: errors);
            }

            Silence? previous = null;
            if (!string.IsNullOrEmpty(request.Id))
            {
                previous = Get(request.Id);
                if (previous is null)
                {
                    return new SilenceResult(SilenceOutcome.NotFound, Errors: [$"silence {request.Id} not found"]);
                }
            }

            if (previous is not null && CanUpdate(previous, request, now))
            {
                var updated = previous with
                {
                    StartsAt = request.StartsAt,
                    EndsAt = request.EndsAt,
                    CreatedBy = request.CreatedBy!,
                    Comment = request.Comment!,
                    UpdatedAt = now,
                };
                await SaveAsync([updated], ct);
                return new SilenceResult(SilenceOutcome.Updated, updated, previous);
            }

            var changed = new List<Silence>();
            Silence? expired = null;
            if (previous is not null && previous.StateAt(now) != SilenceState.Expired)
            {
                expired = Expire(previous, now);
                changed.Add(expired);
            }

            var created = new Silence(
                Guid.NewGuid().ToString(), [.. request.Matchers], request.StartsAt < now ? now : request.StartsAt, request.EndsAt,
                request.CreatedBy!, request.Comment!, now);
            changed.Add(created);
            await SaveAsync(changed, ct);
            return new SilenceResult(previous is null ? SilenceOutcome.Created : SilenceOutcome.Replaced, created, expired ?? previous);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Ends a silence now (a pending one never starts). An expired silence stays as it was.</summary>
    public async Task<SilenceResult> ExpireAsync(string id, CancellationToken ct)
    {
        await _writes.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            var silence = Get(id);
            if (silence is null)
            {
                return new SilenceResult(SilenceOutcome.NotFound, Errors: [$"silence {id} not found"]);
            }

            if (silence.StateAt(now) == SilenceState.Expired)
            {
                return new SilenceResult(SilenceOutcome.AlreadyExpired, silence, Errors: [$"silence {id} already expired at {silence.EndsAt:O}"]);
            }

            var expired = Expire(silence, now);
            await SaveAsync([expired], ct);
            return new SilenceResult(SilenceOutcome.Expired, expired, silence);
        }
        finally
        {
            _writes.Release();
        }
    }

    private static Silence Expire(Silence s, DateTimeOffset now) =>
        s.StateAt(now) == SilenceState.Pending ? s with { StartsAt = now, EndsAt = now, UpdatedAt = now } : s with { EndsAt = now, UpdatedAt = now };

    /// <summary>Alertmanager's rule: same matchers, and a pending silence may start later (not before now), an active one only change its end (not to the past).</summary>
    private static bool CanUpdate(Silence previous, SilenceRequest next, DateTimeOffset now)
    {
        if (Matchers.Canonical(previous.Matchers) != Matchers.Canonical(next.Matchers))
        {
            return false;
        }

        return previous.StateAt(now) switch
        {
            SilenceState.Pending => next.StartsAt >= now,
            SilenceState.Active => next.StartsAt == previous.StartsAt && next.EndsAt >= now,
            _ => false,
        };
    }

    private async Task SaveAsync(List<Silence> silences, CancellationToken ct)
    {
        await repository.SaveSilencesAsync(silences, ct);
        lock (_gate)
        {
            foreach (var s in silences)
            {
                _silences[s.Id] = s;
            }
        }
    }
}
