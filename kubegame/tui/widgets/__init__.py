"""The game screen's widgets, one module each."""
