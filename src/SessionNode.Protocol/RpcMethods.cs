namespace SessionNode.Protocol;

/// <summary>Method names of <c>/storage_rpc/v1</c> (client-rpc.md §2.4).</summary>
public static class RpcMethods
{
    /// <summary>Store a message (replicated).</summary>
    public const string Store = "store";

    /// <summary>Retrieve messages of one namespace.</summary>
    public const string Retrieve = "retrieve";

    /// <summary>Node info (version, time, hard fork).</summary>
    public const string Info = "info";

    /// <summary>The swarm of an account.</summary>
    public const string GetSwarm = "get_swarm";

    /// <summary>Legacy alias of <see cref="GetSwarm"/>.</summary>
    public const string GetSnodesForPubkey = "get_snodes_for_pubkey";

    /// <summary>Delete messages by hash (replicated).</summary>
    public const string Delete = "delete";

    /// <summary>Delete all messages of a namespace or all namespaces (replicated).</summary>
    public const string DeleteAll = "delete_all";

    /// <summary>Delete messages with timestamp at or before a time (replicated).</summary>
    public const string DeleteBefore = "delete_before";

    /// <summary>Change expiries of messages (replicated).</summary>
    public const string Expire = "expire";

    /// <summary>Shorten expiries of all messages (replicated).</summary>
    public const string ExpireAll = "expire_all";

    /// <summary>Current expiries of messages.</summary>
    public const string GetExpiries = "get_expiries";

    /// <summary>Revoke subaccount tokens (replicated).</summary>
    public const string RevokeSubaccount = "revoke_subaccount";

    /// <summary>Unrevoke subaccount tokens (replicated).</summary>
    public const string UnrevokeSubaccount = "unrevoke_subaccount";

    /// <summary>Whitelisted oxend proxy.</summary>
    public const string OxendRequest = "oxend_request";

    /// <summary>Up to 20 sub-requests, all run.</summary>
    public const string Batch = "batch";

    /// <summary>Up to 20 sub-requests, run until the first failure.</summary>
    public const string Sequence = "sequence";

    /// <summary>Conditional request.</summary>
    public const string IfElse = "ifelse";
}
