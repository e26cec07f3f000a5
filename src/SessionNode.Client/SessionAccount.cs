using System.Text.Json.Nodes;
using SessionNode.Core;
using SessionNode.Crypto;

namespace SessionNode.Client;

/// <summary>
/// The keys that act on one account: the account id sent as <c>pubkey</c>, the Ed25519 key that
/// signs requests, and for a Session ID the <c>pubkey_ed25519</c> that proves ownership
/// (client-rpc.md §6.2). Immutable; owns its signing key until disposed.
/// </summary>
/// <remarks>
/// Kinds of account:
/// <list type="bullet">
/// <item><see cref="FromSessionSeed"/>: a Session ID, <c>05</c> ‖ X25519 conversion of the Ed25519 key; requests
/// carry <c>pubkey_ed25519</c> and are signed with the Ed25519 key.</item>
/// <item><see cref="FromGroupSeed"/>: a closed group, <c>03</c> ‖ the group's Ed25519 key, signed with that key.</item>
/// <item><see cref="FromSeed"/>: any other prefix with an Ed25519 key.</item>
/// <item><see cref="ForSubaccount"/>: a member acting on someone else's account with a token the owner signed
/// (§6.4); requests carry <c>subaccount</c>/<c>subaccount_sig</c> and are signed by the member key.</item>
/// </list>
/// </remarks>
public sealed class SessionAccount : IDisposable
{
    private readonly Ed25519KeyPair _signer;
    private readonly byte[]? _ownerEd25519;
    private readonly byte[]? _subaccountSignature;

    private SessionAccount(AccountId id, Ed25519KeyPair signer, byte[]? ownerEd25519, SubaccountToken? token, byte[]? tokenSignature)
    {
        Id = id;
        _signer = signer;
        _ownerEd25519 = ownerEd25519;
        Subaccount = token;
        _subaccountSignature = tokenSignature;
    }

    /// <summary>The account (<c>pubkey</c>).</summary>
    public AccountId Id { get; }

    /// <summary>The account as 66 lowercase hex digits, exactly as sent in <c>pubkey</c>.</summary>
    public string PubkeyHex => Id.ToHex();

    /// <summary>
    /// The Ed25519 key sent as <c>pubkey_ed25519</c> (64 lowercase hex), or null when the account is not
    /// a Session ID (only <c>05</c> accounts may send it).
    /// </summary>
    public string? PubkeyEd25519Hex => _ownerEd25519 is null ? null : Convert.ToHexStringLower(_ownerEd25519);

    /// <summary>The Ed25519 public key that signs this account's requests (the member key for a subaccount).</summary>
    public ReadOnlySpan<byte> SigningPublicKey => _signer.PublicKey;

    /// <summary>The subaccount token sent with every signed request, or null for the owner.</summary>
    public SubaccountToken? Subaccount { get; }

    /// <summary>The owner's signature over <see cref="Subaccount"/> (<c>subaccount_sig</c>), or null for the owner.</summary>
    public ReadOnlySpan<byte> SubaccountSignature => _subaccountSignature;

    /// <summary>True when this is a member acting through a subaccount token.</summary>
    public bool IsSubaccount => Subaccount is not null;

    /// <summary>
    /// A Session ID from a 32-byte Ed25519 seed: the account is <c>05</c> ‖ the X25519 form of the Ed25519
    /// public key (§6.3).
    /// </summary>
    public static SessionAccount FromSessionSeed(ReadOnlySpan<byte> seed)
    {
        var keys = Ed25519KeyPair.FromSeed(seed);
        Span<byte> x25519 = stackalloc byte[AccountId.KeyLength];
        if (!Ed25519.TryConvertPublicKeyToX25519(keys.PublicKey, x25519))
        {
            keys.Dispose();
            throw new ArgumentException("The seed's Ed25519 public key has no X25519 form.", nameof(seed));
        }

        return new SessionAccount(AccountId.FromPrefixAndKey(AccountId.SessionPrefix, x25519), keys, keys.PublicKey.ToArray(), null, null);
    }

    /// <summary>A closed group (<c>03</c> ‖ group Ed25519 key) from the group's 32-byte seed.</summary>
    public static SessionAccount FromGroupSeed(ReadOnlySpan<byte> seed) => FromSeed(AccountId.GroupPrefix, seed);

    /// <summary>
    /// An account <paramref name="prefix"/> ‖ Ed25519 public key, signed with that key. For prefix <c>05</c>
    /// use <see cref="FromSessionSeed"/>: a Session ID's key bytes are X25519, not Ed25519.
    /// </summary>
    public static SessionAccount FromSeed(byte prefix, ReadOnlySpan<byte> seed)
    {
        var keys = Ed25519KeyPair.FromSeed(seed);
        return new SessionAccount(AccountId.FromPrefixAndKey(prefix, keys.PublicKey), keys, null, null, null);
    }

    /// <summary>
    /// A member acting on <paramref name="account"/> through a subaccount token.
    /// </summary>
    /// <param name="account">The owner's account.</param>
    /// <param name="token">The token the owner issued (prefix, flags, member key).</param>
    /// <param name="tokenSignature">The owner's 64-byte signature over the 36 token bytes.</param>
    /// <param name="memberSeed">The member's 32-byte Ed25519 seed; its public key must be the token's key.</param>
    /// <param name="ownerEd25519PublicKey">
    /// For a Session ID owner, the owner's Ed25519 key (sent as <c>pubkey_ed25519</c>); empty otherwise.
    /// </param>
    public static SessionAccount ForSubaccount(
        AccountId account,
        SubaccountToken token,
        ReadOnlySpan<byte> tokenSignature,
        ReadOnlySpan<byte> memberSeed,
        ReadOnlySpan<byte> ownerEd25519PublicKey = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (tokenSignature.Length != Ed25519.SignatureSize)
        {
            throw new ArgumentException("A subaccount signature is exactly 64 bytes.", nameof(tokenSignature));
        }

        if (!ownerEd25519PublicKey.IsEmpty && (!account.IsSessionId || ownerEd25519PublicKey.Length != Ed25519.PublicKeySize))
        {
            throw new ArgumentException("An owner Ed25519 key is 32 bytes and only sent for a Session ID.", nameof(ownerEd25519PublicKey));
        }

        var keys = Ed25519KeyPair.FromSeed(memberSeed);
        var owner = ownerEd25519PublicKey.IsEmpty ? null : ownerEd25519PublicKey.ToArray();
        return new SessionAccount(account, keys, owner, token, tokenSignature.ToArray());
    }

    /// <summary>
    /// Issues a subaccount token for <paramref name="memberPublicKey"/> and signs it with this (owner) account's
    /// key: the token bytes are prefix ‖ flags ‖ 00 00 ‖ member key, and the signature is <c>subaccount_sig</c>.
    /// </summary>
    /// <param name="flags">Permissions (Read, Write, Delete, AnyPrefix).</param>
    /// <param name="memberPublicKey">The member's 32-byte Ed25519 public key.</param>
    /// <param name="tokenPrefix">The network prefix the token is for; default: this account's prefix.</param>
    public SubaccountGrant IssueSubaccount(SubaccountFlags flags, ReadOnlySpan<byte> memberPublicKey, byte? tokenPrefix = null)
    {
        if (IsSubaccount)
        {
            throw new InvalidOperationException("Only the account owner can issue subaccount tokens.");
        }

        var token = SubaccountToken.Create(tokenPrefix ?? Id.Prefix, flags, memberPublicKey);
        return new SubaccountGrant(token, _signer.Sign(token.Span));
    }

    /// <summary>
    /// Issues a token for the member with seed <paramref name="memberSeed"/> and returns that member's account
    /// (a convenience for tests and tools that hold both keys).
    /// </summary>
    public SessionAccount CreateSubaccount(SubaccountFlags flags, ReadOnlySpan<byte> memberSeed, byte? tokenPrefix = null)
    {
        using var member = Ed25519KeyPair.FromSeed(memberSeed);
        var grant = IssueSubaccount(flags, member.PublicKey, tokenPrefix);
        return ForSubaccount(Id, grant.Token, grant.Signature.Span, memberSeed, _ownerEd25519);
    }

    /// <summary>Signs <paramref name="message"/> with the request-signing key; returns the 64-byte signature.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) => _signer.Sign(message);

    /// <summary>Frees the signing key.</summary>
    public void Dispose() => _signer.Dispose();

    /// <summary>
    /// Writes the AUTH keys (§9): <c>pubkey</c>, <c>pubkey_ed25519</c> when present, <c>signature</c> over
    /// <paramref name="signedMessage"/>, and the subaccount pair when <paramref name="includeSubaccount"/>.
    /// </summary>
    internal void WriteAuth(JsonObject parameters, ReadOnlySpan<byte> signedMessage, bool includeSubaccount = true)
    {
        parameters["pubkey"] = PubkeyHex;
        if (PubkeyEd25519Hex is { } ed)
        {
            parameters["pubkey_ed25519"] = ed;
        }

        parameters["signature"] = Convert.ToBase64String(Sign(signedMessage));
        if (includeSubaccount && Subaccount is { } token)
        {
            parameters["subaccount"] = Convert.ToBase64String(token.Span);
            parameters["subaccount_sig"] = Convert.ToBase64String(_subaccountSignature!);
        }
    }
}

/// <summary>A subaccount token and the owner's signature over it, as handed to a member.</summary>
/// <param name="Token">The 36-byte token.</param>
/// <param name="Signature">The owner's 64-byte Ed25519 signature over the token bytes (<c>subaccount_sig</c>).</param>
public sealed record SubaccountGrant(SubaccountToken Token, ReadOnlyMemory<byte> Signature);
