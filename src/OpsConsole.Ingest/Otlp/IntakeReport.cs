using System.Globalization;
using System.Text;

namespace OpsConsole.Ingest.Otlp;

/// <summary>
/// What validation did to one export request: items rejected (OTLP partial success), attributes dropped over
/// the limit, and the first few reasons, worded for the person reading the exporter's log. Reasons beyond the
/// first few are only counted, so a request of a million bad items costs no million strings.
/// </summary>
internal sealed class IntakeReport
{
    private const int MaxReasons = 3;

    private readonly List<string> _reasons = new(MaxReasons);
    private int _unlistedReasons;

    public int RejectedItems { get; private set; }

    public int ItemsWithDroppedAttributes { get; private set; }

    public int DroppedAttributes { get; private set; }

    /// <summary>True while another reason would still be listed: format a detailed reason only then.</summary>
    public bool WantsDetail => _reasons.Count < MaxReasons;

    public void Reject(string? reason) => Reject(1, reason);

    public void Reject(int items, string? reason)
    {
        if (items <= 0)
        {
            return;
        }

        RejectedItems += items;
        Note(reason);
    }

    public void DroppedAttributesOnItem(int dropped)
    {
        ItemsWithDroppedAttributes++;
        DroppedAttributes += dropped;
    }

    private void Note(string? reason)
    {
        if (reason is not null && _reasons.Count < MaxReasons)
        {
            if (!_reasons.Contains(reason))
            {
                _reasons.Add(reason);
            }
        }
        else
        {
            _unlistedReasons++;
        }
    }

    /// <summary>The partial-success message, or null when nothing needs saying.</summary>
    public string? ToMessage(string itemNoun, int maxAttributes)
    {
        if (RejectedItems == 0 && DroppedAttributes == 0)
        {
            return null;
        }

        var text = new StringBuilder();
        if (RejectedItems > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{RejectedItems} {itemNoun} rejected: ");
            text.AppendJoin("; ", _reasons);
            if (_unlistedReasons > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $" (and {_unlistedReasons} more)");
            }
        }

        if (DroppedAttributes > 0)
        {
            if (text.Length > 0)
            {
                text.Append(". ");
            }

            text.Append(CultureInfo.InvariantCulture,
                $"{DroppedAttributes} attributes dropped from {ItemsWithDroppedAttributes} items that had more than {maxAttributes} (the first {maxAttributes} were kept)");
        }

        return text.ToString();
    }
}
