"""The full-screen game (Textual). Only this package imports Textual.

`kubegame.tui.app.create_app(...)` builds the app (tests); `run_game(...)` runs it (the CLI).
"""
