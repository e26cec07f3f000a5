using System.Text;
using SessionNode.Crypto;

namespace SessionNode.Swarm.Tests;

/// <summary>Peer authentication messages and session tokens.</summary>
public sealed class PeerAuthTests
{
    private static readonly byte[] Caller = Enumerable.Repeat((byte)0xaa, 32).ToArray();

    [Fact]
    public void AuthMessage_IsDomainCalleeCallerDecimalTimestamp()
    {
        var callee = Enumerable.Repeat((byte)0xbb, 32).ToArray();

        var message = PeerAuth.AuthMessage(callee, Caller, 1700000000123);

        Assert.Equal([.. "sessionnode-peer-auth"u8, .. callee, .. Caller, .. "1700000000123"u8], message);
        Assert.Equal([.. "sessionnode-peer-ack"u8, .. "tok"u8], PeerAuth.AckMessage("tok"));
    }

    [Fact]
    public void AuthMessage_SignedByCaller_Verifies()
    {
        using var caller = Ed25519KeyPair.FromSeed(new byte[32]);
        var msg = PeerAuth.AuthMessage(Caller, caller.PublicKey, 5);
        Assert.True(Ed25519.Verify(caller.PublicKey, msg, caller.Sign(msg)));
    }

    [Fact]
    public void Token_RoundTrips_UntilExpiry()
    {
        using var issuer = new PeerTokenIssuer();
        var token = issuer.Issue(Caller, expiresMs: 1000);

        Assert.True(issuer.TryValidate(token, 999, out var who));
        Assert.Equal(Caller, who);
        Assert.False(issuer.TryValidate(token, 1000, out _));
        Assert.Equal(72, Convert.FromBase64String(token).Length);
    }

    [Fact]
    public void Token_TamperedOrForeignOrGarbage_Rejected()
    {
        using var issuer = new PeerTokenIssuer();
        using var other = new PeerTokenIssuer();
        var raw = Convert.FromBase64String(issuer.Issue(Caller, 1000));
        raw[40] ^= 1;
        var longer = Convert.FromBase64String(issuer.Issue(Caller, 1000));
        longer[39] = 0xff; // extend the expiry without re-MACing

        Assert.False(issuer.TryValidate(Convert.ToBase64String(raw), 0, out _));
        Assert.False(issuer.TryValidate(Convert.ToBase64String(longer), 0, out _));
        Assert.False(issuer.TryValidate(other.Issue(Caller, 1000), 0, out _));
        Assert.False(issuer.TryValidate("!!!", 0, out _));
        Assert.False(issuer.TryValidate(null, 0, out _));
        Assert.False(issuer.TryValidate(Convert.ToBase64String(Encoding.ASCII.GetBytes("short")), 0, out _));
    }
}
