"""The data format and its judgement: the catalogue, the schema, validation, reviewers' checks."""
