using SessionNode.Daemon.Commands;

// Front end only: parse the command line, build the configuration layers, hand them to
// SessionNodeHost (see Commands/RunCommand.cs) and return the exit code.
return await SessionNodeCli.InvokeAsync(args);
