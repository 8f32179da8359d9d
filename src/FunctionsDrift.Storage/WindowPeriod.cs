namespace FunctionsDrift.Storage;

/// <summary>Calendar windows of the summary.</summary>
public enum WindowPeriod
{
    Hour,
    Day,
}
