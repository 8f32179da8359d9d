namespace FunctionsDrift.Core.Tests;
