// Stores messages into the store at args[0] forever, printing "ack <hash>" after each Store returns.
// The crash test kills this process with SIGKILL and checks every acknowledged message survived.
using System.Globalization;
using SessionNode.Core;
using SessionNode.Storage;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: SessionNode.Storage.CrashWriter <store-dir>");
    return 2;
}

using var store = MessageStore.Open(new MessageStoreOptions { Path = args[0] }, TimeProvider.System);
var account = AccountId.ParseHex("05" + new string('a', 64));
var expiry = DateTimeOffset.Parse("2100-01-01T00:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
var data = new byte[100];
var stdout = Console.Out;
for (long i = 0; ; i++)
{
    var hash = "crash" + i.ToString(CultureInfo.InvariantCulture);
    var result = store.Store(account, Namespace.Default, hash, i, expiry, data);
    if (result.Outcome != StoreOutcome.New)
    {
        Console.Error.WriteLine($"unexpected outcome {result.Outcome} for {hash}");
        return 1;
    }

    stdout.WriteLine("ack " + hash);
    stdout.Flush();
}
