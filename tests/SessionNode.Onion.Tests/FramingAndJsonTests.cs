using System.Text;

namespace SessionNode.Onion.Tests;

public sealed class FramingAndJsonTests
{
    [Fact]
    public void Build_ThenParse_RoundTrips()
    {
        var payload = OnionFraming.Build("blob"u8, """{"a":1}"""u8);
        Assert.Equal([4, 0, 0, 0], payload[..4]);
        Assert.True(OnionFraming.TryParse(payload, out var frame, out var error));
        Assert.Null(error);
        Assert.Equal("blob", Encoding.UTF8.GetString(frame.Blob(payload)));
        Assert.Equal("""{"a":1}""", Encoding.UTF8.GetString(frame.Json(payload)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("010000")]
    [InlineData("05000000abcd")]
    [InlineData("ffffffff00")]
    public void TryParse_ShortOrOverlongPrefix_Fails(string hex)
    {
        Assert.False(OnionFraming.TryParse(Convert.FromHexString(hex), out _, out var error));
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("{\"headers\":\"\"}")]
    [InlineData("  \n{\"headers\":\"\"}\t \r\n")]
    [InlineData("{\"headers\" : null , \"x\":[1,{\"y\":2}]}")]
    public void Json_OneObjectWithWhitespace_Parses(string json)
    {
        Assert.True(OnionJson.TryParse(Encoding.UTF8.GetBytes(json), out var control, out _));
        Assert.True(control.HasHeaders);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{\"headers\":\"\"}x")]
    [InlineData("{\"headers\":\"\"}{}")]
    [InlineData("[1,2]")]
    [InlineData("\"headers\"")]
    [InlineData("{\"headers\":\"\",}")]
    [InlineData("{\"headers\":\"\" /* c */}")]
    [InlineData("{\"headers\":")]
    public void Json_NotExactlyOneObject_Fails(string json)
    {
        Assert.False(OnionJson.TryParse(Encoding.UTF8.GetBytes(json), out _, out var error));
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("{\"host\":\"a\xff\",\"target\":\"/oxen/v4/lsrpc\"}")]
    [InlineData("{\"headers\":\"\",\"x\":\"\xc3\"}")]
    [InlineData("{\"headers\":\"\",\"\xff\":1}")]
    [InlineData("{\"enc_type\":\"\xfe\",\"ephemeral_key\":\"00\"}")]
    [InlineData("{\"host\":\"\\ud800\",\"target\":\"/oxen/v4/lsrpc\"}")]
    [InlineData("{\"headers\":\"\",\"\\udc00\":1}")]
    public void Json_InvalidUtf8_FailsWithoutThrowing(string latin1)
    {
        // nlohmann (the reference) rejects invalid UTF-8 anywhere in the text: a parse error, never an exception.
        var bytes = Encoding.Latin1.GetBytes(latin1);
        Assert.False(OnionJson.TryParse(bytes, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Json_DuplicateKey_LaterWins()
    {
        Assert.True(OnionJson.TryParse("""{"enc_type":"gcm","enc_type":"xchacha20","hop_no":"x","hop_no":3}"""u8, out var c, out _));
        Assert.Equal(SessionNode.Crypto.EncryptionType.XChaCha20, c.EncType.Value);
        Assert.Equal(JsonFieldState.Valid, c.HopNo.State);
        Assert.Equal(3, c.HopNo.Value);
    }

    [Fact]
    public void Json_Keys_DecodedFromHex_EscapedOrNot_BadHexIsWrongType()
    {
        var hex = new string('a', 62) + "0F";
        var json = "{\"ephemeral_key\":\"" + hex + "\",\"destination\":\"\\u0061" + hex[1..] + "\",\"enc_type\":\"g\\u0063m\"}";
        Assert.True(OnionJson.TryParse(Encoding.UTF8.GetBytes(json), out var c, out _));
        Assert.Equal(JsonFieldState.Valid, c.EphemeralKey.State);
        var ephemeral = c.EphemeralKey.Value;
        Assert.Equal(hex.ToLowerInvariant(), Convert.ToHexStringLower(ephemeral));
        var destination = c.Destination.Value;
        Assert.Equal(hex.ToLowerInvariant(), Convert.ToHexStringLower(destination));
        Assert.Equal(SessionNode.Crypto.EncryptionType.AesGcm, c.EncType.Value);

        Assert.True(OnionJson.TryParse("""{"ephemeral_key":"abcd","destination":1,"enc_type":"rot13"}"""u8, out c, out _));
        Assert.Equal(JsonFieldState.WrongType, c.EphemeralKey.State);
        Assert.Equal(JsonFieldState.WrongType, c.Destination.State);
        Assert.Equal(JsonFieldState.WrongType, c.EncType.State);
        Assert.Equal("rot13", c.UnknownEncType);
    }

    [Fact]
    public void Json_EscapedKeyName_IsRecognised()
    {
        Assert.True(OnionJson.TryParse("""{"h\u0065aders":1}"""u8, out var c, out _));
        Assert.True(c.HasHeaders);
    }

    [Fact]
    public void Json_WrongTypes_AreRecordedNotThrown()
    {
        Assert.True(OnionJson.TryParse("""{"host":1,"port":"80","json":"yes","hop_no":1.5}"""u8, out var c, out _));
        Assert.Equal(JsonFieldState.WrongType, c.Host.State);
        Assert.Equal(JsonFieldState.WrongType, c.Port.State);
        Assert.Equal(JsonFieldState.WrongType, c.Json.State);
        Assert.Equal(JsonFieldState.WrongType, c.HopNo.State);
        Assert.Equal(JsonFieldState.Absent, c.Destination.State);
    }
}
