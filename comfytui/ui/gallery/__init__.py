"""The gallery screen (key 5 / G) and the compare screen; loaded on first use."""
