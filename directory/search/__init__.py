"""Reading a build: SQL rows, the index and its ranking, filter masks, facets, spelling, near.

No Flask here: a script can search a build folder (the benchmark does)."""
