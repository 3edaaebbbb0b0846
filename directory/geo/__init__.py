"""Points and distances, the gazetteer (places.csv), the geocode cache, the geocoder's settings."""
