namespace FunctionsDrift.Storage;

/// <summary>What happened to one blob.</summary>
public enum ScoreOutcome
{
    Scored,
    Error,
    AlreadyDone,
    Missing,
}
