"""Screens: the main browse screen, detail views, help and small prompts."""
