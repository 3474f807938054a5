"""The terminal under comfytui: what it answers (`probe`), which image renderer fits (`protocol`).

No Textual here: `comfytui doctor` (cli) and the app's start-up (ui/launch) both use it.
"""
