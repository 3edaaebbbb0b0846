"""Open Referral HSDS: HSDS exports (3.0 and 1.x, tabular, JSON or an API) into data files."""
