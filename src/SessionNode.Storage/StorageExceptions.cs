namespace SessionNode.Storage;

/// <summary>The store directory holds a database of another schema version (or not ours); the node must not start.</summary>
public sealed class StorageSchemaException : Exception
{
    public StorageSchemaException()
    {
    }

    public StorageSchemaException(string message)
        : base(message)
    {
    }

    public StorageSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Thrown by <see cref="MessageStore.BulkStore"/> when the batch would exceed
/// <see cref="MessageStoreOptions.MaxLogicalBytes"/>; nothing was written (the caller drops the push).
/// </summary>
public sealed class StorageFullException : Exception
{
    public StorageFullException()
    {
    }

    public StorageFullException(string message)
        : base(message)
    {
    }

    public StorageFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
