"""What maintainers read about a change: diffs between revisions, report formats."""
