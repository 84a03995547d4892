using OpsConsole.Core.Storage.Logs;

namespace OpsConsole.Core.Tests.Storage;

/// <summary>
/// A sealed log segment finds its dense postings (bitmaps) by the posting's 64-bit filter key. Keys are hashes, so two
/// postings can share one; the table must then still hand each search its own bitmap, or a search would count the
/// wrong lines. Public calls cannot force a collision (the string hash is randomized per process), so these build
/// entries whose keys collide on purpose.
/// </summary>
public sealed class DenseTableTests
{
    private static readonly ulong[] TimeoutBits = [0b1011];
    private static readonly ulong[] OtherBits = [0b0100];

    [Fact]
    public void TryFind_KeyCollidesWithAnotherValueFieldOrAttribute_ReturnsOnlyTheExactPosting()
    {
        var term = new PlanPosting(null, "timeout");
        var service = new PlanPosting(LogField.Service, "timeout");
        var route = new PlanPosting(LogField.Attribute("http.route"), "timeout");

        // Under the term's key: another value, the value as a field, as an attribute, and then the term itself. Under
        // the service's key: the term. Under the route's key: the value of another attribute.
        var table = new DenseTable(
        [
            new DenseTable.Entry(term.Key, DenseTable.TermKind, null, "refused", OtherBits, 1),
            new DenseTable.Entry(term.Key, (int)LogFieldKind.Service, null, "timeout", OtherBits, 1),
            new DenseTable.Entry(term.Key, (int)LogFieldKind.Attribute, "http.route", "timeout", OtherBits, 1),
            new DenseTable.Entry(term.Key, DenseTable.TermKind, null, "timeout", TimeoutBits, 3),
            new DenseTable.Entry(service.Key, DenseTable.TermKind, null, "timeout", OtherBits, 1),
            new DenseTable.Entry(route.Key, (int)LogFieldKind.Attribute, "peer.service", "timeout", OtherBits, 1),
        ]);

        Assert.True(table.TryFind(term, out var found));
        Assert.Same(TimeoutBits, found.Bits);
        Assert.Equal(3, found.Count);
        Assert.Null(Find(table, service));
        Assert.Null(Find(table, route));
    }

    [Fact]
    public void TryFind_FieldAndAttributeValues_FoundUnderTheirOwnKeysOnly()
    {
        var level = new PlanPosting(LogField.Level, "error");
        var route = new PlanPosting(LogField.Attribute("http.route"), "/v1/chat");
        var table = new DenseTable(
        [
            new DenseTable.Entry(level.Key, (int)LogFieldKind.Level, null, "error", TimeoutBits, 3),
            new DenseTable.Entry(route.Key, (int)LogFieldKind.Attribute, "http.route", "/v1/chat", OtherBits, 1),
        ]);

        Assert.Same(TimeoutBits, Find(table, level));
        Assert.Same(OtherBits, Find(table, route));
        Assert.Null(Find(table, new PlanPosting(LogField.Level, "warn")));
        Assert.Null(Find(table, new PlanPosting(null, "error")));
        Assert.Null(Find(table, new PlanPosting(LogField.Attribute("http.method"), "/v1/chat")));
    }

    [Fact]
    public void TryFind_ManyEntries_EveryOneFoundAndAbsentOnesNot()
    {
        var postings = Enumerable.Range(0, 500).Select(i => new PlanPosting(i % 2 == 0 ? null : LogField.Service, "v" + i)).ToList();
        var table = new DenseTable([.. postings.Select((p, i) => new DenseTable.Entry(p.Key, p.Field is null ? DenseTable.TermKind : (int)LogFieldKind.Service, null, p.Value, [(ulong)i], i))]);

        for (var i = 0; i < postings.Count; i++)
        {
            Assert.True(table.TryFind(postings[i], out var found), $"entry {i} not found");
            Assert.Equal((ulong)i, found.Bits[0]);
        }

        Assert.Null(Find(table, new PlanPosting(null, "v1"))); // v1 is a service value, not a term
        Assert.Null(Find(table, new PlanPosting(null, "v500")));
    }

    private static ulong[]? Find(DenseTable table, PlanPosting posting) => table.TryFind(posting, out var found) ? found.Bits : null;
}
