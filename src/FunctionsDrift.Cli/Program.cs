using FunctionsDrift.Cli;

return await DriftCli.RunAsync(args, Console.Out, Console.Error);
