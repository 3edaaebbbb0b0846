"""Load → validate → geocode → write → switch: a new immutable build folder from data/."""
