"""The `comfytui` command line."""
