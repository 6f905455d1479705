from kubegame.cli import main

raise SystemExit(main())
