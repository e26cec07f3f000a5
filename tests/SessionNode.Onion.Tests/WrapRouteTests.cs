using System.Buffers;
using System.Text;

namespace SessionNode.Onion.Tests;

/// <summary>
/// The §8.2 wrapper's printable-ASCII route (hand-escaped) writes exactly what the Utf8JsonWriter route with the
/// relaxed encoder writes, and declines every body it cannot handle.
/// </summary>
public sealed class WrapRouteTests
{
    private static string ViaWriter(int status, byte[] body)
    {
        var wrap = new OnionProcessor.WrapWriter();
        wrap.Writer.Reset(wrap.Buffer);
        return Encoding.UTF8.GetString(OnionProcessor.WrapWithWriter(wrap, status, body, bodyIsJson: false, jsonFlag: false));
    }

    private static string? ViaAsciiRoute(int status, byte[] body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        return OnionProcessor.TryWrapPrintableAscii(buffer, status, body) ? Encoding.UTF8.GetString(buffer.WrittenSpan) : null;
    }

    [Fact]
    public void AsciiRoute_EveryPrintableCharacter_MatchesWriter()
    {
        for (var c = 0x20; c <= 0x7e; c++)
        {
            foreach (var body in new[] { new[] { (byte)c }, new[] { (byte)'a', (byte)c, (byte)'b' }, new[] { (byte)c, (byte)c } })
            {
                Assert.Equal(ViaWriter(200, body), ViaAsciiRoute(200, body));
            }
        }
    }

    [Fact]
    public void AsciiRoute_RandomPrintableBodiesAndStatuses_MatchWriter()
    {
        var random = new Random(4);
        foreach (var status in new[] { 0, 200, 421, -1, int.MinValue, int.MaxValue })
        {
            for (var i = 0; i < 200; i++)
            {
                var body = new byte[random.Next(0, 600)];
                for (var j = 0; j < body.Length; j++)
                {
                    // Bias towards the two escaped characters so runs of them are covered.
                    body[j] = random.Next(4) == 0 ? (byte)"\"\\"[random.Next(2)] : (byte)random.Next(0x20, 0x7f);
                }

                Assert.Equal(ViaWriter(status, body), ViaAsciiRoute(status, body));
            }
        }
    }

    [Fact]
    public void AsciiRoute_StoreResult_IsDoubleEncodedString()
    {
        var result = """{"hash":"abc+/=","swarm":{"aa":{"signature":"x"}},"t":1}"""u8.ToArray();
        Assert.Equal("""{"body":"{\"hash\":\"abc+/=\",\"swarm\":{\"aa\":{\"signature\":\"x\"}},\"t\":1}","status":200}""", ViaAsciiRoute(200, result));
    }

    [Theory]
    [InlineData(new byte[] { 0x0a })]
    [InlineData(new byte[] { (byte)'a', 0x1f })]
    [InlineData(new byte[] { 0x7f })]
    [InlineData(new byte[] { 0xc3, 0xa9 })] // é: the writer's route decides how non-ASCII is written
    [InlineData(new byte[] { 0xff })]
    public void AsciiRoute_ControlDelOrNonAscii_Declines(byte[] body)
    {
        Assert.Null(ViaAsciiRoute(200, body));
    }

    [Fact]
    public void WrapResponse_NonAsciiAndControls_StillWrittenByWriter()
    {
        var body = Encoding.UTF8.GetBytes("é\n\"");
        Assert.Equal(ViaWriter(200, body), Encoding.UTF8.GetString(OnionProcessor.WrapResponse(200, body, bodyIsJson: false, jsonFlag: false)));
        Assert.Equal("{\"body\":\"é\\n\\\"\",\"status\":200}", ViaWriter(200, body));
    }
}
