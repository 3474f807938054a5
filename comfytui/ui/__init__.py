"""The Textual app: the only package that imports textual (checked by tests/test_arch_layers.py)."""
