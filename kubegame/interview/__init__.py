"""Interview mode: a timed set of short incidents, graded as an exam grades (docs/interview.md)."""
