using System.Text.Json;
using SessionNode.Storage;
using SessionNode.Swarm;

namespace SessionNode.Rpc.Admin;

/// <summary>The <c>node</c> stats section: version, uptime, readiness, membership and storage totals, retry queues.</summary>
internal sealed class NodeStatsContributor : IStatsContributor
{
    private readonly NodeState _node;
    private readonly MessageStore _store;
    private readonly PeerRetryQueue _queue;
    private readonly long _startedMs;

    public NodeStatsContributor(NodeState node, MessageStore store, PeerRetryQueue queue)
    {
        _node = node;
        _store = store;
        _queue = queue;
        _startedMs = node.NowMs;
    }

    public string Section => "node";

    public void WriteStats(Utf8JsonWriter writer)
    {
        var snapshot = _node.Membership.Current;
        writer.WriteString("version", NodeState.ReportedVersionString);
        writer.WriteString("pubkey_ed25519", _node.Keys.PublicKeyHex);
        writer.WriteNumber("uptime_s", (_node.NowMs - _startedMs) / 1000.0);
        writer.WriteString("not_ready", _node.NotReadyReasons());
        writer.WriteNumber("membership_version", snapshot.Version);
        writer.WriteNumber("height", snapshot.Height);
        writer.WriteNumber("nodes", snapshot.Nodes.Count);
        if (snapshot.Self is { } self && snapshot.SelfInSwarm)
        {
            writer.WriteString("swarm_id", self.SwarmId.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteNumber("swarm_size", snapshot.Members(self.SwarmId).Count);
        }
        else
        {
            writer.WriteNull("swarm_id");
            writer.WriteNumber("swarm_size", 0);
        }

        writer.WriteNumber("messages", _store.MessageCount);
        writer.WriteNumber("accounts", _store.AccountCount);
        writer.WriteNumber("logical_bytes", _store.LogicalBytes);
        writer.WriteNumber("max_logical_bytes", _store.MaxLogicalBytes);
        writer.WriteStartObject("retry_queue");
        foreach (var (peer, depth) in _queue.Depths)
        {
            writer.WriteNumber(peer, depth);
        }

        writer.WriteEndObject();
    }
}
