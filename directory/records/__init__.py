"""Reading data files into records that remember their file and line; value checkers; problems."""
