"""Open Referral HSDS 3.0: a build as HSDS objects (the export, the API) and HSDS files back."""
