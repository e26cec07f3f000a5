using SessionNode.Core;

namespace SessionNode.Rpc.Requests;

/// <summary>Authentication parameters common to signed requests (client-rpc.md §9 "AUTH").</summary>
public sealed record AuthParams(
    AccountId Account,
    byte[] Signature,
    byte[]? Ed25519Key,
    SubaccountToken? Subaccount,
    byte[]? SubaccountSignature);

/// <summary>A fully parsed request; the method's own record carries its typed parameters.</summary>
public abstract record ParsedRequest(string Method)
{
    /// <summary>Raw UTF-8 of the <c>params</c> object, kept for replicated methods so peers can re-verify it.</summary>
    public byte[]? RawParams { get; init; }
}

/// <summary>Parsed <c>store</c>.</summary>
public sealed record StoreRequest(
    AccountId Account,
    Namespace Namespace,
    long TimestampMs,
    long ExpiryMs,
    byte[] Data,
    AuthParams? Auth,
    long? SigTimestampMs) : ParsedRequest("store");

/// <summary>Parsed <c>retrieve</c>.</summary>
public sealed record RetrieveRequest(
    AccountId Account,
    Namespace Namespace,
    bool NamespaceGiven,
    string? LastHash,
    int? MaxCount,
    int? MaxSize,
    AuthParams? Auth,
    long? TimestampMs) : ParsedRequest("retrieve");

/// <summary>Parsed <c>info</c>.</summary>
public sealed record InfoRequest() : ParsedRequest("info");

/// <summary>Parsed <c>get_swarm</c>.</summary>
public sealed record GetSwarmRequest(AccountId Account) : ParsedRequest("get_swarm");

/// <summary>Parsed <c>delete</c>.</summary>
public sealed record DeleteRequest(AuthParams Auth, IReadOnlyList<string> Hashes, bool Required) : ParsedRequest("delete");

/// <summary>Parsed <c>delete_all</c>; null namespace = "all".</summary>
public sealed record DeleteAllRequest(AuthParams Auth, Namespace? Namespace, long TimestampMs) : ParsedRequest("delete_all");

/// <summary>Parsed <c>delete_before</c>; null namespace = "all".</summary>
public sealed record DeleteBeforeRequest(AuthParams Auth, Namespace? Namespace, long BeforeMs) : ParsedRequest("delete_before");

/// <summary>Parsed <c>expire_all</c>; null namespace = "all".</summary>
public sealed record ExpireAllRequest(AuthParams Auth, Namespace? Namespace, long ExpiryMs) : ParsedRequest("expire_all");

/// <summary>Parsed <c>expire</c>.</summary>
public sealed record ExpireRequest(AuthParams Auth, IReadOnlyList<string> Hashes, IReadOnlyList<long> Expiries, bool Shorten, bool Extend) : ParsedRequest("expire");

/// <summary>Parsed <c>get_expiries</c>.</summary>
public sealed record GetExpiriesRequest(AuthParams Auth, IReadOnlyList<string> Hashes, long TimestampMs) : ParsedRequest("get_expiries");

/// <summary>Parsed <c>revoke_subaccount</c> / <c>unrevoke_subaccount</c>.</summary>
public sealed record RevocationRequest(string MethodName, AuthParams Auth, IReadOnlyList<SubaccountToken> Tokens, long TimestampMs, bool Revoke) : ParsedRequest(MethodName);

/// <summary>Parsed <c>oxend_request</c>.</summary>
public sealed record OxendRequest(string Endpoint, string? ParamsJson) : ParsedRequest("oxend_request");

/// <summary>Parsed <c>batch</c> / <c>sequence</c>.</summary>
public sealed record BatchRequest(string MethodName, IReadOnlyList<ParsedRequest> Requests, bool StopOnFailure) : ParsedRequest(MethodName);

/// <summary>One <c>ifelse</c> condition set; null members were not given.</summary>
public sealed record IfConditions(int[]? HfAtLeast, int[]? HfBefore, int[]? VAtLeast, int[]? VBefore, long? HeightAtLeast, long? HeightBefore);

/// <summary>Parsed <c>ifelse</c>.</summary>
public sealed record IfElseRequest(IfConditions If, ParsedRequest? Then, ParsedRequest? Else) : ParsedRequest("ifelse");
