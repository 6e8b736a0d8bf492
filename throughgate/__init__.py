"""The `throughgate` command: it only dispatches to each part's own subcommands."""
