"""Open Referral HSDS 3.0: a build → HSDS objects and files (the export and the API), and
HSDS exports (3.0 and 1.x, tabular, JSON or an API) → this directory's data files."""
