from comfytui.cli.main import entry

entry()
