"""`:` command mode: `parse` (pure grammar and table), `history` (file store), `prompt` (widget),
`dispatch` (what each command does in the app)."""
