"""The bundled campaign: one YAML level file per level (docs/level-format.md)."""
