namespace FunctionsDrift.Storage;

/// <summary>
/// What an announcement says about a blob: its ETag and length, and whether this is the message's first delivery
/// (a redelivery means an earlier attempt may have written the row already, so the row is looked up before downloading).
/// </summary>
public sealed record BlobHint(string ETag, long ContentLength, bool FirstDelivery);
