"""The `genedesk` command: every service in core, scriptable and without a display."""
