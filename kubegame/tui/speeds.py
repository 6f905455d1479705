"""The game clock's speeds (ticks per second), shared by the app and the game screen."""

SPEEDS = (1, 2, 4, 8, 16)
