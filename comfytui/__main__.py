from comfytui.cli.main import main

raise SystemExit(main())
