using System.Text.Json;

namespace SessionNode.Rpc.Admin;

/// <summary>
/// One section of the admin <c>GET /stats</c> document. Register implementations as singletons
/// (<c>services.AddSingleton&lt;IStatsContributor, X&gt;()</c>); each writes the properties of its own
/// JSON object, named <see cref="Section"/>. Called concurrently with the node's work: read
/// counters without blocking writers.
/// </summary>
public interface IStatsContributor
{
    /// <summary>Name of the section's JSON object (snake_case, unique).</summary>
    string Section { get; }

    /// <summary>Writes the section's properties (the enclosing object is already open).</summary>
    void WriteStats(Utf8JsonWriter writer);
}
