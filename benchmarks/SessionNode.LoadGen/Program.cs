using SessionNode.LoadGen;

// Front end only: the command line, workloads and runner live in LoadGenCli and LoadRunner.
return await LoadGenCli.Create().Parse(args).InvokeAsync();
