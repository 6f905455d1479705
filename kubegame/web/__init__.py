"""`kubegame web`: the game screen in the browser, one game process per tab (kubegame/web/server.py)."""
